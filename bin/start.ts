/**
 * `npm start`: runs the whole integration on this machine until Ctrl-C, SIGTERM, SIGHUP or the
 * exit of the process that started it (see start-lifecycle.ts). Prints one `ready:` line when it
 * accepts events, then one line per event outcome.
 */
import { parseArgs } from 'node:util';

const USAGE = `Usage: npm start -- [options]

Starts DynamoDB Local, the tables, and one AWS-compatible endpoint (EventBridge PutEvents, SSM
parameters) that delivers events to the recording handler; statistics follow the activity stream.
Ctrl-C, SIGTERM or SIGHUP stops everything, DynamoDB Local included.

Options:
  --port N                 endpoint port (default 4010)
  --dynamodb-port N        DynamoDB Local port (default 8000)
  --data-dir DIR           keep tables, flag and archive in DIR (default: in memory)
  --flag off|on|N          flag value when none is stored yet (default on)
  --flag-cache-seconds N   how long the handler caches the flag (default FLAG_CACHE_SECONDS or 15)
  --api-port N             profile read API port (default 4011)
  --api-auth iam|jwt       read API authorization (default iam: a SigV4 signature must be present,
                           it is not verified locally)
  --jwt-issuer URL         JWT mode: the token issuer (iss)
  --jwt-audience A[,B]     JWT mode: accepted audiences (aud)
  --jwks-file FILE         JWT mode: the issuer's key set (JSON Web Key Set)
  --api-rate-limit N       stage throttling: steady requests per second (default: none)
  --api-burst-limit N      stage throttling: burst (default: the rate limit)
  -h, --help               show this help`;

function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function portOf(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    usageError(`${name} must be a port number, got "${value}"`);
  return port;
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      port: { type: 'string' },
      'dynamodb-port': { type: 'string' },
      'data-dir': { type: 'string' },
      flag: { type: 'string' },
      'flag-cache-seconds': { type: 'string' },
      'api-port': { type: 'string' },
      'api-auth': { type: 'string' },
      'jwt-issuer': { type: 'string' },
      'jwt-audience': { type: 'string' },
      'jwks-file': { type: 'string' },
      'api-rate-limit': { type: 'string' },
      'api-burst-limit': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}
try {
  args = parse();
} catch (error) {
  usageError((error as Error).message);
}
if (args.values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

// The handlers' structured logs and metrics would drown the one-line outcomes; set before they load.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = args;
const cacheSeconds =
  values['flag-cache-seconds'] === undefined ? undefined : Number(values['flag-cache-seconds']);
if (cacheSeconds !== undefined && !(Number.isFinite(cacheSeconds) && cacheSeconds >= 0))
  usageError(`--flag-cache-seconds must be a number ≥ 0, got "${values['flag-cache-seconds']}"`);
if (values.flag !== undefined) {
  const { FLAG_VALUES, parseFlag } = await import('../lambda/shared/contract/flag.ts');
  const setting = parseFlag(values.flag);
  if (setting.mode === 'off' && setting.misconfigured)
    usageError(`--flag must be one of ${FLAG_VALUES}, got "${values.flag}"`);
}

const { apiSettings } = await import('./start-api.ts');
const api = await apiSettings(values, usageError);
const { DEFAULT_ENDPOINT_PORT, startLocalStack } = await import('../local/stack.ts');
const { DEFAULT_DYNAMODB_PORT } = await import('../local/database.ts');
const { stopOnSignalsAndParentExit } = await import('./start-lifecycle.ts');
const log = (line: string) => process.stdout.write(`${line}\n`);
// DynamoDB Local's JVM takes a second or two to answer, much longer on a busy machine.
process.stderr.write('starting DynamoDB Local, the tables, the endpoint and the read API…\n');
try {
  const stack = await startLocalStack({
    port: portOf(values.port, '--port', DEFAULT_ENDPOINT_PORT),
    dynamodbPort: portOf(values['dynamodb-port'], '--dynamodb-port', DEFAULT_DYNAMODB_PORT),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values.flag !== undefined ? { flag: values.flag } : {}),
    ...(cacheSeconds !== undefined ? { flagCacheSeconds: cacheSeconds } : {}),
    api: { ...api, port: portOf(values['api-port'], '--api-port', api.port) },
    log,
  });
  stopOnSignalsAndParentExit({
    stop: () => stack.stop(),
    notify: (line) => process.stderr.write(`${line}\n`),
    exit: (code) => process.exit(code),
  });
  log(stack.apiAuthNote);
  log(`ready: endpoint ${stack.endpoint} dynamodb ${stack.dynamodbEndpoint} api ${stack.apiUrl}`);
} catch (error) {
  process.stderr.write(`cannot start the local stack: ${(error as Error).message}\n`);
  process.exit(1);
}
