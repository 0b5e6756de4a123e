/**
 * A project that installed the packed package: plain Node ESM (run) and TypeScript (type-checked
 * against the shipped declarations only). Written into a fresh temporary project by pack.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The ESM consumer: imports every entry point and reads statistics from a fake API through the client. */
export const CONSUMER_MJS = `
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import * as root from 'tournament-profile-integration';
import { DETAIL_TYPES, planRequests, TournamentEventPublisher } from 'tournament-profile-integration/publisher';
import { ProfileApiError, ProfileClient } from 'tournament-profile-integration/client';

const require = createRequire(import.meta.url);
const openapi = require('tournament-profile-integration/openapi.json');
const schema = require('tournament-profile-integration/schemas/MatchFinalized.json');
let authorization;
const server = createServer((request, response) => {
  authorization = request.headers.authorization;
  response.writeHead(200, { 'content-type': 'application/json', etag: '"v7"' });
  response.end(JSON.stringify({ userId: 'u1', matchesWon: 1, matchesPlayed: 2, winRate: 0.5 }));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const client = new ProfileClient({
  baseUrl: 'http://127.0.0.1:' + server.address().port,
  credentials: { accessKeyId: 'AKIDCONSUMER', secretAccessKey: 'secret' },
  region: 'eu-west-1',
});
const result = await client.stats('u1');
server.close();
console.log(JSON.stringify({
  rootHasBoth: root.ProfileClient === ProfileClient && root.TournamentEventPublisher === TournamentEventPublisher,
  publisher: typeof TournamentEventPublisher,
  planRequests: typeof planRequests,
  detailTypes: DETAIL_TYPES.length,
  errorClass: new ProfileApiError(400, 'InvalidCursor', 'x') instanceof Error,
  openapi: openapi.openapi,
  schemaTitle: typeof schema.title,
  etag: result.etag,
  winRate: result.stats.winRate,
  signed: /^AWS4-HMAC-SHA256 Credential=AKIDCONSUMER\\/\\d{8}\\/eu-west-1\\/execute-api\\//.test(authorization),
}));
`;

/** The TypeScript consumer: must type-check, and the marked mistakes must be errors. */
export const CONSUMER_TS = `
import { ProfileClient, type ProfileView, type StatsResult } from 'tournament-profile-integration/client';
import { type DetailOf, TournamentEventPublisher } from 'tournament-profile-integration/publisher';
import { ProfileClient as RootClient } from 'tournament-profile-integration';

const client: ProfileClient = new RootClient({ baseUrl: 'http://127.0.0.1:1', token: async () => 'jwt' });

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

export const finalizedWinners = (detail: DetailOf<'MatchFinalized'>) => detail.winnerUserIds;
export const publisherClass: typeof TournamentEventPublisher = TournamentEventPublisher;
`;

/** Writes a fresh consumer project that depends on `tarball`, with a lock built from the repository's. */
export function writeConsumerProject(
  dir: string,
  tarball: string,
  integrity: string,
  repoRoot: string,
): void {
  mkdirSync(dir, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const repoLock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; link?: boolean }>;
  };
  const spec = `file:${tarball}`;
  // The lock pins every dependency to what the repository installed, so `npm ci --offline` takes
  // the tarballs from npm's cache instead of asking the registry for package metadata.
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { [pkg.name]: spec } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: spec,
      integrity,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
    },
  };
  for (const [path, entry] of Object.entries(repoLock.packages))
    if (path.startsWith('node_modules/') && !entry.dev && !entry.link) packages[path] = entry;
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { [pkg.name]: spec } }),
  );
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }),
  );
  writeFileSync(join(dir, 'consumer.mjs'), CONSUMER_MJS);
  writeFileSync(join(dir, 'consumer.ts'), CONSUMER_TS);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        types: ['node'],
        typeRoots: [join(repoRoot, 'node_modules', '@types')],
      },
      files: ['consumer.ts'],
    }),
  );
}

/** Runs a command in `cwd`, returning stdout; the error carries stdout and stderr. */
export function run(command: string, args: readonly string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
