import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_OUTPUTS } from '../../infra/output-keys.ts';
import { ROUTES, routeKeyOf } from '../../lambda/read-api/constants.ts';
import { FEED_INDEX } from '../../lambda/shared/tables.ts';
import { resourcesOf, SYNTH_TIMEOUT_MS, type Synthesized, synthesize } from './synth.ts';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function readStatements(s: Synthesized): Statement[] {
  const role = s.logicalId(s.stack.profileApi.readFunction.role);
  return Object.values(resourcesOf(s.template, 'AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref?: string }[]).some((r) => r.Ref === role))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

function routes(s: Synthesized) {
  return Object.values(resourcesOf(s.template, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
}

describe('the profile read API in IAM mode (the default)', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize();
  }, SYNTH_TIMEOUT_MS);

  it('is an HTTP API with one IAM-authorized route per declaration; the read routes and $default go to the read function', () => {
    const found = routes(s);
    expect(found.map((r) => r.RouteKey).sort()).toEqual([...ROUTES.map(routeKeyOf), '$default'].sort());
    for (const route of found) expect(route.AuthorizationType).toBe('AWS_IAM');
    // Two integrations: the read function, and the erase route's own function.
    const integrations = Object.values(resourcesOf(s.template, 'AWS::ApiGatewayV2::Integration'));
    expect(integrations).toHaveLength(2);
    for (const integration of integrations)
      expect(integration.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
      });
    s.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  it('lets the read function GetItem/BatchGetItem/Query the statistics, Query the feed index and the erasure log, nothing else', () => {
    const { activities, stats: statistics } = s.stack.tables;
    const dynamo = readStatements(s).filter((st) => asList(st.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([
      {
        Sid: 'ReadStatistics',
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
        Resource: { 'Fn::GetAtt': [s.logicalId(statistics), 'Arn'] },
      },
      {
        Sid: 'ReadFeeds',
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: {
          'Fn::Join': ['', [{ 'Fn::GetAtt': [s.logicalId(activities), 'Arn'] }, `/index/${FEED_INDEX}`]],
        },
      },
      {
        Sid: 'ReadErasureLog',
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::GetAtt': [s.logicalId(statistics), 'Arn'] },
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['#erasures'] } },
      },
    ]);
    const others = readStatements(s)
      .flatMap((st) => asList(st.Action))
      .filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('logs:') && !a.startsWith('xray:'));
    expect(others).toEqual([]);
  });

  it('throttles the stage with the context defaults and writes JSON access logs with the request id', () => {
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [s.logicalId(s.stack.profileApi.accessLogs), 'Arn'] },
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
    s.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('outputs the URL and a managed policy that may invoke exactly the declared routes', () => {
    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[STACK_OUTPUTS.profileReadPolicyArn]?.Value).toEqual({
      Ref: s.logicalId(s.stack.profileApi.readPolicy),
    });
    expect(outputs[STACK_OUTPUTS.profileApiUrl]).toBeDefined();
    const policy = resourcesOf(s.template, 'AWS::IAM::ManagedPolicy')[
      s.logicalId(s.stack.profileApi.readPolicy)
    ];
    const [statement, ...rest] =
      (policy?.Properties.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [];
    expect(rest).toEqual([]);
    expect(statement?.Action).toBe('execute-api:Invoke');
    const suffixes = asList(statement?.Resource as { 'Fn::Join': [string, unknown[]] }[]).map((r) =>
      r['Fn::Join'][1].at(-1),
    );
    expect(suffixes.sort()).toEqual(
      [
        '/$default/GET/users/*/stats',
        '/$default/GET/users/*/games',
        '/$default/GET/users/*/activities',
        '/$default/GET/stats',
      ].sort(),
    );
  });

  it('signs feed cursors with a generated secret resolved into the function environment', () => {
    const fn = resourcesOf(s.template, 'AWS::Lambda::Function')[
      s.logicalId(s.stack.profileApi.readFunction.function)
    ];
    const variables =
      (fn?.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
    expect(JSON.stringify(variables.FEED_CURSOR_KEY)).toMatch(/resolve:secretsmanager/);
    s.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });
});

describe('the profile read API in JWT mode', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize({
      apiAuth: 'jwt',
      jwtIssuer: 'https://id.example.com/',
      jwtAudience: 'profile-app,profile-web',
      jwtUserIdClaim: 'player_id',
      apiCorsAllowedOrigins: 'https://app.example.com,http://localhost:3000',
      apiThrottleRateLimit: '20',
      apiThrottleBurstLimit: '40',
    });
  }, SYNTH_TIMEOUT_MS);

  it('authorizes the per-user routes with the JWT authorizer and keeps batch reads on IAM, with no $default route', () => {
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://id.example.com/', Audience: ['profile-app', 'profile-web'] },
    });
    const byKey = Object.fromEntries(routes(s).map((r) => [r.RouteKey, r.AuthorizationType]));
    expect(byKey).toEqual({
      'GET /users/{userId}/stats': 'JWT',
      'GET /users/{userId}/games': 'JWT',
      'GET /users/{userId}/activities': 'JWT',
      'GET /stats': 'AWS_IAM',
      'DELETE /users/{userId}': 'AWS_IAM',
    });
  });

  it("answers a browser's preflight from the allowed origins itself (CORS), the token header allowed", () => {
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://app.example.com', 'http://localhost:3000'],
        AllowMethods: ['GET'],
        AllowHeaders: ['authorization', 'content-type'],
        MaxAge: 3600,
      },
    });
    // A $default route would take the OPTIONS preflight to IAM, which refuses it unsigned.
    expect(routes(s).map((r) => r.RouteKey)).not.toContain('$default');
  });

  it('tells the function which claim names the user, and throttles as configured', () => {
    const fn = resourcesOf(s.template, 'AWS::Lambda::Function')[
      s.logicalId(s.stack.profileApi.readFunction.function)
    ];
    expect(fn?.Properties.Environment).toMatchObject({ Variables: { USER_ID_CLAIM: 'player_id' } });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
  });
});

describe('the context', () => {
  it('refuses JWT mode without an issuer and audience', () => {
    expect(() => synthesize({ apiAuth: 'jwt' })).toThrow(/apiAuth=jwt needs jwtIssuer/);
  });
});
