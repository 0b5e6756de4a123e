import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { TournamentEventPublisher } from '../../lambda/publisher/index.ts';
import type { DetailType } from '../../lambda/shared/contract/event-types.ts';
import { acceptEvent, type BridgeEvent } from '../../lambda/shared/contract/events.ts';
import { jsonSchemaOf } from '../../lambda/shared/contract/json-schema.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { startLocalEndpoint } from '../../local/endpoint.ts';

import { typecheckExample } from '../support/typecheck.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const doc = readFileSync(join(root, 'docs', 'publishing.md'), 'utf8');
// Blocks marked `runnable` (```ts runnable) are run against the local stack by test/docs, not here.
const blocks = [...doc.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({
  language: m[1] as string,
  code: m[2] as string,
  end: (m.index ?? 0) + m[0].length,
}));

const ajv = new Ajv2020({ strict: true });
addFormats(ajv);

const work = mkdtempSync(join(tmpdir(), 'publishing-doc-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The TypeScript example, importing the publisher from this checkout instead of the installed package. */
function typescriptExample(): string {
  const block = blocks.find((b) => b.language === 'ts');
  if (!block) throw new Error('docs/publishing.md has no ts example');
  const file = join(work, 'example.ts');
  writeFileSync(
    file,
    block.code.replace(
      "'tournament-profile-client/publisher'",
      JSON.stringify(join(root, 'lambda', 'publisher', 'index.ts')),
    ),
  );
  return file;
}

describe('docs/publishing.md', () => {
  const jsonBlocks = blocks.filter((b) => b.language === 'json');

  it('has JSON examples', () => {
    expect(jsonBlocks.length).toBeGreaterThanOrEqual(4);
  });

  it.each(jsonBlocks.map((b, i) => [i + 1, b] as const))(
    'JSON example %i is accepted by the handler and its JSON Schema, with the key the text states',
    (_n, block) => {
      const event = JSON.parse(block.code) as { source: string; 'detail-type': DetailType; detail: unknown };
      const accepted = acceptEvent({ ...event, id: 'doc-example' });
      const schema = jsonSchemaOf(event['detail-type']);
      const validate = ajv.getSchema(schema.$id as string) ?? ajv.compile(schema);
      expect(validate(event.detail), JSON.stringify(validate.errors)).toBe(true);
      const stated = /Idempotency key: `([^`]+)`/.exec(doc.slice(block.end))?.[1];
      expect(accepted.idempotencyKey).toBe(stated);
    },
  );

  it('TypeScript example type-checks against the publisher', () => {
    expect(typecheckExample(typescriptExample(), work)).toEqual({ output: '', status: 0 });
  });

  it('TypeScript example publishes after the commit, and the event is accepted', async () => {
    // Prepare: the documented example, a local endpoint, and a store that notes its commit
    const example = (await import(typescriptExample())) as {
      approveRegistration: (
        store: unknown,
        registrationId: number,
        events: TournamentEventPublisher,
      ) => Promise<{ failed: unknown[] }>;
    };
    const events: BridgeEvent[] = [];
    const endpoint = await startLocalEndpoint({ onEvents: (batch) => events.push(...batch) });
    try {
      const steps: string[] = [];
      const store = {
        transaction: async <T>(work: (tx: unknown) => Promise<T>): Promise<T> => {
          const result = await work({
            approve: async () => ({
              tournamentId: 7,
              userId: 42,
              approvedAt: new Date('2026-05-01T12:00:00Z'),
            }),
          });
          steps.push('commit');
          return result;
        },
      };
      const publisher = new TournamentEventPublisher({
        client: new EventBridgeClient({ ...LOCAL_AWS, endpoint: endpoint.url, maxAttempts: 1 }),
        eventBusName: endpoint.bus.busName,
      });

      // Act
      const result = await example.approveRegistration(store, 123, publisher);
      await new Promise((r) => setImmediate(r));

      // Assess
      expect(result.failed).toEqual([]);
      expect(steps).toEqual(['commit']);
      expect(events.map((e) => acceptEvent(e).idempotencyKey)).toEqual(['registration_status:123:approved']);
    } finally {
      await endpoint.close();
    }
  });

  it('Python example calls a hook of the Python package inside a transaction with every required field', () => {
    const python = blocks.find((b) => b.language === 'python' && b.code.includes('hooks.on_'))?.code ?? '';
    expect(python).toContain('from tournament_profile import hooks');
    expect(python).toContain('with transaction.atomic():');
    const call = /hooks\.on_registration_status_change\(([\s\S]*?)\n\s*\)/.exec(python)?.[1] ?? '';
    const args = [...call.matchAll(/(\w+)=/g)].map((m) => m[1]);
    const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const required = jsonSchemaOf('RegistrationStatusChanged').required as string[];
    expect(args.sort()).toEqual(required.map(snake).sort());
  });
});
