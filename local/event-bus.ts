import { randomUUID } from 'node:crypto';
import { appendFileSync, createReadStream, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { type RoutingRule, rulesMatching } from '../infra/routing.ts';
import { fullJitterDelay, sleep } from '../lambda/shared/backoff.ts';
import type { BridgeEvent } from '../lambda/shared/contract/events.ts';
import { withInvocationDeadline } from './invocation-deadline.ts';

/** A rule's target: resolves when the event was handled, throws to have it retried. */
export type EventTarget<TOutcome> = (event: BridgeEvent, rule: RoutingRule) => Promise<TOutcome>;

/** Options of {@link LocalEventBus}. */
export interface LocalEventBusOptions<TOutcome> {
  readonly rules: readonly RoutingRule[];
  readonly target: EventTarget<TOutcome>;
  /** JSON Lines file every routed event is appended to; replays read it. */
  readonly archiveFile: string;
  /** Attempts per event and rule before it is given up. @default 3 */
  readonly deliveryAttempts?: number;
  /** Window of the first retry's delay (full jitter), doubled for each further one. @default 200 */
  readonly retryBaseMs?: number;
  /** Deliveries in flight at once (EventBridge invokes targets concurrently, in no set order). @default 4 */
  readonly concurrency?: number;
  /** Told each time a delivery succeeded. */
  readonly onDelivered?: (event: BridgeEvent, outcome: TOutcome) => void;
  /** Told each time a delivery failed and will be tried again. */
  readonly onRetry?: (event: BridgeEvent, attempt: number, error: unknown) => void;
  /** Told once when every attempt failed: the place to keep the event for an operator. */
  readonly onGiveUp?: (event: BridgeEvent, attempts: number, error: unknown) => Promise<void>;
  /** Told of each event no rule matched: EventBridge drops it silently; locally it is logged. */
  readonly onUnmatched?: (event: BridgeEvent) => void;
  /**
   * Told of failures in background work (archiving, a callback that threw): the event bus carries on
   * and the message says what was affected.
   */
  readonly onBackgroundError?: (message: string) => void;
  /** Longest one delivery may take before it counts as a failed attempt (a Lambda timeout). @default 30000 */
  readonly deliveryTimeoutMs?: number;
}

/** Deliveries queued at most; beyond it `publish` refuses events so memory stays bounded. */
export const MAX_QUEUED_DELIVERIES = 50_000;

/** Longest wait before a delivery is retried, however many attempts failed before. */
const MAX_RETRY_DELAY_MS = 60_000;

/** One replay of an archive window, as `DescribeReplay` reports it. */
export interface ReplayState {
  readonly name: string;
  state: 'RUNNING' | 'COMPLETED' | 'FAILED';
  readonly from: Date;
  readonly to: Date;
  readonly startedAt: Date;
  endedAt?: Date;
  replayed: number;
  /** Archive lines that could not be read (a partly written line after a crash). */
  skipped?: number;
  reason?: string;
}

interface Delivery {
  readonly event: BridgeEvent;
  readonly rule: RoutingRule;
  attempt: number;
}

/**
 * The local event bus: routes each event through the same rules as the deployed bus, archives what
 * it routed, and delivers asynchronously with bounded retries, like an EventBridge rule's target.
 * Events that match no rule are dropped, as EventBridge drops them.
 */
export class LocalEventBus<TOutcome> {
  private readonly queue: Delivery[] = [];
  private running = 0;
  private waitingRetries = new Set<NodeJS.Timeout>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private readonly replays = new Map<string, ReplayState>();
  private archivedCount = 0;

  constructor(private readonly options: LocalEventBusOptions<TOutcome>) {
    mkdirSync(dirname(options.archiveFile), { recursive: true });
  }

  /** Whether the delivery queue is full: the endpoint answers ThrottlingException then. */
  get saturated(): boolean {
    return this.queue.length >= MAX_QUEUED_DELIVERIES;
  }

  /** Routes one event; returns the number of rules it matched (0: dropped). */
  publish(event: BridgeEvent): number {
    if (this.closed) return 0;
    const rules = rulesMatching(event as unknown as Record<string, unknown>, this.options.rules);
    if (rules.length === 0) {
      this.tell(() => this.options.onUnmatched?.(event), 'reporting an unmatched event');
      return 0;
    }
    // Replayed events are not archived again: a replay must not grow the archive it reads.
    if (event['replay-name'] === undefined) this.archive(event);
    for (const rule of rules) this.queue.push({ event, rule, attempt: 0 });
    this.pump();
    return rules.length;
  }

  /**
   * Appends one event to the archive. A failure (disk full, a file in the way) costs that event its
   * replayability, not its delivery nor any other event.
   */
  private archive(event: BridgeEvent): void {
    try {
      appendFileSync(this.options.archiveFile, `${JSON.stringify(event)}\n`);
      this.archivedCount += 1;
    } catch (error) {
      this.options.onBackgroundError?.(
        `could not archive ${event['detail-type']} ${event.id}: ${(error as Error).message}; ` +
          'it is delivered, but a replay will not find it',
      );
    }
  }

  /** Runs a callback whose failure must not stop deliveries. */
  private tell(callback: () => void, what: string): void {
    try {
      callback();
    } catch (error) {
      try {
        this.options.onBackgroundError?.(`${what} failed: ${(error as Error).message}`);
      } catch {
        // Nothing is left to report to.
      }
    }
  }

  /** Events archived since this bus started. */
  get archived(): number {
    return this.archivedCount;
  }

  /** Resolves when no delivery is queued, running or waiting for a retry. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Replays the archived events whose `time` is in [from, to): each is published again with a new
   * id and `replay-name`, and delivered like any other event.
   */
  startReplay(name: string, from: Date, to: Date): ReplayState {
    // Replay names are unique per account and region, whatever state the earlier replay is in.
    if (this.replays.has(name)) throw new Error(`Replay ${name} already exists.`);
    const state: ReplayState = { name, state: 'RUNNING', from, to, startedAt: new Date(), replayed: 0 };
    this.replays.set(name, state);
    this.runReplay(state).then(
      () => {
        state.state = 'COMPLETED';
        state.endedAt = new Date();
      },
      (error: Error) => {
        state.state = 'FAILED';
        state.reason = error.message;
        state.endedAt = new Date();
      },
    );
    return state;
  }

  /** The replay of that name, if one was started. */
  replay(name: string): ReplayState | undefined {
    return this.replays.get(name);
  }

  /**
   * Stops accepting events and drops queued ones; waits up to `graceMs` for deliveries in flight (they
   * take milliseconds; the bound only keeps a hung handler from blocking shutdown forever).
   */
  async close(graceMs = 60_000): Promise<void> {
    this.closed = true;
    for (const timer of this.waitingRetries) clearTimeout(timer);
    this.waitingRetries.clear();
    this.queue.length = 0;
    await Promise.race([this.idle(), sleep(graceMs, { unref: true })]);
  }

  private async runReplay(state: ReplayState): Promise<void> {
    if (!existsSync(this.options.archiveFile)) return;
    const lines = createInterface({
      input: createReadStream(this.options.archiveFile, 'utf8'),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      if (line.trim() === '' || this.closed) continue;
      let event: BridgeEvent;
      try {
        event = JSON.parse(line) as BridgeEvent;
      } catch {
        state.skipped = (state.skipped ?? 0) + 1;
        continue;
      }
      const time = Date.parse(event.time);
      if (time < state.from.getTime() || time >= state.to.getTime()) continue;
      this.publish({ ...event, id: randomUUID(), 'replay-name': state.name });
      state.replayed += 1;
      // Keep memory flat on a large archive: let deliveries catch up before reading further.
      if (this.queue.length > 1000) await this.idle();
    }
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.running === 0 && this.waitingRetries.size === 0;
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 4;
    while (this.running < limit && this.queue.length > 0) {
      const delivery = this.queue.shift() as Delivery;
      this.running += 1;
      this.deliver(delivery).finally(() => {
        this.running -= 1;
        this.pump();
        this.settle();
      });
    }
    this.settle();
  }

  private settle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const { event, rule } = delivery;
    const attempts = this.options.deliveryAttempts ?? 3;
    delivery.attempt += 1;
    let outcome: TOutcome;
    try {
      outcome = await this.withTimeout(() => this.options.target(event, rule));
    } catch (error) {
      if (delivery.attempt < attempts && !this.closed) {
        this.tell(() => this.options.onRetry?.(event, delivery.attempt, error), 'reporting a retry');
        const delay = fullJitterDelay(delivery.attempt, {
          baseDelayMs: this.options.retryBaseMs ?? 200,
          maxDelayMs: MAX_RETRY_DELAY_MS,
        });
        const timer = setTimeout(() => {
          this.waitingRetries.delete(timer);
          this.queue.push(delivery);
          this.pump();
        }, delay);
        this.waitingRetries.add(timer);
        return;
      }
      try {
        await this.options.onGiveUp?.(event, delivery.attempt, error);
      } catch (giveUpError) {
        this.options.onBackgroundError?.(
          `could not keep undelivered ${event['detail-type']} ${event.id}: ${(giveUpError as Error).message}`,
        );
      }
      return;
    }
    this.tell(() => this.options.onDelivered?.(event, outcome), 'reporting a delivery');
  }

  /**
   * Calls the target, counting a synchronous throw, a rejection and a call that outlives the
   * delivery timeout alike as a failed attempt.
   */
  private withTimeout(call: () => Promise<TOutcome>): Promise<TOutcome> {
    const timeoutMs = this.options.deliveryTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    // The call runs under a deadline its DynamoDB requests are held to, as Lambda stops a timed-out
    // invocation: a call abandoned here cannot write after it (a call that never ends, neither).
    const running = withInvocationDeadline(timeoutMs, () => Promise.resolve().then(call));
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the target did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return Promise.race([running, timedOut]).finally(() => clearTimeout(timer));
  }
}
