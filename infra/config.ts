import { z } from 'zod';
import { AUDIT_DEFAULTS } from '../lambda/audit/constants.ts';
import { DEFAULT_FLAG_CACHE_SECONDS } from '../lambda/recording/constants.ts';
import { DEFAULT_MIN_EVENTS_PER_STEP, STOP_CONDITION_DEFAULTS } from '../lambda/rollout/constants.ts';
import { DEFAULT_EVENT_SOURCE, DEFAULT_FLAG_PARAMETER_NAME } from '../lambda/shared/contract/defaults.ts';
import { ConfigurationError } from '../lambda/shared/errors.ts';
import { DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME } from '../lambda/shared/observability.ts';

/** Log retention periods CloudWatch Logs accepts, in days. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** `-c key=value` always arrives as a string; `cdk.json` gives real JSON types. Accept both. */
const flag = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    const text = value.trim().toLowerCase();
    if (text === 'true') return true;
    if (text === 'false') return false;
    return value;
  },
  z.boolean({ message: 'must be true or false' }),
);

const wholeNumber = (min: number, max: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
    z
      .number({ message: 'must be a number' })
      .int({ message: 'must be a whole number' })
      .min(min, { message: `must be at least ${min}` })
      .max(max, { message: `must be at most ${max}` }),
  );

/** A list from JSON (`cdk.json`, or `-c 'key=["a","b"]'`) or a comma-separated string (`-c key=a,b`). */
const stringList = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      return value;
    }
  }
  return text === '' ? [] : text.split(',').map((part) => part.trim());
}, z.array(z.string()));

const ACCOUNT_ID = /^\d{12}$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const ALARM_NAME = /^[^:\s][^\n]{0,254}$/;
const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.{1,255}$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/:-]+$/;

