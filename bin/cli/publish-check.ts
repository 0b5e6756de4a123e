import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DETAIL_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import { InvalidEventError } from '../../lambda/shared/errors.ts';

/**
 * `tpi publish` checks every record before it sends any, with the recording function's own
 * validator (`acceptEvent`): what it refuses here would become a dead letter there, or, with a
 * misspelled detail-type or another source, match no rule and vanish without a trace.
 */

/** Where the stack's recording function listens: only events sent there with its source reach it. */
export interface ExpectedDestination {
  readonly source: string;
  readonly busName: string;
  readonly busArn: string;
}

/** One record the contract refuses: its number and every reason. */
export interface InvalidRecord {
  readonly number: number;
  readonly reasons: readonly string[];
}

/** Edit distance between two short strings (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1)
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length] as number;
}

/** The contract's event type a misspelled name most likely meant, when one is close enough. */
export function closestDetailType(name: string): string | undefined {
  const lower = name.toLowerCase();
  const [best] = DETAIL_TYPES.map((type) => ({ type, d: distance(lower, type.toLowerCase()) })).sort(
    (x, y) => x.d - y.d,
  );
  return best && best.d <= 3 ? best.type : undefined;
}

/** Adds the likely meant event type to the recorder's "not one of the contract's event types". */
function withSuggestion(reason: string, detailType: string): string {
  if (!reason.startsWith('detail-type:')) return reason;
  const meant = closestDetailType(detailType);
  return meant ? `${reason}; did you mean "${meant}"?` : `${reason}: ${DETAIL_TYPES.join(', ')}`;
}

/**
 * Every reason the stack would not record `entry`: sent to another bus, or refused by the recording
 * function's validation (source, detail-type, detail). Empty when it would be recorded.
 */
export function contractProblems(entry: PutEventsRequestEntry, expected: ExpectedDestination): string[] {
  const reasons: string[] = [];
  const bus = entry.EventBusName ?? 'default';
  if (bus !== expected.busName && bus !== expected.busArn)
    reasons.push(`EventBusName: "${bus}" is not the stack's bus "${expected.busName}"`);
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail ?? '');
  } catch (error) {
    return [...reasons, `Detail: not valid JSON (${(error as Error).message})`];
  }
  try {
    acceptEvent(
      { id: 'tpi-publish-check', source: entry.Source, 'detail-type': entry.DetailType, detail },
      expected.source,
    );
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    reasons.push(...error.reasons.map((reason) => withSuggestion(reason, entry.DetailType ?? '')));
  }
  return reasons;
}
