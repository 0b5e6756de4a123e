import type { z } from 'zod';
import { ConfigurationError } from '../lambda/shared/errors.ts';
import { contextSchema, NO_PLATFORM_ALARMS, RENAMED_CONTEXT_KEYS } from './context-schema.ts';

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
  extends Omit<Context, 'eventBusName' | 'flagParameterName' | 'serviceName' | 'platformAlarms'> {
  readonly names: IntegrationNames;
  /** The platform's own alarms (names or ARNs): part of the tournament-operations stop condition. */
  readonly platformAlarms: readonly string[];
  /**
   * Set when the stage was declared to have no platform alarm (`platformAlarms=none`): why, as the
   * operator wrote it. It lands in the tournament-operations composite alarm's description.
   */
  readonly platformAlarmsReason?: string | undefined;
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
  const renamed = Object.entries(RENAMED_CONTEXT_KEYS)
    .filter(([key]) => lookup(key) !== undefined)
    .map(([key, now]) => `  - ${key}: this key is now ${now}`);
  const parsed = contextSchema.safeParse(raw);
  if (!parsed.success || renamed.length > 0) {
    const issues = parsed.success ? [] : parsed.error.issues;
    const problems = issues.map((issue) => `  - ${issue.path.join('.') || '(context)'}: ${issue.message}`);
    refuse([...renamed, ...problems], parsed.success ? undefined : parsed.error);
  }
  const { eventBusName: _bus, flagParameterName: _flag, serviceName: _service, ...rest } = parsed.data;
  const production = productionOf(rest.stage, raw.production !== undefined ? rest.production : undefined);
  const problems = [
    ...targetProblems(rest, production),
    ...platformAlarmProblems(rest, production),
    ...apiProblems(rest),
  ];
  if (problems.length > 0) refuse(problems);
  const alarms = rest.platformAlarms;
  return {
    ...rest,
    production,
    platformAlarms: Array.isArray(alarms) ? alarms : [],
    platformAlarmsReason: Array.isArray(alarms) ? undefined : rest.platformAlarmsReason,
    names: qualifiedNames(parsed.data),
  };
}

function refuse(problems: readonly string[], cause?: unknown): never {
  throw new ConfigurationError(
    `invalid CDK context; fix it in cdk.json or with -c key=value:\n${problems.join('\n')}`,
    cause === undefined ? undefined : { cause },
  );
}

type Parsed = Omit<Context, 'eventBusName' | 'flagParameterName' | 'serviceName'>;

/** An alarm target in production, an M of N that can alarm, a stage either kept or declared ephemeral. */
function targetProblems(c: Parsed, production: boolean): string[] {
  return [
    ...(production && !c.alarmEmail && !c.alarmTopicArn
      ? [
          '  - alarmEmail / alarmTopicArn: production needs an alarm target, or no alarm reaches a person; set -c alarmTopicArn=arn:aws:sns:... or -c alarmEmail=oncall@example.com',
        ]
      : []),
    ...(production && c.ephemeral
      ? [
          '  - ephemeral: production keeps its data; ephemeral=true (tables destroyed with the stack) is for throw-away stages only',
        ]
      : []),
    ...(c.errorRateDatapoints > c.errorRateEvaluationPeriods
      ? [
          `  - errorRateDatapoints: ${c.errorRateDatapoints} breaching periods cannot be found in ${c.errorRateEvaluationPeriods} evaluated; make it at most errorRateEvaluationPeriods`,
        ]
      : []),
  ];
}

/**
 * "Errors in tournament operations" must exist in production: at least one platform alarm, or the
 * explicit declaration `platformAlarms=none` with the reason the composite alarm will carry.
 */
function platformAlarmProblems(c: Parsed, production: boolean): string[] {
  const none = c.platformAlarms === NO_PLATFORM_ALARMS;
  if (none && !c.platformAlarmsReason)
    return [
      '  - platformAlarmsReason: platformAlarms=none declares that the tournament platform has no alarm to stop a rollout on; say why with -c platformAlarmsReason="..." (it is written into the stop-condition alarm)',
    ];
  if (!none && c.platformAlarmsReason)
    return ['  - platformAlarmsReason: applies only with platformAlarms=none; drop it or declare none'];
  if (!none && c.platformAlarms.includes(NO_PLATFORM_ALARMS))
    return [
      '  - platformAlarms: "none" stands alone (-c platformAlarms=none); it cannot be listed with alarms',
    ];
  if (production && !none && c.platformAlarms.length === 0)
    return [
      '  - platformAlarms: production stops a rollout on errors in tournament operations, read from the platform\'s own CloudWatch alarms; name at least one (-c platformAlarms=PaymentsErrors,CheckoutErrors, same account and region), or declare -c platformAlarms=none -c platformAlarmsReason="why the platform has none"',
    ];
  return [];
}

/** JWT mode serves browsers: its issuer, audience and the origins allowed to call it (CORS). */
function apiProblems(c: Parsed): string[] {
  if (c.apiAuth !== 'jwt')
    return c.apiCorsAllowedOrigins.length > 0
      ? [
          '  - apiCorsAllowedOrigins: CORS applies to apiAuth=jwt only (IAM-signed requests come from servers, not browsers); drop it or set apiAuth=jwt',
        ]
      : [];
  return [
    ...(c.jwtIssuer === undefined || c.jwtAudience.length === 0
      ? ['  - apiAuth: apiAuth=jwt needs jwtIssuer (https URL) and jwtAudience (one or more audiences)']
      : []),
    ...(c.apiCorsAllowedOrigins.length === 0
      ? [
          "  - apiCorsAllowedOrigins: apiAuth=jwt serves end users' browsers, whose preflight needs the allowed origins; set -c apiCorsAllowedOrigins=https://app.example.com (comma-separated, or * for any origin)",
        ]
      : []),
  ];
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
