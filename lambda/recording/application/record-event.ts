import { forEachLimit } from '../../shared/concurrency.ts';

import { type DeadLetterWriter, deadLetterFor, usersNamedBy } from '../../shared/contract/dead-letter.ts';
import { type AcceptedEvent, acceptEvent } from '../../shared/contract/events.ts';
import { type FlagSetting, isUserIncluded } from '../../shared/contract/flag.ts';
import type { ErasedUsers } from '../../shared/erased-users.ts';
import { InvalidEventError } from '../../shared/errors.ts';
import { activityFor, isSameAction } from '../domain/activities.ts';
import type { ActivityWriter, FlagReader } from './ports.ts';

/** What recording needs from the outside world. */
export interface RecordDependencies {
  readonly activities: ActivityWriter;
  readonly flag: FlagReader;
  /** Erased users: skipped before the flag is asked about them. @default none */
  readonly erased?: ErasedUsers | undefined;
  readonly deadLetters: DeadLetterWriter;
  /** The only accepted EventBridge `source`. */
  readonly eventSource: string;
  /** Conditional puts in flight at once for one event (events can name up to 1,000 users). */
  readonly writeConcurrency?: number;
  readonly now?: () => Date;
  /**
   * Told once per event with at least one user the flag includes, before its writes, so an event
   * that then fails counts too (`IncludedEvents`, the error rate's denominator). @default nothing
   */
  readonly onIncluded?: (() => void) | undefined;
}

/** A publisher reused a key for a different action: nothing was overwritten. */
export interface Conflict {
  readonly userId: string;
  readonly storedHash: string | undefined;
  readonly incomingHash: string;
}

/** The outcome of one event. */
export type RecordOutcome =
  | {
      readonly status: 'invalid';
      readonly eventId: string | undefined;
      readonly deadLetterId: string;
      readonly reasons: readonly string[];
      /** Not stored: every user the event names is erased (a replay must not bring them back). */
      readonly erasedOnly?: boolean;
    }
  | {
      readonly status: 'processed';
      readonly event: AcceptedEvent;
      readonly flag: FlagSetting;
      readonly recorded: readonly string[];
      readonly duplicates: readonly string[];
      readonly conflicts: readonly Conflict[];
      readonly skipped: readonly string[];
      /** Users skipped because they are erased (counted apart from the flag's skips). */
      readonly erased: readonly string[];
    };

const DEFAULT_WRITE_CONCURRENCY = 32;

/**
 * Records one EventBridge event: one conditional put per affected user the flag includes.
 * An invalid event records nothing and is stored as a dead letter (then acknowledged: retrying
 * cannot fix it). Storage and flag faults propagate so the event is retried; that is safe because
 * every put is idempotent.
 */
export async function recordEvent(raw: unknown, deps: RecordDependencies): Promise<RecordOutcome> {
  const now = deps.now ?? (() => new Date());
  let event: AcceptedEvent;
  try {
    event = acceptEvent(raw, deps.eventSource);
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    const deadLetter = deadLetterFor(raw, 'invalid', error.reasons, now());
    if (await namesOnlyErased(raw, deps))
      return {
        status: 'invalid',
        eventId: deadLetter.eventId,
        deadLetterId: deadLetter.deadLetterId,
        reasons: error.reasons,
        erasedOnly: true,
      };
    await deps.deadLetters.put(deadLetter);
    return {
      status: 'invalid',
      eventId: deadLetter.eventId,
      deadLetterId: deadLetter.deadLetterId,
      reasons: error.reasons,
    };
  }

  const [flag, erasedSet] = await Promise.all([
    deps.flag.current(),
    deps.erased ? deps.erased.current() : new Set<string>(),
  ]);
  const included: string[] = [];
  const skipped: string[] = [];
  const erased: string[] = [];
  for (const userId of event.userIds) {
    if (erasedSet.has(userId)) erased.push(userId);
    else (isUserIncluded(flag, userId) ? included : skipped).push(userId);
  }

  if (included.length > 0) deps.onIncluded?.();
  const recorded: string[] = [];
  const duplicates: string[] = [];
  const conflicts: Conflict[] = [];
  const recordedAt = now();
  await forEachLimit(included, deps.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY, async (userId) => {
    const result = await deps.activities.putIfAbsent(activityFor(event, userId, recordedAt));
    if (result.written) recorded.push(userId);
    else if (isSameAction(event, result.existing)) duplicates.push(userId);
    else conflicts.push({ userId, storedHash: result.existing.payloadHash, incomingHash: event.payloadHash });
  });
  return { status: 'processed', event, flag, recorded, duplicates, conflicts, skipped, erased };
}

async function namesOnlyErased(raw: unknown, deps: RecordDependencies): Promise<boolean> {
  if (!deps.erased) return false;
  const named = usersNamedBy(raw);
  if (named.size === 0) return false;
  const erased = await deps.erased.current();
  return [...named].every((userId) => erased.has(userId));
}