/** Every context key the stack reads, with its default. */
const contextSchema = z.object({
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/, {
      message: 'must be 1-20 characters, lower-case letters, digits and "-", starting with a letter',
    })
    .optional(),
  production: flag.default(false),
  eventBusName: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/, { message: 'must be 1-200 characters from [A-Za-z0-9._-]' })
    .default('tournaments'),
  eventSource: z
    .string()
    .min(1)
    .regex(/^(?!aws\.)/, { message: 'must not start with "aws." (reserved for AWS services)' })
    .default(DEFAULT_EVENT_SOURCE),
  archiveRetentionDays: wholeNumber(0, 36_500).default(30),
  flagParameterName: z
    .string()
    .regex(/^(\/[A-Za-z0-9_.-]+)+$/, {
      message: 'must be a hierarchical SSM name such as /tournament-profile/integration-enabled',
    })
    .default(DEFAULT_FLAG_PARAMETER_NAME),
  flagCacheSeconds: wholeNumber(0, 3600).default(DEFAULT_FLAG_CACHE_SECONDS),
  /** Unset: the flag's period, as when one setting made both. */
  erasureCacheSeconds: wholeNumber(0, 3600).optional(),
  publisherPrincipals: stringList
    .pipe(
      z.array(
        z.string().refine((p) => ACCOUNT_ID.test(p) || PRINCIPAL_ARN.test(p), {
          message: 'each entry must be a 12-digit account id or an IAM role/user ARN',
        }),
      ),
    )
    .default([]),
  deliveryRetryAttempts: wholeNumber(0, 185).default(185),
  deliveryMaxEventAgeHours: wholeNumber(1, 24).default(24),
  recordingMaxEventAgeHours: wholeNumber(1, 6).default(6),
  tracing: flag.default(true),
  logRetentionDays: wholeNumber(1, 3653)
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(30),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  serviceName: z.string().min(1).default(DEFAULT_SERVICE_NAME),
  metricsNamespace: z.string().min(1).default(DEFAULT_METRICS_NAMESPACE),
  iteratorAgeAlarmSeconds: wholeNumber(1, 86_400).default(300),
  alarmEmail: z.email({ message: 'must be an e-mail address' }).optional(),
  alarmTopicArn: z
    .string()
    .regex(SNS_TOPIC_ARN, { message: 'must be an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)' })
    .optional(),
  platformAlarms: stringList
    .pipe(
      z.array(
        z.string().refine((a) => ALARM_NAME.test(a) || ALARM_ARN.test(a), {
          message:
            'each entry must be a CloudWatch alarm name or ARN (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME)',
        }),
      ),
    )
    .default([]),
  errorRateThresholdPercent: z.coerce
    .number()
    .positive()
    .max(100)
    .default(STOP_CONDITION_DEFAULTS.errorRateThresholdPercent),
  errorRateMinEvents: wholeNumber(1, 1_000_000).default(STOP_CONDITION_DEFAULTS.errorRateMinEvents),
  errorRateDatapoints: wholeNumber(1, 100).default(STOP_CONDITION_DEFAULTS.errorRateDatapoints),
  errorRateEvaluationPeriods: wholeNumber(1, 100).default(STOP_CONDITION_DEFAULTS.errorRateEvaluationPeriods),
  dynamoLatencyP99Ms: wholeNumber(1, 60_000).default(STOP_CONDITION_DEFAULTS.dynamoLatencyP99Ms),
  recordingDurationP99Ms: wholeNumber(1, 60_000).default(STOP_CONDITION_DEFAULTS.recordingDurationP99Ms),
  asyncEventAgeSeconds: wholeNumber(1, 21_600).default(STOP_CONDITION_DEFAULTS.asyncEventAgeSeconds),
  auditIntervalMinutes: wholeNumber(1, 1440).default(AUDIT_DEFAULTS.intervalMinutes),
  auditItemsPerRun: wholeNumber(1, 1_000_000).default(AUDIT_DEFAULTS.itemsPerRun),
  auditUsersPerRun: wholeNumber(1, 10_000).default(AUDIT_DEFAULTS.usersPerRun),
  rolloutMinEventsPerStep: wholeNumber(0, 100_000_000).default(DEFAULT_MIN_EVENTS_PER_STEP),
  recordingMaxConcurrency: wholeNumber(1, 10_000).optional(),
  apiAuth: z.enum(['iam', 'jwt'], { message: 'must be iam or jwt' }).default('iam'),
  jwtIssuer: z.url({ protocol: /^https$/, message: 'must be the https URL of the token issuer' }).optional(),
  jwtAudience: stringList.pipe(z.array(z.string().min(1))).default([]),
  jwtUserIdClaim: z.string().min(1).default('sub'),
  apiThrottleRateLimit: wholeNumber(1, 100_000).default(100),
  apiThrottleBurstLimit: wholeNumber(1, 100_000).default(200),
});

/** Stage names that mean production: they deploy only with production settings. */
export const PRODUCTION_STAGES = ['prod', 'production'] as const;

/** The context keys the stack understands. */
export const CONTEXT_KEYS = Object.keys(contextSchema.shape) as readonly (keyof typeof contextSchema.shape)[];

type Context = z.output<typeof contextSchema>;

/** Physical names, already qualified by stage, so two stages never share one. */
export interface IntegrationNames {
  readonly stackName: string;
  readonly eventBusName: string;
  readonly flagParameterName: string;
  /** The `service` metric dimension and Powertools service name. */
  readonly serviceName: string;
}

/** Typed, validated settings of one deployment of the integration. */
export interface IntegrationConfig
  extends Omit<Context, 'eventBusName' | 'flagParameterName' | 'serviceName'> {
  readonly names: IntegrationNames;
}

/** Base name of the stack; a stage adds a suffix. */
export const STACK_BASE_NAME = 'TournamentProfileIntegration';

/**
 * Stage-qualified names. Without a stage the names are exactly the contract's defaults (bus
 * `tournaments`, flag `/tournament-profile/integration-enabled`); with one, every name carries it,
 * so a second stage deploys beside the first in the same account and region.
 */
