/**
 * Runs one N-event recording in its own Node process and prints its peak RSS as JSON, so the
 * figure covers only that run. Mode `ours` goes through the recording handler, mode `raw` issues the
 * bare conditional puts of the same activities (the reference).
 * Arguments: endpoint, mode, events, concurrency.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { activityFor } from '../../lambda/recording/domain/activities.ts';
import { createRecordHandler } from '../../lambda/recording/handler.ts';
import { recordingDependencies } from '../../lambda/recording/wiring.ts';
import { forEachLimit } from '../../lambda/shared/concurrency.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import { parseFlag } from '../../lambda/shared/contract/flag.ts';
import { countedClient, freshTables } from '../lib/local.ts';
import { singleUserEvents } from '../lib/workload.ts';

const [endpoint, mode, events, concurrency] = process.argv.slice(2);
if (!endpoint || (mode !== 'ours' && mode !== 'raw'))
  throw new Error('usage: recording-memory <endpoint> <ours|raw> <events> <concurrency>');

const db = countedClient(endpoint);
const tables = await freshTables(db.client, `mem-${mode}-${process.pid}`);
const work = singleUserEvents({ count: Number(events), runId: `mem-${mode}` });
const setting = parseFlag('on');
const handler = createRecordHandler(
  recordingDependencies({
    client: db.doc,
    tables: tables,
    flag: { current: async () => setting },
  }),
);
const recordedAt = new Date();
const run =
  mode === 'ours'
    ? (i: number) => handler(work[i])
    : (i: number) => {
        const accepted = acceptEvent(work[i]);
        const Item = activityFor(accepted, accepted.userIds[0] as string, recordedAt);
        return db.doc.send(
          new PutCommand({
            TableName: tables.activities,
            Item,
            ConditionExpression: 'attribute_not_exists(#userId)',
            ExpressionAttributeNames: { '#userId': 'userId' },
          }),
        );
      };

const rssBefore = process.memoryUsage().rss;
const start = performance.now();
await forEachLimit(
  work.map((_, i) => i),
  Number(concurrency),
  async (i) => {
    await run(i);
  },
);
const ms = performance.now() - start;
process.stdout.write(
  JSON.stringify({
    mode,
    events: work.length,
    ms,
    rssBeforeBytes: rssBefore,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    requests: db.counter.counts.total,
  }),
);
