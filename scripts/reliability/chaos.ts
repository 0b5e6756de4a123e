import { randomUUID } from 'node:crypto';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import fc from 'fast-check';
import { entrySize, planRequests } from '../../lambda/publisher/batching.ts';
import { sleep } from '../../lambda/shared/backoff.ts';
import { type AcceptedEvent, acceptEvent } from '../../lambda/shared/contract/events.ts';
import { parseFlag } from '../../lambda/shared/contract/flag.ts';
import { eraseDuringRun, leftoversOf, type PlannedErasure, planErasure } from './chaos-erasure.ts';
import { type ChaosFigures, emptyFigures } from './chaos-figures.ts';
import { type ChaosOptions, type Harness, startHarness } from './chaos-harness.ts';
import {
  admit,
  checkUsers,
  deliveryFailures,
  type ExpectedActivities,
  missingDeadLetters,
} from './chaos-oracle.ts';
import { type Scenario, type ScenarioEvent, type Segment, scenarioArbitrary } from './scenario.ts';

/** Ids carry a placeholder until the run gives them its own prefix (runs share tables). */
const PLACEHOLDER = '§';

function withPrefix(events: readonly ScenarioEvent[], prefix: string): ScenarioEvent[] {
  return JSON.parse(JSON.stringify(events).replaceAll(PLACEHOLDER, prefix)) as ScenarioEvent[];
}

/** Publishes one batch of copies through the endpoint with the real EventBridge client. */
async function publishBatch(h: Harness, events: readonly ScenarioEvent[], copies: readonly number[]) {
  const entries: PutEventsRequestEntry[] = copies.map((i) => ({
    EventBusName: h.stack.busName,
    Source: h.stack.eventSource,
    DetailType: (events[i] as ScenarioEvent).detailType,
    Detail: JSON.stringify((events[i] as ScenarioEvent).detail),
  }));
  for (const request of planRequests(entries, entrySize)) {
    const response = await h.eventBridge.send(new PutEventsCommand({ Entries: request }));
    if (response.FailedEntryCount !== 0)
      throw new Error(`the endpoint refused entries: ${JSON.stringify(response.Entries)}`);
  }
  h.figures.published += entries.length;
}

/** One segment: its flag value, then its batches with overlapping delays, then a consumer crash if planned. */
async function publishSegment(
  h: Harness,
  scenario: Scenario,
  segment: Segment,
  oracle: {
    readonly accepted: readonly (AcceptedEvent | undefined)[];
    readonly expected: ExpectedActivities;
  },
) {
  await h.ssm.send(
    new PutParameterCommand({
      Name: h.stack.flagParameterName,
      Value: segment.flag,
      Type: 'String',
      Overwrite: true,
    }),
  );
  h.figures.flagChanges += 1;
  const flag = parseFlag(segment.flag);
  await Promise.all(
    segment.batches.map(async (batch) => {
      await sleep(batch.delayMs);
      await publishBatch(h, scenario.events, batch.copies);
      admit(oracle.expected, oracle.accepted, batch.copies, flag);
    }),
  );
  await h.stack.settled();
  if (segment.restartConsumer) {
    // Crash and resume from an earlier checkpoint: records already applied come again.
    await h.restartConsumer(scenario.faultSeed);
    h.figures.consumerRestarts += 1;
  }
}

/** Publishes every segment, with an erasure running during one of them in about half the runs. */
async function publishScenario(
  h: Harness,
  scenario: Scenario,
  accepted: readonly (AcceptedEvent | undefined)[],
): Promise<{ expected: ExpectedActivities; erasure: PlannedErasure | undefined }> {
  // The oracle: which (user, key) the flag admitted on at least one delivery of a copy.
  const expected: ExpectedActivities = new Map();
  const users = [...new Set(accepted.flatMap((e) => e?.userIds ?? []))].sort();
  const erasure = planErasure(scenario.faultSeed, users, scenario.segments.length);
  let erasing: Promise<unknown> | undefined;
  for (const [segmentIndex, segment] of scenario.segments.entries()) {
    // The erasure runs while this segment's copies are delivered, as an operator's would.
    if (erasure?.segment === segmentIndex) erasing = eraseDuringRun(h.doc, h.stack.tables, erasure.userId, 0);
    await publishSegment(h, scenario, segment, { accepted, expected });
  }
  await erasing;
  h.figures.duplicates +=
    scenario.segments.reduce((n, s) => n + s.batches.reduce((m, b) => m + b.copies.length, 0), 0) -
    scenario.events.length;
  return { expected, erasure };
}