export function qualifiedNames(
  context: Pick<Context, 'stage' | 'eventBusName' | 'flagParameterName' | 'serviceName'>,
): IntegrationNames {
  const { stage } = context;
  if (!stage)
    return {
      stackName: STACK_BASE_NAME,
      eventBusName: context.eventBusName,
      flagParameterName: context.flagParameterName,
      serviceName: context.serviceName,
    };
  const slash = context.flagParameterName.lastIndexOf('/');
  return {
    stackName: `${STACK_BASE_NAME}-${stage}`,
    eventBusName: `${context.eventBusName}-${stage}`,
    // The stage becomes a path level, so IAM policies on /tournament-profile/<stage>/* stay simple.
    flagParameterName: `${context.flagParameterName.slice(0, slash)}/${stage}${context.flagParameterName.slice(slash)}`,
    serviceName: `${context.serviceName}-${stage}`,
  };
}

/**
 * Reads and validates the context. `lookup` is `app.node.tryGetContext`; every problem is reported
 * at once, each naming the key and how to fix it.
 */
export function loadConfig(lookup: (key: string) => unknown): IntegrationConfig {
  const raw = Object.fromEntries(
    CONTEXT_KEYS.map((key) => [key, lookup(key)] as const).filter(([, value]) => value !== undefined),
  );
  const parsed = contextSchema
    .refine((c) => c.apiAuth !== 'jwt' || (c.jwtIssuer !== undefined && c.jwtAudience.length > 0), {
      message: 'apiAuth=jwt needs jwtIssuer (https URL) and jwtAudience (one or more audiences)',
      path: ['apiAuth'],
    })
    .safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  - ${issue.path.join('.') || '(context)'}: ${issue.message}`,
    );
    throw new ConfigurationError(
      `invalid CDK context; fix it in cdk.json or with -c key=value:\n${problems.join('\n')}`,
      { cause: parsed.error },
    );
  }
  const { eventBusName: _bus, flagParameterName: _flag, serviceName: _service, ...rest } = parsed.data;
  const production = productionOf(rest.stage, raw.production !== undefined ? rest.production : undefined);
  const problems = [
    ...(production && !rest.alarmEmail && !rest.alarmTopicArn
      ? [
          '  - alarmEmail / alarmTopicArn: production needs an alarm target, or no alarm reaches a person; set -c alarmTopicArn=arn:aws:sns:... or -c alarmEmail=oncall@example.com',
        ]
      : []),
    ...(rest.errorRateDatapoints > rest.errorRateEvaluationPeriods
      ? [
          `  - errorRateDatapoints: ${rest.errorRateDatapoints} breaching periods cannot be found in ${rest.errorRateEvaluationPeriods} evaluated; make it at most errorRateEvaluationPeriods`,
        ]
      : []),
  ];
  if (problems.length > 0)
    throw new ConfigurationError(
      `invalid CDK context; fix it in cdk.json or with -c key=value:\n${problems.join('\n')}`,
    );
  return { ...rest, production, names: qualifiedNames(parsed.data) };
}

/**
 * A production stage (`prod`, `production`) implies production settings; asking for it with
 * `production=false` is a mistake synthesis refuses rather than deploying destroyable tables.
 */
function productionOf(stage: string | undefined, production: boolean | undefined): boolean {
  const productionStage = stage !== undefined && (PRODUCTION_STAGES as readonly string[]).includes(stage);
  if (productionStage && production === false)
    throw new ConfigurationError(
      `invalid CDK context: stage "${stage}" is production, but production=false would deploy destroyable tables; drop production=false (the stage implies true) or use another stage name`,
    );
  return productionStage || production === true;
}

/** Seconds the functions cache the set of erased users: its own setting, else the flag's period. */
export function erasureCacheSecondsOf(
  config: Pick<IntegrationConfig, 'flagCacheSeconds' | 'erasureCacheSeconds'>,
): number {
  return config.erasureCacheSeconds ?? config.flagCacheSeconds;
}
