import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type ParamsAndSecretsLayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_OPTIONS } from '../bundling.ts';
import { prebuiltCode } from '../prebuilt-functions.ts';
import { acknowledgeCfnLint, W3005_CDK_ROLE_DEPENDENCY } from './cfn-lint.ts';

/** Root of the project: entry points and the lock file are resolved from here, not from the cwd. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The newest Node.js LTS runtime aws-cdk-lib offers. Named explicitly rather than NODEJS_LATEST,
 * whose meaning moves with CDK upgrades and would change the runtime without a reviewed diff.
 */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;
/** Timeout of the recording and statistics functions (also bounds how long an erasure waits). */
export const FUNCTION_TIMEOUT = Duration.minutes(1);

/** Settings every function of the integration shares. */
export interface FunctionDefaults {
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly logLevel: string;
  readonly logRetentionDays: number;
  readonly tracing: boolean;
  readonly production: boolean;
  /**
   * Keep the data (tables, queues of failed or pending work) when the stack is deleted: true for
   * every stage not declared ephemeral, so a mistyped stage name never deploys destroyable data.
   */
  readonly retainData: boolean;
}

/** Properties of {@link IntegrationFunction}. */
export interface IntegrationFunctionProps {
  /** Handler file relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly defaults: FunctionDefaults;
  readonly environment?: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  readonly memorySize: number;
  /** Where a failed invocation ends up instead of a dead-letter queue (the reason Serverless-LambdaDLQ does not apply). */
  readonly failuresGoTo: string;
  /** Concurrency kept for (and capped at) this function. @default none: the account's unreserved pool */
  readonly reservedConcurrentExecutions?: number | undefined;
  /** The AWS Parameters and Secrets Lambda Extension layer, with its settings. @default none */
  readonly paramsAndSecrets?: ParamsAndSecretsLayerVersion | undefined;
}

/**
 * A Node.js function with the integration's defaults: minified ESM bundle with source maps built by
 * the local esbuild (no Docker), ARM64, its own log group with retention, Powertools settings in
 * the environment, X-Ray tracing when configured.
 */
export class IntegrationFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: IntegrationFunctionProps) {
    super(scope, id);
    const { defaults } = props;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: defaults.logRetentionDays as RetentionDays,
      removalPolicy: defaults.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // An own role instead of AWSLambdaBasicExecutionRole: that managed policy may write to every
    // log group of the account, this one only to the function's own.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(this.role);
    this.function = new NodejsFunction(this, 'Function', {
      role: this.role,
      entry: fileURLToPath(new URL(props.entry, new URL('../..', import.meta.url))),
      handler: 'handler',
      // The packaged construct deploys the bundle it ships (no bundling at synth); here, nothing.
      ...prebuiltCode(props.entry),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: fileURLToPath(new URL('../../package-lock.json', import.meta.url)),
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions }
        : {}),
      ...(props.paramsAndSecrets ? { paramsAndSecrets: props.paramsAndSecrets } : {}),
      logGroup: this.logGroup,
      tracing: defaults.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      environment: {
        POWERTOOLS_SERVICE_NAME: defaults.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: defaults.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: defaults.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        minify: BUNDLE_OPTIONS.minify,
        keepNames: BUNDLE_OPTIONS.keepNames,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        sourcesContent: false,
        bundleAwsSDK: true,
        banner: BUNDLE_OPTIONS.banner,
        forceDockerBundling: false,
      },
    });
    this.acknowledgeFindings(props);
  }

  /** Acknowledges, each with its reason, the checks that do not fit an integration function. */
  private acknowledgeFindings(props: IntegrationFunctionProps): void {
    const { defaults } = props;
    Validations.of(this.function).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason: `Failures are kept elsewhere, never dropped: ${props.failuresGoTo}`,
      },
      {
        id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
        reason:
          'The function calls only AWS APIs (DynamoDB, SSM, CloudWatch, Step Functions) under a role scoped to its resources; a VPC would add NAT or endpoint cost and cold-start time and protect nothing it reaches.',
      },
    );
    if (!defaults.tracing)
      Validations.of(this.function).acknowledge({
        id: 'Serverless-LambdaTracing',
        reason: "Tracing is off by the operator's choice (context `tracing=false`); the default turns it on.",
      });
    acknowledgeLogGroup(this.logGroup, defaults.logRetentionDays);
    acknowledgeCfnLint(this.function, 'W3005', W3005_CDK_ROLE_DEPENDENCY);
    if (defaults.tracing)
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions, AWS requires Resource "*".',
      });
  }
}

/**
 * A log group of the integration: retention is the operator's `logRetentionDays` and encryption
 * the CloudWatch Logs default; the Control Tower rules ask for a year and a customer-managed key.
 */
export function acknowledgeLogGroup(logGroup: LogGroup, retentionDays: number): void {
  Validations.of(logGroup).acknowledge({
    id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    reason:
      'Encrypted at rest by CloudWatch Logs with service-managed keys; the logs carry ids and outcomes, never event payloads (docs/reliability.md), so a customer-managed key would add cost and a key policy without protecting data.',
  });
  if (retentionDays < 365)
    Validations.of(logGroup).acknowledge({
      id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
      reason: `Retention is the context key logRetentionDays (${retentionDays} days here): operational logs, not records; the activities themselves are in DynamoDB. Set logRetentionDays=365 or more where a policy requires a year.`,
    });
}
