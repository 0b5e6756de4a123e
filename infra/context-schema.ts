import { z } from 'zod';
import { AUDIT_DEFAULTS } from '../lambda/audit/constants.ts';
import { DEFAULT_FLAG_CACHE_SECONDS } from '../lambda/recording/constants.ts';
import { DEFAULT_MIN_EVENTS_PER_STEP, STOP_CONDITION_DEFAULTS } from '../lambda/rollout/constants.ts';
import { DEFAULT_EVENT_SOURCE, DEFAULT_FLAG_PARAMETER_NAME } from '../lambda/shared/contract/defaults.ts';
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

/** The word that declares, with a reason, that a stage has no platform alarm. */
export const NO_PLATFORM_ALARMS = 'none';

const ACCOUNT_ID = /^\d{12}$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
/**
 * A name a composite alarm's rule can quote (`ALARM("name")`): no double quote, no line break, not
 * starting with a colon or a space.
 */
const ALARM_NAME = /^[^:\s"][^\n"]{0,254}$/;
const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:[^\n"]{1,255}$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/:-]+$/;
/** A browser origin: scheme, host and optional port, no path; or `*` for any origin. */
const ORIGIN = /^(\*|https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?)$/;

const platformAlarm = z.string().refine((a) => ALARM_NAME.test(a) || ALARM_ARN.test(a), {
  message:
    'each entry must be a CloudWatch alarm name (no double quote) or ARN (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME)',
});

/** `platformAlarms`: alarm names or ARNs, or exactly `none` (a declaration that needs a reason). */
const platformAlarms = stringList.pipe(
  z.union([
    z.tuple([z.literal(NO_PLATFORM_ALARMS)]).transform(() => NO_PLATFORM_ALARMS),
    z.array(platformAlarm),
  ]),
);

/** Every context key the stack reads, with its default. */
export const contextSchema = z.object({
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/, {
      message: 'must be 1-20 characters, lower-case letters, digits and "-", starting with a letter',
    })
    .optional(),
  production: flag.default(false),
  ephemeral: flag.default(false),
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
  platformAlarms: platformAlarms.default([]),
  // The composite alarm's description holds it (1,024 characters in all).
  platformAlarmsReason: z
    .string()
    .trim()
    .min(1)
    .max(400, { message: 'must be at most 400 characters' })
    .optional(),
  errorRateThresholdPercent: z.coerce
    .number()
    .positive()
    .max(100)
    .default(STOP_CONDITION_DEFAULTS.errorRateThresholdPercent),
  errorRateMinEvents: wholeNumber(1, 1_000_000).default(STOP_CONDITION_DEFAULTS.errorRateMinEvents),
  errorRateDatapoints: wholeNumber(1, 100).default(STOP_CONDITION_DEFAULTS.errorRateDatapoints),
  errorRateEvaluationPeriods: wholeNumber(1, 100).default(STOP_CONDITION_DEFAULTS.errorRateEvaluationPeriods),
  dynamoLatencyAverageMs: wholeNumber(1, 60_000).default(STOP_CONDITION_DEFAULTS.dynamoLatencyAverageMs),
  recordingDurationP99Ms: wholeNumber(1, 60_000).default(STOP_CONDITION_DEFAULTS.recordingDurationP99Ms),
  asyncEventAgeSeconds: wholeNumber(1, 21_600).default(300),
  auditIntervalMinutes: wholeNumber(1, 1440).default(AUDIT_DEFAULTS.intervalMinutes),
  auditItemsPerRun: wholeNumber(1, 1_000_000).default(AUDIT_DEFAULTS.itemsPerRun),
  auditUsersPerRun: wholeNumber(1, 10_000).default(AUDIT_DEFAULTS.usersPerRun),
  rolloutMinEventsPerStep: wholeNumber(0, 100_000_000).default(DEFAULT_MIN_EVENTS_PER_STEP),
  recordingMaxConcurrency: wholeNumber(1, 10_000).optional(),
  apiAuth: z.enum(['iam', 'jwt'], { message: 'must be iam or jwt' }).default('iam'),
  jwtIssuer: z.url({ protocol: /^https$/, message: 'must be the https URL of the token issuer' }).optional(),
  jwtAudience: stringList.pipe(z.array(z.string().min(1))).default([]),
  jwtUserIdClaim: z.string().min(1).default('sub'),
  apiCorsAllowedOrigins: stringList
    .pipe(
      z.array(
        z.string().regex(ORIGIN, {
          message: 'each entry must be an origin such as https://app.example.com (no path), or *',
        }),
      ),
    )
    .default([]),
  apiThrottleRateLimit: wholeNumber(1, 100_000).default(100),
  apiThrottleBurstLimit: wholeNumber(1, 100_000).default(200),
});

/** Context keys that were renamed: an old key is refused with the new one's name, never ignored. */
export const RENAMED_CONTEXT_KEYS: Readonly<Record<string, string>> = {
  dynamoLatencyP99Ms:
    'dynamoLatencyAverageMs (DynamoDB publishes no percentiles of SuccessfulRequestLatency; the alarm reads the average)',
};
