import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { sendEntries } from '../../lambda/publisher/send.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { LOCAL_BUS } from '../../local/endpoint.ts';
import { startLocalStack } from '../../local/stack.ts';
import { benchClient } from '../lib/local.ts';
import { progress } from '../lib/progress.ts';
import { perSecond } from '../lib/stats.ts';
import { singleUserEvents } from '../lib/workload.ts';

/** Results of the end-to-end run. */
export interface EndToEndResult {
  readonly events: number;
  readonly distinctActions: number;
  readonly duplicates: number;
  readonly ms: number;
  /** Published events per second, from the first PutEvents until the statistics caught up. */
  readonly eventsPerSecond: number;
  /** Activities found in the table afterwards (must equal `distinctActions`). */
  readonly activitiesRecorded: number;
  readonly putEventsRequests: number;
}

/**
 * A season as publishers send it: distinct actions, with `duplicateShare` of them sent a second
 * time (retries, double hooks) at a later point of the stream.
 */
export function season(
  count: number,
  duplicateShare: number,
): { entries: PutEventsRequestEntry[]; distinct: number } {
  const duplicates = Math.round(count * duplicateShare);
  const distinct = count - duplicates;
  const events = singleUserEvents({ count: distinct, runId: 'season' });
  const entries: PutEventsRequestEntry[] = events.map((e) => ({
    EventBusName: LOCAL_BUS.busName,
    Source: e.source,
    DetailType: e['detail-type'],
    Detail: JSON.stringify(e.detail),
  }));
  // Every (distinct / duplicates)-th action is sent again a little later, interleaved with new ones.
  const step = distinct / Math.max(1, duplicates);
  const out: PutEventsRequestEntry[] = [];
  let nextDuplicate = 0;
  entries.forEach((entry, i) => {
    out.push(entry);
    while (nextDuplicate < duplicates && Math.floor(nextDuplicate * step) + 50 <= i) {
      out.push(entries[Math.floor(nextDuplicate * step)] as PutEventsRequestEntry);
      nextDuplicate += 1;
    }
  });
  while (nextDuplicate < duplicates)
    out.push(entries[Math.floor(nextDuplicate++ * step)] as PutEventsRequestEntry);
  return { entries: out, distinct };
}

/**
 * Measures 4: a season published with PutEvents to the local stack's endpoint, through routing,
 * recording, the activity stream and the statistics projector, until the statistics caught up.
 */
export async function runEndToEnd(dynamodbEndpoint: string, count: number): Promise<EndToEndResult> {
  const { entries, distinct } = season(count, 0.1);
  const stack = await startLocalStack({ port: 0, dynamodbEndpoint, tablePrefix: 'bench-e2e-', flag: 'on' });
  const bridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
  let requests = 0;
  try {
    progress(`end to end: publishing ${entries.length} events (${entries.length - distinct} duplicates)`);
    const start = performance.now();
    // Sent as the publisher sends: packed requests, 8 in flight, only failed entries resent.
    const sent = await sendEntries(
      entries.map((e) => ({ ...e, EventBusName: stack.busName })),
      { client: bridge, maxAttempts: 6, backoff: { baseDelayMs: 50, maxDelayMs: 1000 }, concurrency: 8 },
    );
    requests = sent.requests;
    const refused = sent.outcomes.filter((o) => !o.ok).length;
    if (refused > 0) throw new Error(`PutEvents kept failing entries: ${refused} not accepted`);
    progress('end to end: all events accepted; waiting for recording and statistics to catch up');
    await stack.settled();
    const ms = performance.now() - start;
    const dynamo = benchClient(dynamodbEndpoint);
    let recorded = 0;
    let ExclusiveStartKey: Record<string, never> | undefined;
    do {
      const page = await dynamo.send(
        new ScanCommand({ TableName: stack.tables.activities, Select: 'COUNT', ExclusiveStartKey }),
      );
      recorded += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (ExclusiveStartKey);
    dynamo.destroy();
    return {
      events: entries.length,
      distinctActions: distinct,
      duplicates: entries.length - distinct,
      ms,
      eventsPerSecond: perSecond(entries.length, ms),
      activitiesRecorded: recorded,
      putEventsRequests: requests,
    };
  } finally {
    bridge.destroy();
    await stack.stop();
  }
}
