import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { LAMBDA_BUILD_OPTIONS } from '../../bench/lib/bundle.ts';

const ENTRY = fileURLToPath(new URL('../../lambda/read-api/handler.ts', import.meta.url));

/** The modules of the read function's bundle, built as the stack's NodejsFunction builds it. */
async function bundledInputs(): Promise<{ inputs: string[]; bytes: number }> {
  const result = await build({
    ...LAMBDA_BUILD_OPTIONS,
    entryPoints: [ENTRY],
    write: false,
    metafile: true,
    outfile: 'read.mjs',
  });
  return {
    inputs: Object.keys(result.metafile.inputs),
    bytes: result.outputFiles.reduce((sum, file) => sum + file.contents.length, 0),
  };
}

describe("the read function's bundle", () => {
  it('holds the handler, the read store and the DynamoDB document client', async () => {
    const { inputs } = await bundledInputs();
    expect(inputs).toEqual(
      expect.arrayContaining([
        'lambda/read-api/handler.ts',
        'lambda/read-api/adapters/profile-store.ts',
        'lambda/read-api/constants.ts',
      ]),
    );
    expect(inputs.some((i) => i.includes('node_modules/@aws-sdk/lib-dynamodb/'))).toBe(true);
  });

  it('leaves out what reads do not need: zod and the event schemas, SSM, EventBridge, metrics', async () => {
    const { inputs, bytes } = await bundledInputs();
    const unneeded = inputs.filter((i) =>
      [
        'node_modules/zod/',
        'node_modules/@aws-sdk/client-ssm/',
        'node_modules/@aws-sdk/client-eventbridge/',
        'node_modules/@aws-lambda-powertools/metrics/',
        'node_modules/@aws-lambda-powertools/parameters/',
        'lambda/shared/contract/event-types.ts',
        'lambda/shared/contract/events.ts',
        'lambda/recording/application/record-event.ts',
      ].some((part) => i.includes(part)),
    );
    expect(unneeded).toEqual([]);
    // The document client alone is about 550 KB minified; the read code adds little to it.
    expect(bytes).toBeLessThan(700 * 1024);
  });
});
