/**
 * `npm run demo`: starts a throwaway local stack, plays one tournament through the real EventBridge
 * client (with the retries a real publisher makes), waits for the statistics, prints each player's
 * feed and a statistics table, and stops. `npm run demo -- --endpoint URL` plays into the stack
 * `npm start` runs there instead, so that `tpi` and the read API can explore the data afterwards.
 */
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({ options: { endpoint: { type: 'string' } }, strict: true });

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { EventBridgeClient } = await import('@aws-sdk/client-eventbridge');
const { demoStack } = await import('./demo-stack.ts');
const { LOCAL_AWS } = await import('../local/clients.ts');
const { ProfileReader } = await import('../lambda/read-api/adapters/profile-reader.ts');
const { putEntries } = await import('./cli/publishing.ts');

const SETTLE_TIMEOUT_MS = 30_000;
const say = (line = '') => process.stdout.write(`${line}\n`);

say(
  options.endpoint
    ? `playing into the stack at ${options.endpoint}…`
    : 'starting a local stack on free ports…',
);
const stack = await demoStack(options.endpoint, (line) => say(`  ${line}`)).catch((error: Error) => {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exit(1);
});
const bus = new EventBridgeClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
let exitCode = 0;
try {
  const T = 'spring-cup';
  const players = ['alice', 'bob', 'carol', 'dave'];
  const at = (day: number, hour: number, minute = 0) =>
    new Date(Date.UTC(2026, 4, day, hour, minute)).toISOString();
  const event = (detailType: string, detail: Record<string, unknown>) => ({
    Source: stack.eventSource,
    DetailType: detailType,
    Detail: JSON.stringify({ tournamentId: T, ...detail }),
    EventBusName: stack.busName,
  });
  const match = (matchId: string, a: string, b: string, winner: string, time: [number, number]) => [
    event('MatchResultSubmitted', {
      occurredAt: at(time[0], time[1], 30),
      matchId,
      submittedByUserId: a,
      participantUserIds: [a, b],
    }),
    event('MatchResultSubmitted', {
      occurredAt: at(time[0], time[1], 31),
      matchId,
      submittedByUserId: b,
      participantUserIds: [a, b],
    }),
    event('MatchFinalized', {
      occurredAt: at(time[0], time[1], 45),
      matchId,
      resolution: 'completed',
      participantUserIds: [a, b],
      winnerUserIds: [winner],
    }),
  ];

  const chapters: [string, ReturnType<typeof event>[]][] = [
    [
      'registrations (erin is rejected)',
      [
        ...players.map((p, i) =>
          event('RegistrationStatusChanged', {
            occurredAt: at(1, 9, i),
            registrationId: `reg-${p}`,
            status: 'approved',
            userIds: [p],
          }),
        ),
        event('RegistrationStatusChanged', {
          occurredAt: at(1, 9, 5),
          registrationId: 'reg-erin',
          status: 'rejected',
          userIds: ['erin'],
        }),
      ],
    ],
    [
      "payments (dave's first card is declined, the second goes through)",
      [
        ...['alice', 'bob', 'carol'].map((p) =>
          event('PaymentStatusChanged', {
            occurredAt: at(1, 10),
            paymentId: `pay-${p}`,
            registrationId: `reg-${p}`,
            status: 'verified',
            userIds: [p],
          }),
        ),
        event('PaymentStatusChanged', {
          occurredAt: at(1, 10, 1),
          paymentId: 'pay-dave-1',
          registrationId: 'reg-dave',
          status: 'rejected',
          userIds: ['dave'],
        }),
        event('PaymentStatusChanged', {
          occurredAt: at(1, 10, 7),
          paymentId: 'pay-dave-2',
          registrationId: 'reg-dave',
          status: 'verified',
          userIds: ['dave'],
        }),
      ],
    ],
    [
      'check-ins (carol checks out and back in: one revision per toggle)',
      [
        ...players.map((p) =>
          event('CheckInToggled', {
            occurredAt: at(2, 8),
            registrationId: `reg-${p}`,
            checkedIn: true,
            userIds: [p],
            revision: 0,
          }),
        ),
        event('CheckInToggled', {
          occurredAt: at(2, 8, 10),
          registrationId: 'reg-carol',
          checkedIn: false,
          userIds: ['carol'],
          revision: 1,
        }),
        event('CheckInToggled', {
          occurredAt: at(2, 8, 20),
          registrationId: 'reg-carol',
          checkedIn: true,
          userIds: ['carol'],
          revision: 2,
        }),
      ],
    ],
    ['semi-final 1: alice beats bob (both report)', match('semi-1', 'alice', 'bob', 'alice', [2, 10])],
    ['semi-final 2: dave is first declared the winner', match('semi-2', 'carol', 'dave', 'dave', [2, 11])],
    [
      'carol disputes semi-final 2; the dispute is upheld and the result overturned',
      [
        event('DisputeOpened', {
          occurredAt: at(2, 12),
          disputeId: 'dispute-1',
          matchId: 'semi-2',
          openedByUserId: 'carol',
          participantUserIds: ['carol', 'dave'],
        }),
        event('DisputeResolved', {
          occurredAt: at(2, 13),
          disputeId: 'dispute-1',
          matchId: 'semi-2',
          resolution: 'upheld',
          participantUserIds: ['carol', 'dave'],
        }),
        event('MatchFinalized', {
          occurredAt: at(2, 13, 5),
          matchId: 'semi-2',
          resolution: 'dispute_resolved',
          participantUserIds: ['carol', 'dave'],
          winnerUserIds: ['carol'],
        }),
      ],
    ],
    ['final: carol beats alice', match('final', 'alice', 'carol', 'carol', [3, 15])],
    [
      'the tournament is completed',
      [
        event('TournamentCompleted', {
          occurredAt: at(3, 18),
          participantUserIds: players,
          winnerUserIds: ['carol'],
        }),
      ],
    ],
  ];

  let sent = 0;
  const all: ReturnType<typeof event>[] = [];
  for (const [title, entries] of chapters) {
    say(`\n▶ ${title}`);
    const refused = (await putEntries(bus, entries)).filter((r) => !r.ok);
    if (refused.length > 0) throw new Error(`the bus refused events: ${JSON.stringify(refused)}`);
    sent += entries.length;
    all.push(...entries);
    await stack.settled();
  }
  say('\n▶ a publisher retry sends the registrations and the final again (nothing may double)');
  const resend = [...(chapters[0]?.[1] ?? []), ...(chapters[6]?.[1] ?? [])];
  await putEntries(bus, resend);
  sent += resend.length;

  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    stack.settled(),
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`statistics did not catch up within ${SETTLE_TIMEOUT_MS / 1000}s`)),
        SETTLE_TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));

  const reader = new ProfileReader(stack.doc, {
    activities: stack.tables.activities,
    stats: stack.tables.stats,
  });
  say(`\n${sent} events sent (${all.length} distinct). Feeds, newest first:`);
  for (const player of [...players, 'erin']) {
    const page = await reader.feed(player, { limit: 50 });
    say(`\n  ${player}`);
    for (const item of page.items)
      say(`    ${item.occurredAt.slice(0, 16).replace('T', ' ')}  ${item.activityType}`);
  }

  const rows = await Promise.all([...players, 'erin'].map((p) => reader.stats(p)));
  const header = [
    'user',
    'played',
    'won',
    'lost',
    'drawn',
    'win rate',
    'tourn.',
    't. won',
    'activities',
    'last activity',
  ];
  const table = rows.map((s) => [
    s.userId,
    s.matchesPlayed,
    s.matchesWon,
    s.matchesLost,
    s.matchesDrawn,
    `${Math.round(s.winRate * 100)}%`,
    s.tournamentsPlayed,
    s.tournamentsWon,
    s.activityCount,
    s.lastActivityAt ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => String(r[i]).length)));
  const line = (cells: unknown[]) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  say(`\nStatistics\n  ${line(header)}\n  ${widths.map((w) => '─'.repeat(w)).join('  ')}`);
  for (const row of table) say(`  ${line(row)}`);
  say('\ncarol won the cup after the overturned semi-final; the resent events changed nothing.');
  if (options.endpoint)
    say(`\nThe events stay in that stack: npx tpi feed alice --endpoint ${stack.endpoint}, or its read API.`);
} catch (error) {
  process.stderr.write(`demo failed: ${(error as Error).message}\n`);
  exitCode = 1;
} finally {
  bus.destroy();
  await stack.stop();
}
process.exit(exitCode);
