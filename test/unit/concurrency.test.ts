import { describe, expect, it } from 'vitest';
import { forEachLimit, TaskPool } from '../../lambda/shared/concurrency.ts';

/** A task that stays in flight until the test lets it go. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('the bounded-concurrency pool', () => {
  it('never runs more than its limit at once, and runs every item', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await forEachLimit(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (i) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
        done.push(i);
      },
    );
    expect(most).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('starts nothing after the first failure, lets the tasks in flight finish, then throws that failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const slow = gate();
    const run = forEachLimit([0, 1, 2, 3, 4], 2, async (i) => {
      started.push(i);
      if (i === 0) {
        await slow.opened;
        finished.push(i);
        return;
      }
      throw new Error(`item ${i} failed`);
    });
    await new Promise((resolve) => setImmediate(resolve));
    slow.open();
    await expect(run).rejects.toThrow('item 1 failed');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([0]);
  });

  it('makes a producer wait for a free slot, and reports a task failure when drained', async () => {
    const pool = new TaskPool(1);
    const first = gate();
    await pool.submit(() => first.opened);
    let secondSubmitted = false;
    const second = pool.submit(async () => {
      throw new Error('second failed');
    });
    void second.then(() => {
      secondSubmitted = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondSubmitted).toBe(false);
    first.open();
    await second;
    await expect(pool.drain()).rejects.toThrow('second failed');
  });
});