/** Nothing of an erased user is expected: what was recorded before was deleted, nothing after. */
async function forgetErased(h: Harness, expected: ExpectedActivities, userId: string): Promise<number> {
  for (const [id, activity] of expected) if (activity.userId === userId) expected.delete(id);
  const leftovers = await leftoversOf(h.doc, h.stack.tables, userId);
  h.figures.erasures += 1;
  h.figures.erasedLeftovers += leftovers;
  return leftovers;
}

/** One generated scenario, published under faults and checked against the oracle; true when all held. */
async function runScenario(h: Harness, generated: Scenario, runIndex: number): Promise<boolean> {
  const { figures, stack } = h;
  const events = withPrefix(generated.events, `c${runIndex}x${randomUUID().slice(0, 4)}`);
  const scenario: Scenario = { ...generated, events };
  h.faults.plan = { scenario, writesSeen: new Map(), batchesSeen: new Map() };
  const accepted = events.map((e) =>
    e.invalid
      ? undefined
      : acceptEvent({
          id: 'oracle',
          source: stack.eventSource,
          'detail-type': e.detailType,
          detail: e.detail,
        }),
  );
  figures.runs += 1;
  figures.uniqueEvents += accepted.filter(Boolean).length;
  figures.invalidEvents += events.filter((e) => e.invalid).length;

  const { expected, erasure } = await publishScenario(h, scenario, accepted);
  await stack.settled();
  await h.waitUntilIdle();
  const leftovers = erasure ? await forgetErased(h, expected, erasure.userId) : 0;
  figures.expectedActivities += expected.size;

  const users = [...new Set(accepted.flatMap((e) => e?.userIds ?? []))];
  const readers = {
    doc: h.doc,
    reader: h.reader,
    activitiesTable: stack.tables.activities,
    statsTable: stack.tables.stats,
    log: h.log,
  };
  const { losses, doubles, mismatches, games } = await checkUsers(readers, users, expected);
  figures.usersChecked += users.length;
  figures.gameStatisticsChecked += games;
  const deadLetters = { eventSource: stack.eventSource, deadLettersTable: stack.tables.deadLetters };
  const missing = await missingDeadLetters(h.doc, deadLetters, events, erasure?.userId);
  figures.givenUp += await deliveryFailures(h.doc, stack.tables.deadLetters);
  figures.losses += losses;
  figures.doubles += doubles;
  figures.statsMismatches += mismatches;
  figures.missingDeadLetters += missing;
  h.log(
    `run ${runIndex}: ${events.length} actions, ${expected.size} activities for ${users.length} users, ` +
      `flags ${scenario.segments.map((s) => s.flag).join('→')}, losses ${losses}, doubles ${doubles}, ` +
      `mismatches ${mismatches}, missing dead letters ${missing}, given up ${figures.givenUp}, ` +
      `erased ${erasure ? erasure.userId : 'nobody'} leftovers ${leftovers}`,
  );
  return losses + doubles + mismatches + missing + figures.givenUp + leftovers === 0;
}

/**
 * Runs the chaos property: for each generated scenario, publishes every copy through the local
 * endpoint with the real EventBridge client, with faults in recording and statistics and consumer
 * restarts, then checks the tables against the contract's oracle. Returns the figures; the caller
 * asserts that losses, doubles and mismatches are zero (fast-check also fails the property on the
 * first run where they are not).
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosFigures> {
  const figures = emptyFigures();
  const started = Date.now();
  const h = await startHarness(options, figures);
  let runIndex = 0;
  const property = fc.asyncProperty(scenarioArbitrary(PLACEHOLDER), (generated) =>
    runScenario(h, generated, ++runIndex),
  );
  try {
    await fc.assert(property, { seed: options.seed, numRuns: options.runs, endOnFailure: true });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nlast stack lines:\n${h.stackLog.slice(-20).join('\n')}`, {
      cause: error,
    });
  } finally {
    h.faults.plan = undefined;
    figures.durationMs = Date.now() - started;
    await h.close();
  }
  return figures;
}
