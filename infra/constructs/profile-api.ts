import { type CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { READ_ROUTES } from '../../lambda/read-api/constants.ts';
import { FEED_INDEX, TABLE_NAME_VARIABLES } from '../../lambda/shared/tables.ts';
import { acknowledgeLogGroup, type FunctionDefaults, IntegrationFunction } from './integration-function.ts';
import { addReadApiAlarms } from './profile-api-alarms.ts';

/** What the stage's JSON access log records of each request. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  caller: '$context.identity.userArn',
  sourceIp: '$context.identity.sourceIp',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
};

/** How end users authenticate in JWT mode (the platform always signs with IAM). */
export interface JwtSettings {
  readonly issuer: string;
  readonly audience: readonly string[];
  /** Claim that holds the user id. @default "sub" */
  readonly userIdClaim?: string;
  /**
   * Browser origins allowed to call the per-user routes (CORS), or `*`. API Gateway answers their
   * preflight itself. @default none: no CORS, only non-browser clients
   */
  readonly allowedOrigins?: readonly string[];
}

/** How long a browser may cache a preflight answer. */
export const CORS_MAX_AGE = Duration.hours(1);

/** Properties of {@link ProfileApi}. */
export interface ProfileApiProps {
  /** Name of the HTTP API (stage-qualified, so two stages never share one). */
  readonly apiName: string;
  readonly activities: ITable;
  readonly stats: ITable;
  /** Seconds the read function caches the set of erased users (it answers for them as for unknown users). */
  readonly erasureCacheSeconds: number;
  readonly defaults: FunctionDefaults;
  /** End-user tokens on the per-user routes. @default IAM only */
  readonly jwt?: JwtSettings;
  /** Stage throttling. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
}

/**
 * The profile read API: an HTTP API whose routes (one per declaration, plus `$default` for the
 * JSON 404) call one read function. IAM authorizes every route by default; with `jwt`, the
 * per-user routes take end-user tokens instead and batch reads stay IAM-only. The stage is
 * throttled and writes JSON access logs. `readPolicy` is what a platform role attaches to call it.
 */
export class ProfileApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly readFunction: IntegrationFunction;
  readonly accessLogs: LogGroup;
  /** Server errors and latency of the stage: they page. */
  readonly alarms: readonly Alarm[];
  /** `execute-api:Invoke` on exactly the API's routes. */
  readonly readPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: ProfileApiProps) {
    super(scope, id);
    this.readFunction = this.addReadFunction(props, this.addCursorKey());
    const integration = new HttpLambdaIntegration('Read', this.readFunction.function);
    this.api = this.addApi(props, integration);
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.defaults.logRetentionDays as RetentionDays,
      removalPolicy: props.defaults.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acknowledgeLogGroup(this.accessLogs, props.defaults.logRetentionDays);
    // Each route's permission lets only API Gateway, for this API's ARN, invoke the function.
    for (const permission of this.node.findAll().filter((c) => c.node.id === 'Read-Permission'))
      Validations.of(permission).acknowledge({
        id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
        reason:
          'The principal is apigateway.amazonaws.com with SourceArn set to this API: only its routes invoke the function, and each route is authorized by IAM or the JWT authorizer.',
      });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.readPolicy = this.addReadPolicy();
    this.alarms = addReadApiAlarms(this, this.stage);
  }

  /**
   * The cursor signing key: generated at deploy time, resolved by CloudFormation into the
   * function's (encrypted) environment, so reads need no secret call and no extra permission.
   */
  private addCursorKey(): Secret {
    const cursorKey = new Secret(this, 'FeedCursorKey', {
      description: 'Signs the read API feed cursors (rotating it only invalidates open cursors)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(cursorKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'HMAC key of short-lived feed cursors, not a credential: rotation needs no schedule, and replacing it only makes clients restart a feed from its first page.',
    });
    return cursorKey;
  }

  /** The one function behind every route, reading the statistics table and the feed index only. */
  private addReadFunction(props: ProfileApiProps, cursorKey: Secret): IntegrationFunction {
    const readFunction = new IntegrationFunction(this, 'Read', {
      entry: 'lambda/read-api/handler.ts',
      description: 'Serves profile statistics and feeds to the platform (read API)',
      defaults: props.defaults,
      timeout: Duration.seconds(10),
      memorySize: 512,
      failuresGoTo:
        'nowhere to keep: API Gateway invokes it synchronously and the caller gets the error response (5xx) to retry; nothing is written',
      environment: {
        [TABLE_NAME_VARIABLES.activities]: props.activities.tableName,
        [TABLE_NAME_VARIABLES.stats]: props.stats.tableName,
        FEED_CURSOR_KEY: cursorKey.secretValue.unsafeUnwrap(),
        USER_ID_CLAIM: props.jwt?.userIdClaim ?? 'sub',
        ERASURE_CACHE_SECONDS: String(props.erasureCacheSeconds),
      },
    });
    const read = readFunction.function;
    // Query reads one user's per-game items (`GAME#` in their partition) for GET /users/{userId}/games.
    read.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadStatistics',
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
        resources: [props.stats.tableArn],
      }),
    );
    read.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadFeeds',
        actions: ['dynamodb:Query'],
        resources: [`${props.activities.tableArn}/index/${FEED_INDEX}`],
      }),
    );
    return readFunction;
  }

  /** The HTTP API with one route per read declaration, IAM or JWT as each route's access says. */
  private addApi(props: ProfileApiProps, integration: HttpLambdaIntegration): HttpApi {
    const iam = new HttpIamAuthorizer();
    const origins = props.jwt?.allowedOrigins ?? [];
    const api = new HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: 'Profile statistics and activity feeds',
      createDefaultStage: false,
      defaultAuthorizer: iam,
      // Unmatched requests reach the function, which answers a JSON 404 naming the routes. Not
      // with CORS: a browser's preflight (OPTIONS) would match $default, be refused by IAM and fail;
      // without $default, API Gateway answers every preflight itself (unknown routes then get API
      // Gateway's own 404).
      ...(origins.length === 0 ? { defaultIntegration: integration } : {}),
      ...(origins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...origins],
              allowMethods: [CorsHttpMethod.GET],
              // Authorization carries the token; it is never covered by a wildcard.
              allowHeaders: ['authorization', 'content-type'],
              maxAge: CORS_MAX_AGE,
            },
          }
        : {}),
    });
    const userAuthorizer: IHttpRouteAuthorizer = props.jwt
      ? new HttpJwtAuthorizer('UserToken', props.jwt.issuer, { jwtAudience: [...props.jwt.audience] })
      : iam;
    // The erase route has a function of its own (ErasureService).
    for (const route of READ_ROUTES)
      api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer: route.access === 'user' ? userAuthorizer : iam,
      });
    return api;
  }

  /** `execute-api:Invoke` on exactly the read routes of the stage. */
  private addReadPolicy(): ManagedPolicy {
    const stack = Stack.of(this);
    const routePaths = READ_ROUTES.map(
      (route) => `${this.stage.stageName}/${route.method}${route.path.replace(/\{[^}]+\}/g, '*')}`,
    );
    const wildcardPaths = routePaths.filter((path) => path.includes('*'));
    const readPolicy = new ManagedPolicy(this, 'ReadPolicy', {
      description: 'Lets the platform call the profile read API (attach to its role)',
      statements: [
        new PolicyStatement({
          sid: 'InvokeProfileReadApi',
          actions: ['execute-api:Invoke'],
          resources: routePaths.map((path) =>
            stack.formatArn({ service: 'execute-api', resource: this.api.apiId, resourceName: path }),
          ),
        }),
      ],
    });
    // cdk-nag names a finding by the ARN as synthesized: pseudo parameters it cannot resolve appear
    // as <AWS::...>, known ones (a region from the environment) as their value.
    const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    const arnPrefix = `arn:${shown(stack.partition, 'Partition')}:execute-api:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}`;
    const apiLogicalId = stack.getLogicalId(this.api.node.defaultChild as CfnElement);
    for (const path of wildcardPaths)
      Validations.of(readPolicy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${arnPrefix}:<${apiLogicalId}>/${path}]`,
        reason: 'One route of this API; the wildcard stands for its {userId} path parameter.',
      });
    return readPolicy;
  }

  /** The base URL clients call. */
  get url(): string {
    return this.stage.url;
  }
}
