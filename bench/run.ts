/**
 * `npm run bench [-- --quick]`: the performance figures of the integration, measured against a
 * DynamoDB Local this process starts. The handlers read their logging and metrics settings when
 * they are imported, so the environment is settled here before anything else loads.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Log lines and EMF metrics would interleave with the results on stdout; their cost is the same
// whatever the recording design, so the comparison leaves them out.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_REGION ??= 'us-east-1';

export {};

const { main } = await import('./main.ts');
await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
