/**
 * `npm run demo`: starts a throwaway local stack, plays two tournaments in two games through the
 * real EventBridge client (with the retries a real publisher makes), waits for the statistics,
 * prints each player's feed, their statistics with streaks and recent form overall and per game,
 * and stops. `npm run demo -- --endpoint URL` plays into the stack `npm start` runs there instead,
 * so that `tpi` and the read API can explore the data afterwards.
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

/** Prints `rows` under `header` as aligned columns. */
function table(title: string, header: readonly string[], rows: readonly (readonly unknown[])[]): void {
  const cells = rows.map((row) => row.map((cell) => String(cell ?? '-')));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  say(`\n${title}\n  ${line(header)}\n  ${widths.map((w) => '─'.repeat(w)).join('  ')}`);
  for (const row of cells) say(`  ${line(row)}`);
  if (cells.length === 0) say('  (none)');
}

/** Streaks and recent form as the tables show them: the last results newest first, `-` for none. */
const form = (s: {
  currentWinStreak: number;
  longestWinStreak: number;
  recentResults: readonly string[];
}) => [s.currentWinStreak, s.longestWinStreak, s.recentResults.join(' ') || '-'];

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
  // Two tournaments in two games: the cup is played in valorant, the night in efootball.
  const CUP = { tournamentId: 'spring-cup', gameId: 'valorant' };
  const NIGHT = { tournamentId: 'efootball-night', gameId: 'efootball' };
  const players = ['alice', 'bob', 'carol', 'dave'];
  const at = (day: number, hour: number, minute = 0) =>
    new Date(Date.UTC(2026, 4, day, hour, minute)).toISOString();
  const event = (detailType: string, detail: Record<string, unknown>, tournament = CUP) => ({
    Source: stack.eventSource,
    DetailType: detailType,
    Detail: JSON.stringify({ ...tournament, ...detail }),
    EventBusName: stack.busName,
  });
  /** A finalized match of the night: `winner` or a draw, at 5 May `hour:minute`. */
  const nightMatch = (
    matchId: string,
    a: string,
    b: string,
    winner: string | 'draw',
    time: [number, number],
  ) =>
    event(
      'MatchFinalized',
      {
        occurredAt: at(5, time[0], time[1]),
        matchId,
        resolution: 'completed',
        participantUserIds: [a, b],
        winnerUserIds: winner === 'draw' ? [] : [winner],
        ...(winner === 'draw' ? { isDraw: true } : {}),
      },
      NIGHT,
    );
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
    [
      'efootball night: bob wins three in a row, carol and dave draw, alice beats carol',
      [
        nightMatch('night-1', 'alice', 'bob', 'bob', [10, 0]),
        nightMatch('night-3', 'bob', 'carol', 'bob', [11, 0]),
        nightMatch('night-4', 'carol', 'dave', 'draw', [11, 30]),
        nightMatch('night-5', 'bob', 'dave', 'bob', [12, 0]),
        nightMatch('night-6', 'alice', 'carol', 'alice', [12, 30]),
      ],
    ],
    [
      "a result from 10:30 arrives last: dave beat bob, and bob's streak of three is two since",
      [
        nightMatch('night-2', 'bob', 'dave', 'dave', [10, 30]),
        event(
          'TournamentCompleted',
          { occurredAt: at(5, 14), participantUserIds: players, winnerUserIds: ['bob'] },
          NIGHT,
        ),
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

  const overall = await Promise.all([...players, 'erin'].map((p) => reader.stats(p)));
  table(
    'Statistics over both games',
    [
      'user',
      'played',
      'won',
      'lost',
      'drawn',
      'win rate',
      'streak',
      'longest',
      'recent',
      'tourn.',
      't. won',
      'activities',
      'last activity',
    ],
    overall.map((s) => [
      s.userId,
      s.matchesPlayed,
      s.matchesWon,
      s.matchesLost,
      s.matchesDrawn,
      `${Math.round(s.winRate * 100)}%`,
      ...form(s),
      s.tournamentsPlayed,
      s.tournamentsWon,
      s.activityCount,
      s.lastActivityAt,
    ]),
  );
  const perGame = await Promise.all(players.map((p) => reader.games(p)));
  table(
    'Per game (streak: wins at the end; recent: the last five, newest first)',
    [
      'user',
      'game',
      'played',
      'won',
      'lost',
      'drawn',
      'win rate',
      'streak',
      'longest',
      'recent',
      'tourn.',
      't. won',
    ],
    perGame.flatMap(({ items }) =>
      items.map((g) => [
        g.userId,
        g.gameId,
        g.matchesPlayed,
        g.matchesWon,
        g.matchesLost,
        g.matchesDrawn,
        `${Math.round(g.winRate * 100)}%`,
        ...form(g),
        g.tournamentsPlayed,
        g.tournamentsWon,
      ]),
    ),
  );
  say(
    "\ncarol won the valorant cup after the overturned semi-final, bob the efootball night; the late result\nmoved bob's streak where it belongs, and the resent events changed nothing.",
  );
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
