/**
 * The one bounded-concurrency pool: at most `limit` tasks run at once, and `submit` waits for a
 * free slot, so a producer reading a stream of any length keeps memory flat (backpressure).
 * It is shared ground because recording, the projector, the publisher (which ships alone and
 * imports only lambda/shared) and the CLI all bound their work with it.
 */
export class TaskPool {
  readonly #limit: number;
  readonly #running = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  /**
   * Starts `task` as soon as a slot is free and resolves once it has started. The first task
   * failure is kept and thrown by {@link drain}.
   */
  async submit(task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.#limit) await Promise.race(this.#running);
    const running: Promise<void> = task()
      .catch((error: unknown) => {
        this.#failure ??= { error };
      })
      .finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  /** Resolves when every task started so far has finished; throws the first task failure. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
    if (this.#failure) throw this.#failure.error;
  }
}

/**
 * Runs `task` over `items` with at most `limit` in flight. After the first failure no new task
 * starts; the ones in flight finish, then the first error is thrown.
 */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const pool = new TaskPool(limit);
  let failure: { error: unknown } | undefined;
  for (const item of items) {
    if (failure) break;
    await pool.submit(async () => {
      if (failure) return; // it failed while this one waited for a slot
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    });
  }
  await pool.drain();
  if (failure) throw failure.error;
}
