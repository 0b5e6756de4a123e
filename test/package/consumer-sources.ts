/** What the fresh projects of pack.test.ts run and type-check. */

/**
 * A service that publishes and reads with the client package, in plain Node ESM: no TypeScript, no
 * loader. Publishing takes its endpoint, region and credentials from the environment, as the AWS
 * SDK does (AWS_ENDPOINT_URL_EVENTBRIDGE points it at the local stack); reading signs with the
 * SDK's default credential chain. Arguments: API URL, match id, winner, loser.
 */
export const CLIENT_MJS = `
import { createRequire } from 'node:module';
import * as everything from 'tournament-profile-client';
import { DETAIL_TYPES, TournamentEventPublisher } from 'tournament-profile-client/publisher';
import { defaultCredentials, ProfileApiError, ProfileClient } from 'tournament-profile-client/reader';

const require = createRequire(import.meta.url);
const schema = require('tournament-profile-client/schemas/MatchFinalized.json');
const openapi = require('tournament-profile-client/openapi.json');
const [apiUrl, matchId, winner, loser] = process.argv.slice(2);

const publisher = new TournamentEventPublisher({ eventBusName: 'tournaments' });
const result = await publisher.publish('MatchFinalized', {
  tournamentId: 'cup',
  occurredAt: new Date().toISOString(),
  matchId,
  resolution: 'completed',
  participantUserIds: [winner, loser],
  winnerUserIds: [winner],
});

const reader = new ProfileClient({ baseUrl: apiUrl, credentials: defaultCredentials() });
let stats;
const deadline = Date.now() + 120_000;
while (stats?.matchesWon !== 1 && Date.now() < deadline) {
  const read = await reader.stats(winner);
  if (!read.notModified) stats = read.stats;
  if (stats?.matchesWon !== 1) await new Promise((resolve) => setTimeout(resolve, 100));
}
let refused;
try {
  await reader.feed(winner, { cursor: 'made-up' });
} catch (error) {
  refused = error instanceof ProfileApiError ? error.status + ' ' + error.code : String(error);
}
console.log(JSON.stringify({
  published: result.published.length,
  failed: result.failed,
  stats,
  refused,
  rootHasBoth: everything.ProfileClient === ProfileClient && everything.TournamentEventPublisher === TournamentEventPublisher,
  detailTypes: DETAIL_TYPES.length,
  schemaTitle: schema.title,
  openapi: openapi.openapi,
}));
`;

/** A TypeScript service: must type-check, and the marked mistakes must be errors. */
export const CLIENT_TS = `
import { TournamentEventPublisher as RootPublisher } from 'tournament-profile-client';
import { type DetailOf, TournamentEventPublisher } from 'tournament-profile-client/publisher';
import { defaultCredentials, ProfileClient, type ProfileView, type StatsResult } from 'tournament-profile-client/reader';

const client = new ProfileClient({ baseUrl: 'http://127.0.0.1:1', credentials: defaultCredentials() });
const publisher: TournamentEventPublisher = new RootPublisher({ eventBusName: 'tournaments' });

export async function winRateOf(userId: string): Promise<number> {
  const result: StatsResult = await client.stats(userId, { ifNoneMatch: '"v1"' });
  if (result.notModified) return -1;
  const view: ProfileView = result.stats;
  // @ts-expect-error userId is a string: the declarations must say so
  const wrong: number = view.userId;
  // @ts-expect-error feed takes a limit number, not a string
  await client.feed(userId, { limit: '10' });
  return view.winRate + (wrong ? 0 : 0);
}

export async function finalize(detail: DetailOf<'MatchFinalized'>) {
  // @ts-expect-error the detail type is checked against the event type
  await publisher.publish('CheckInToggled', detail);
  return publisher.publish('MatchFinalized', detail);
}
`;

/** A CDK app that deploys the integration from the CDK package. Argument: the output folder. */
export const CDK_APP_MJS = `
import { App } from 'aws-cdk-lib';
import { addIntegrationStack } from 'tournament-profile-cdk';

const app = new App({ outdir: process.argv[2] });
const stack = addIntegrationStack(app);
app.synth();
console.log(JSON.stringify({ stackName: stack.stackName }));
`;
