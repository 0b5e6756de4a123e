import { createInterface } from 'node:readline/promises';
import { DynamoErasureStore } from '../../lambda/erasure/adapters/erasure-store.ts';
import {
  type EraseProgress,
  type EraseReport,
  eraseUser,
  liftErasure,
} from '../../lambda/erasure/application/erase-user.ts';

import { ID_PATTERN } from '../../lambda/shared/contract/keys.ts';
import { ERASED_KINDS, type RemovedCounts } from '../../lambda/shared/erased-users.ts';
import { asJson, type Command, type Io, JSON_OPTION, write } from './command-line.ts';
import { UsageError } from './errors.ts';

const describeCounts = (removed: RemovedCounts) =>
  ERASED_KINDS.map((kind) => `${removed[kind]} ${kind}`).join(', ');

function progressLine(progress: EraseProgress): string {
  if (progress.phase === 'waiting')
    return `waiting ${Math.ceil((progress.waitMs ?? 0) / 1000)}s for every function to see the erasure record`;
  return `${progress.phase.padEnd(12)} removed so far: ${describeCounts(progress.removed)}`;
}

async function confirmed(io: Io, userId: string, undo: boolean): Promise<boolean> {
  const question = undo
    ? `Lift the erasure of user ${userId}? Events published or replayed from now on are recorded again. [y/N] `
    : `Erase every activity, statistic and dead letter of user ${userId}? This cannot be undone. [y/N] `;
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function userIdOf(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError('expected exactly one USER');
  const userId = positionals[0] as string;
  if (!ID_PATTERN.test(userId))
    throw new UsageError(`"${userId}" is not a user id (1-64 characters of A-Z a-z 0-9 _ . -)`);
  return userId;
}

/** `tpi erase`: erases a user, or lifts a mistaken erasure with `--undo`. */
export const eraseCommand: Command = {
  summary: "erase a user's activities, statistics and dead letters for good (--undo lifts it)",
  usage: `tpi erase USER [--yes] [--batch-size N] [--json]
tpi erase USER --undo [--yes] [--json]

Writes an erasure record first (recording and statistics skip the user from then on), waits until
every function has seen it (ErasureSettleSeconds of the stack), then deletes the user's activities
(the feed index with them), statistics, slots, markers and the dead letters naming only them, in
batches with progress on stderr. Interrupted, run it again: it resumes. Prints what it removed by
kind and the dead letters kept because they name other users too.
  --yes            do not ask for confirmation (required when stdin is not a terminal)
  --undo           lift the erasure record, and wait until every function has seen that: events
                   published or replayed once it returns are recorded
  --batch-size N   items per read and delete (1-25, default 25)`,
  options: {
    ...JSON_OPTION,
    yes: { type: 'boolean' },
    undo: { type: 'boolean' },
    'batch-size': { type: 'string' },
  },
  async run(connect, positionals, values, io) {
    const userId = userIdOf(positionals);
    const batchSize = values['batch-size'] === undefined ? 25 : Number(values['batch-size']);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 25)
      throw new UsageError(`--batch-size must be a whole number from 1 to 25, got "${values['batch-size']}"`);
    const undo = values.undo === true;
    if (values.yes !== true) {
      if (!(io.stdin as { isTTY?: boolean }).isTTY)
        throw new UsageError('confirm with --yes when standard input is not a terminal');
      if (!(await confirmed(io, userId, undo))) {
        io.stderr.write('nothing done\n');
        return 1;
      }
    }
    const target = await connect();
    const store = new DynamoErasureStore(target.doc, target.tables);
    if (target.erasureSettleSeconds === undefined)
      throw new Error(
        `${target.label} does not say how long an erasure must wait (no ErasureSettleSeconds output): deploy the current version of the stack`,
      );
    const settleMs = target.erasureSettleSeconds * 1000;
    if (undo) {
      const lifted = await liftErasure(store, userId, {
        settleMs,
        onWaiting: (left) =>
          io.stderr.write(`waiting ${Math.ceil(left / 1000)}s for every function to see the undo\n`),
      });
      if (values.json) asJson(io, { userId, lifted });
      else
        write(
          io,
          lifted
            ? `erasure of ${userId} lifted: events published or replayed from now on are recorded again`
            : `${userId} has no erasure record: nothing to lift`,
        );
      return lifted ? 0 : 1;
    }
    const report = await eraseUser(store, userId, {
      batchSize,
      settleMs,
      onProgress: (progress) => io.stderr.write(`${progressLine(progress)}\n`),
    });
    if (values.json) asJson(io, report);
    else write(io, summary(report));
    return 0;
  },
};

function summary(report: EraseReport): string {
  const lines = [
    `${report.userId} erased${report.resumed ? ' (resumed)' : ''}: removed ${describeCounts(report.removed)}`,
  ];
  if (report.keptDeadLetters.length > 0)
    lines.push(
      `kept ${report.keptDeadLetters.length} dead letters that name other users too: ${report.keptDeadLetters.join(', ')}`,
    );
  return lines.join('\n');
}
