import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, loadConfig, qualifiedNames } from '../../infra/config.ts';
import { DEFAULT_EVENT_SOURCE, DEFAULT_FLAG_PARAMETER_NAME } from '../../lambda/shared/contract/defaults.ts';

import { ConfigurationError } from '../../lambda/shared/errors.ts';
import { CDK_JSON_CONTEXT, resourcesOf, SYNTH_TIMEOUT_MS, type Synthesized, synthesize } from './synth.ts';

const fromContext = (context: Record<string, unknown>) => loadConfig((key) => context[key]);

describe('the context', () => {
  it('in cdk.json is valid and gives the contract defaults', () => {
    const config = fromContext(CDK_JSON_CONTEXT);
    expect(config.names).toEqual({
      stackName: 'TournamentProfileIntegration',
      eventBusName: 'tournaments',
      flagParameterName: DEFAULT_FLAG_PARAMETER_NAME,
      serviceName: 'tournament-profile-integration',
    });
    expect(config).toMatchObject({
      production: false,
      eventSource: DEFAULT_EVENT_SOURCE,
      archiveRetentionDays: 30,
      flagCacheSeconds: 15,
      publisherPrincipals: [],
    });
    expect(fromContext({})).toEqual(config);
  });

  it('accepts -c strings for booleans, numbers and lists', () => {
    const config = fromContext({
      production: 'true',
      alarmEmail: 'oncall@example.com',
      platformAlarms: 'PaymentsErrors',
      tracing: 'false',
      archiveRetentionDays: '7',
      publisherPrincipals: '111122223333, arn:aws:iam::444455556666:role/publisher',
    });
    expect(config).toMatchObject({
      production: true,
      tracing: false,
      archiveRetentionDays: 7,
      publisherPrincipals: ['111122223333', 'arn:aws:iam::444455556666:role/publisher'],
    });
    expect(fromContext({ publisherPrincipals: '["111122223333"]' }).publisherPrincipals).toEqual([
      '111122223333',
    ]);
  });

  it('rejects bad values with one error naming every key and what is allowed', () => {
    const attempt = () =>
      fromContext({
        production: 'yes',
        publisherPrincipals: ['*'],
        logRetentionDays: 31,
        flagParameterName: 'integration-enabled',
        stage: 'Prod Stage',
      });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/cdk\.json or with -c key=value/);
    for (const key of [
      'production',
      'publisherPrincipals.0',
      'logRetentionDays',
      'flagParameterName',
      'stage',
    ])
      expect(attempt).toThrow(new RegExp(`- ${key.replace('.', '\\.')}: `));
  });

  it('makes a production stage production: stage=prod implies it and refuses production=false', () => {
    const target = {
      alarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:oncall',
      platformAlarms: 'PaymentsErrors',
    };
    expect(fromContext({ stage: 'prod', ...target }).production).toBe(true);
    expect(fromContext({ stage: 'production', ...target }).production).toBe(true);
    expect(() => fromContext({ stage: 'prod', production: 'false', ...target })).toThrow(
      /stage "prod" is production, but production=false would deploy destroyable tables/,
    );
    expect(fromContext({ stage: 'staging' }).production).toBe(false);
  });

  it('refuses production without an alarm target, naming both ways to give one', () => {
    for (const context of [{ stage: 'prod' }, { production: 'true' }]) {
      const attempt = () => fromContext(context);
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(/production needs an alarm target.*alarmTopicArn=arn:aws:sns:.*alarmEmail=/);
    }
    expect(
      fromContext({ production: 'true', alarmEmail: 'oncall@example.com', platformAlarms: 'PaymentsErrors' })
        .production,
    ).toBe(true);
    expect(() => fromContext({ alarmTopicArn: 'oncall' })).toThrow(/alarmTopicArn: must be an SNS topic ARN/);
  });

  it('reads the stop-condition settings and refuses an M of N that can never alarm', () => {
    const config = fromContext({
      errorRateMinEvents: '500',
      errorRateDatapoints: '3',
      errorRateEvaluationPeriods: '5',
      platformAlarms: 'PaymentsDown,arn:aws:cloudwatch:eu-west-1:111122223333:alarm:Checkout errors',
    });
    expect(config).toMatchObject({
      errorRateThresholdPercent: 0.1,
      errorRateMinEvents: 500,
      errorRateDatapoints: 3,
      errorRateEvaluationPeriods: 5,
      platformAlarms: ['PaymentsDown', 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:Checkout errors'],
    });
    expect(() => fromContext({ errorRateDatapoints: '4', errorRateEvaluationPeriods: '3' })).toThrow(
      /errorRateDatapoints: 4 breaching periods cannot be found in 3/,
    );
  });

  it('refuses production without a platform alarm unless none is declared with a reason', () => {
    const prod = { stage: 'prod', alarmEmail: 'oncall@example.com' };
    const attempt = (more: Record<string, unknown>) => () => fromContext({ ...prod, ...more });
    expect(attempt({})).toThrow(ConfigurationError);
    expect(attempt({})).toThrow(
      /platformAlarms: production stops a rollout on errors in tournament operations/,
    );
    expect(attempt({ platformAlarms: 'none' })).toThrow(/platformAlarmsReason: platformAlarms=none declares/);
    expect(attempt({ platformAlarms: 'A,none' })).toThrow(/"none" stands alone/);
    expect(attempt({ platformAlarms: 'A', platformAlarmsReason: 'x' })).toThrow(
      /applies only with platformAlarms=none/,
    );
    expect(attempt({ platformAlarms: 'Bad "quoted" name' })).toThrow(/platformAlarms\.0: each entry must be/);
    const declared = fromContext({
      ...prod,
      platformAlarms: 'none',
      platformAlarmsReason: 'the platform has none yet',
    });
    expect(declared).toMatchObject({ platformAlarms: [], platformAlarmsReason: 'the platform has none yet' });
    expect(fromContext({ ...prod, platformAlarms: 'PaymentsErrors' }).platformAlarms).toEqual([
      'PaymentsErrors',
    ]);
    // Outside production an empty list is allowed: nothing is rolled out to users there.
    expect(fromContext({}).platformAlarms).toEqual([]);
  });

  it('retains data unless the stage is declared ephemeral, which production cannot be', () => {
    expect(fromContext({ stage: 'prd' }).ephemeral).toBe(false);
    expect(fromContext({ stage: 'dev', ephemeral: 'true' }).ephemeral).toBe(true);
    expect(() =>
      fromContext({ stage: 'prod', alarmEmail: 'o@example.com', platformAlarms: 'P', ephemeral: 'true' }),
    ).toThrow(/ephemeral: production keeps its data/);
  });

  it('refuses a renamed key with its new name instead of ignoring it', () => {
    expect(() => fromContext({ dynamoLatencyP99Ms: '250' })).toThrow(
      /dynamoLatencyP99Ms: this key is now dynamoLatencyAverageMs/,
    );
    expect(fromContext({ dynamoLatencyAverageMs: '80' }).dynamoLatencyAverageMs).toBe(80);
  });

  it('allows CORS origins in JWT mode only, and needs them there', () => {
    const jwt = { apiAuth: 'jwt', jwtIssuer: 'https://id.example.com/', jwtAudience: 'app' };
    expect(() => fromContext(jwt)).toThrow(/apiCorsAllowedOrigins: apiAuth=jwt serves end users' browsers/);
    expect(
      fromContext({ ...jwt, apiCorsAllowedOrigins: 'https://app.example.com,http://localhost:3000' }),
    ).toMatchObject({ apiCorsAllowedOrigins: ['https://app.example.com', 'http://localhost:3000'] });
    expect(() => fromContext({ apiCorsAllowedOrigins: 'https://app.example.com' })).toThrow(
      /CORS applies to apiAuth=jwt only/,
    );
    expect(() => fromContext({ ...jwt, apiCorsAllowedOrigins: 'https://app.example.com/path' })).toThrow(
      /apiCorsAllowedOrigins\.0: each entry must be an origin/,
    );
  });

  it('synthesis with stage=prod and no alarm target fails with the message, before building anything', async () => {
    const { createApp } = await import('../../infra/app.ts');
    expect(() => createApp({ context: { ...CDK_JSON_CONTEXT, stage: 'prod' } })).toThrow(
      /production needs an alarm target/,
    );
  });

  it('is documented key by key in docs/deploy.md', () => {
    const docs = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    const documented = [...docs.matchAll(/^\| `([a-z][A-Za-z0-9]+)` \|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...CONTEXT_KEYS].sort());
  });

  it('qualifies every physical name with the stage, keeping the flag in its hierarchy', () => {
    expect(
      qualifiedNames({
        stage: 'staging',
        eventBusName: 'tournaments',
        flagParameterName: '/tournament-profile/integration-enabled',
        serviceName: 'tournament-profile-integration',
      }),
    ).toEqual({
      stackName: 'TournamentProfileIntegration-staging',
      eventBusName: 'tournaments-staging',
      flagParameterName: '/tournament-profile/staging/integration-enabled',
      serviceName: 'tournament-profile-integration-staging',
    });
  });
});

/** Names a stage sets explicitly: account- or region-wide, so they must differ between stages. */
function explicitNames(s: Synthesized): Set<string> {
  // Names scoped to a parent of the same stack (an index in its table, a schema in the stage's own
  // registry, an inline policy in its role, a stage of its API) cannot collide across stages; a
  // metric is told apart by its `service` dimension, collected below.
  const scoped = new Set([
    'IndexName',
    'AttributeName',
    'SchemaName',
    'PolicyName',
    'MetricName',
    'StageName',
  ]);
  const names = new Set<string>([s.stack.stackName]);
  for (const resource of Object.values(
    s.template.toJSON().Resources as Record<string, { Properties?: object }>,
  ))
    for (const [key, value] of Object.entries(resource.Properties ?? {}))
      if (key.endsWith('Name') && !scoped.has(key) && typeof value === 'string') names.add(value);
  for (const flag of Object.values(resourcesOf(s.template, 'Custom::FlagParameter')))
    names.add(JSON.parse(String(flag.Properties.Create)).parameters.Name);
  for (const alarm of Object.values(resourcesOf(s.template, 'AWS::CloudWatch::Alarm')))
    for (const dimension of (alarm.Properties.Dimensions ?? []) as { Name: string; Value: unknown }[])
      if (dimension.Name === 'service') names.add(`service=${String(dimension.Value)}`);
  return names;
}

describe('a second stage', () => {
  let first: Synthesized;
  let second: Synthesized;
  beforeAll(() => {
    first = synthesize();
    second = synthesize({ stage: 'staging' });
  }, 2 * SYNTH_TIMEOUT_MS);

  it('shares no physical name, parameter or metric dimension with the first', () => {
    const a = explicitNames(first);
    const b = explicitNames(second);
    expect(a.size).toBeGreaterThanOrEqual(4);
    expect([...a].filter((name) => b.has(name))).toEqual([]);
    expect(b).toContain('tournaments-staging');
    expect(b).toContain('/tournament-profile/staging/integration-enabled');
  });

  it('reads only its own flag', () => {
    const fn = resourcesOf(second.template, 'AWS::Lambda::Function')[
      second.logicalId(second.stack.recordingFunction.function)
    ];
    expect(fn?.Properties.Environment).toMatchObject({
      Variables: { FLAG_PARAMETER_NAME: '/tournament-profile/staging/integration-enabled' },
    });
  });
});
