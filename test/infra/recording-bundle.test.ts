import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_BUILD_OPTIONS } from '../../bench/lib/bundle.ts';

const ENTRY = fileURLToPath(new URL('../../lambda/recording/handler.ts', import.meta.url));

/** The recording function's bundle, built as the stack's NodejsFunction builds it, with its metafile. */
async function recordingBundle(): Promise<Metafile> {
  const result = await build({
    ...LAMBDA_BUILD_OPTIONS,
    entryPoints: [ENTRY],
    write: false,
    metafile: true,
    outfile: 'recording.mjs',
  });
  return result.metafile;
}

describe("the recording function's bundle", () => {
  let inputs: string[];
  let contributing: string[];

  beforeAll(async () => {
    // Prepare and Act
    const metafile = await recordingBundle();
    inputs = Object.keys(metafile.inputs);
    const [output] = Object.values(metafile.outputs);
    contributing = Object.entries(output?.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path);
  });

  it('holds recording, the contract and the shared ground it records with', () => {
    // Assess
    expect(contributing).toEqual(
      expect.arrayContaining([
        'lambda/recording/handler.ts',
        'lambda/recording/application/record-event.ts',
        'lambda/recording/adapters/activity-store.ts',
        'lambda/shared/contract/events.ts',
        'lambda/shared/erased-users.ts',
      ]),
    );
  });

  it('reads no module of another feature: no erasure worker, rollout, projector, audit or read API code', () => {
    // Assess: not even parsed, so nothing of theirs can run at init or grow the bundle.
    const foreign = inputs.filter((input) =>
      ['erasure', 'rollout', 'statistics', 'audit', 'read-api'].some((feature) =>
        input.startsWith(`lambda/${feature}/`),
      ),
    );
    expect(foreign).toEqual([]);
  });

  it('carries no SSM client: the flag is read through the Parameters and Secrets extension', () => {
    // Assess: the client's error classes and schemas were a third of what its cold start loaded
    // beyond the DynamoDB client's.
    expect(inputs.filter((input) => input.includes('node_modules/@aws-sdk/client-ssm/'))).toEqual([]);
  });
});
