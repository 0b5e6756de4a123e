import { DescribeArchiveCommand } from '@aws-sdk/client-eventbridge';
import {
  deadLetterPage,
  deleteDeadLetterIfUnchanged,
  getDeadLetter,
} from '../../lambda/shared/aws/dead-letters.ts';
import type { PageKey } from '../../lambda/shared/aws/paging.ts';
import { type DeadLetter, replayWindowOf } from '../../lambda/shared/contract/dead-letter.ts';
import type { Target } from './target.ts';

/**
 * `tpi dead-letters discard`: deletes dead letters an operator has judged, and only them. The
 * event itself is never deleted: every event that reached the bus is in the bus archive, which
 * keeps it for its retention (`archiveRetentionDays`, 30 by default; locally as long as the data
 * folder). Each result says whether the archive still holds the event and how to replay it.
 */

/** Which dead letters to discard: one by id, or every `invalid` one stored before a time. */
export type DiscardSelection =
  | { readonly id: string }
  | { readonly allInvalid: true; readonly storedBefore?: Date | undefined };

/** What became of one dead letter, and where its event still is. */
export interface DiscardResult {
  readonly deadLetterId: string;
  readonly kind: DeadLetter['kind'];
  readonly detailType?: string | undefined;
  readonly storedAt: string;
  /** `discarded`, or `kept` when the same event was stored again while this ran (it failed again). */
  readonly status: 'discarded' | 'kept';
  /** The archive window holding the event: `tpi replay --from <from> --to <to>` brings it back. */
  readonly replay: { readonly from: string; readonly to: string };
  /** Until when the archive keeps the event; `null` when it keeps it indefinitely. */
  readonly archivedUntil: string | null;
}

/** The archive's retention in days, 0 for indefinitely (EventBridge's `RetentionDays` convention). */
async function archiveRetentionDays(target: Target): Promise<number> {
  const archive = await target.eventBridge.send(
    new DescribeArchiveCommand({ ArchiveName: target.archiveName }),
  );
  return archive.RetentionDays ?? 0;
}

/** The dead letters a selection names, oldest first. */
async function selected(target: Target, selection: DiscardSelection): Promise<DeadLetter[]> {
  const table = target.tables.deadLetters;
  if ('id' in selection) {
    const letter = await getDeadLetter(target.doc, table, selection.id);
    if (!letter) throw new Error(`no dead letter ${selection.id}: list them with \`tpi dead-letters list\``);
    return [letter];
  }
  const before = selection.storedBefore?.toISOString();
  const letters: DeadLetter[] = [];
  let start: PageKey | undefined;
  do {
    const page = await deadLetterPage(target.doc, table, { limit: 100, start });
    for (const letter of page.items)
      if (letter.kind === 'invalid' && (before === undefined || letter.storedAt < before))
        letters.push(letter);
    start = page.next;
  } while (start);
  return letters.sort((a, b) => a.storedAt.localeCompare(b.storedAt));
}

/**
 * Deletes the selected dead letters, each only if it was not stored again since it was read (the
 * same event failing again while this runs keeps its dead letter), and says for each where its
 * event still is.
 */
export async function discardDeadLetters(
  target: Target,
  selection: DiscardSelection,
): Promise<DiscardResult[]> {
  const letters = await selected(target, selection);
  if (letters.length === 0) return [];
  const retentionDays = await archiveRetentionDays(target);
  const results: DiscardResult[] = [];
  for (const letter of letters) {
    const deleted = await deleteDeadLetterIfUnchanged(target.doc, target.tables.deadLetters, letter);
    const replay = replayWindowOf(letter);
    const archivedUntil =
      retentionDays > 0 ? new Date(Date.parse(replay.from) + retentionDays * 86_400_000).toISOString() : null;
    results.push({
      deadLetterId: letter.deadLetterId,
      kind: letter.kind,
      detailType: letter.detailType,
      storedAt: letter.storedAt,
      status: deleted ? 'discarded' : 'kept',
      replay,
      archivedUntil,
    });
  }
  return results;
}

/** One line per result, saying where the event is now. */
export function describeDiscard(result: DiscardResult, now = new Date()): string {
  const head = `${result.status.padEnd(9)} ${result.deadLetterId}  ${result.detailType ?? '-'}  stored ${result.storedAt}`;
  if (result.status === 'kept')
    return `${head}\n    stored again while discarding (the event failed again): kept`;
  const replay = `tpi replay --from ${result.replay.from} --to ${result.replay.to}`;
  if (result.archivedUntil === null) return `${head}\n    the event stays in the bus archive: ${replay}`;
  if (Date.parse(result.archivedUntil) > now.getTime())
    return `${head}\n    the event stays in the bus archive until ${result.archivedUntil}: ${replay}`;
  return `${head}\n    the archive kept the event until ${result.archivedUntil}: no copy is left`;
}
