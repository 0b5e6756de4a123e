import { type Part, text, type UnknownPart } from './parts.ts';
import type { StackEnvironment } from './stack-template.ts';

/**
 * How long the names CloudFormation gives resources can be, and what `Ref` and `Fn::GetAtt` return
 * for each resource type the checks meet.
 *
 * An unnamed resource gets a generated physical name: "By default, AWS CloudFormation generates a
 * unique physical ID to name a resource. For example, CloudFormation might name an Amazon S3 bucket
 * with the following physical ID MyStack-MyBucket-abcdefghijk1" (Name type,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html), that is
 * `{StackName}-{LogicalId}-{random}`, never longer than the name property allows. AWS's examples
 * show a 12-character random part (`abcdefghijk1`; the alarm ARN example
 * `myCloudWatchAlarm-CPUAlarm-UXMMZK36R55Z` on
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-cw-alarm.html);
 * CloudFormation has also generated 13-character ones, so 13 are counted: the bound must hold for
 * every name CloudFormation may pick. The same page says generated names "contain only ASCII
 * letters, digits, and hyphens", which {@link deployedParts} relies on when it splits ARNs.
 *
 * Maximum name lengths are each property's documented maximum in the CloudFormation resource
 * reference (e.g. `AlarmName` 255, `QueueName` 80, `FunctionName` 64).
 */
export const GENERATED_SUFFIX_LENGTH = 13;

/** Longest deployed values of the pseudo parameters, when the stack does not fix them. */
export const PSEUDO_MAX = {
  /** `aws-us-gov`. */
  partition: 10,
  /** `ap-southeast-5`, `ap-northeast-3`, `eusc-de-east-1`: 14 characters. */
  region: 14,
  /** Account ids are 12 digits. */
  account: 12,
  /** `amazonaws.com.cn`. */
  urlSuffix: 16,
  /** Stack names are at most 128 characters. */
  stackName: 128,
} as const;

/** The pseudo parameters as parts: known text, or an unknown with its bound. */
export interface EnvironmentParts {
  readonly partition: Part;
  readonly region: Part;
  readonly account: Part;
  readonly urlSuffix: Part;
  readonly stackName: Part;
}

/** The pseudo parameters of a stack, as parts. */
export function environmentParts(env: StackEnvironment): EnvironmentParts {
  const pick = (value: string | undefined, what: string, max: number): Part =>
    value === undefined ? { what, max } : text(value);
  return {
    partition: pick(env.partition, 'AWS::Partition', PSEUDO_MAX.partition),
    region: pick(env.region, 'AWS::Region', PSEUDO_MAX.region),
    account: pick(env.account, 'AWS::AccountId', PSEUDO_MAX.account),
    urlSuffix: pick(env.urlSuffix, 'AWS::URLSuffix', PSEUDO_MAX.urlSuffix),
    stackName: pick(env.stackName, 'AWS::StackName', PSEUDO_MAX.stackName),
  };
}

/** A `Ref` or attribute value built from the resource's name (or id) and the stack's environment. */
type Shape = (name: readonly Part[], env: EnvironmentParts) => Part[];

/** What the checks know of one resource type. */
export interface NamedType {
  /** The property holding a custom name; without one the physical id is not a name the template sets. */
  readonly nameProperty?: string;
  /** The longest name (or id) the service accepts, which also caps a generated one. */
  readonly maxName: number;
  /** A physical id that is not derived from the stack (key ids, API ids), with its length. */
  readonly fixedIdLength?: number;
  readonly ref: Shape;
  readonly attributes: Readonly<Record<string, Shape>>;
}

const arn =
  (service: string, resource: (name: readonly Part[]) => Part[], regional = true): Shape =>
  (name, env) => [
    text('arn:'),
    env.partition,
    text(`:${service}:`),
    ...(regional ? [env.region] : []),
    text(':'),
    env.account,
    text(':'),
    ...resource(name),
  ];
const prefixed = (prefix: string) => (name: readonly Part[]) => [text(prefix), ...name];
const nameItself: Shape = (name) => [...name];

/** `Ref`/`Fn::GetAtt` of the resource types the stack and the checks' tests use. */
export const NAMED_TYPES: Readonly<Record<string, NamedType>> = {
  'AWS::CloudWatch::Alarm': alarmType(),
  'AWS::CloudWatch::CompositeAlarm': alarmType(),
  'AWS::DynamoDB::Table': {
    nameProperty: 'TableName',
    maxName: 255,
    ref: nameItself,
    attributes: {
      Arn: arn('dynamodb', prefixed('table/')),
      // The stream label is an ISO timestamp such as 2015-06-27T00:48:05.899 (23 characters).
      StreamArn: (name, env) => [
        ...arn('dynamodb', prefixed('table/'))(name, env),
        text('/stream/'),
        { what: 'stream label', max: 23 },
      ],
    },
  },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    maxName: 80,
    ref: queueUrl,
    attributes: { Arn: arn('sqs', (name) => [...name]), QueueName: nameItself, QueueUrl: queueUrl },
  },
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    maxName: 64,
    ref: nameItself,
    attributes: { Arn: arn('lambda', prefixed('function:')) },
  },
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    maxName: 256,
    ref: arn('sns', (name) => [...name]),
    attributes: { TopicArn: arn('sns', (name) => [...name]), TopicName: nameItself },
  },
  'AWS::SSM::Parameter': {
    nameProperty: 'Name',
    maxName: 2048,
    ref: nameItself,
    attributes: {},
  },
  'AWS::StepFunctions::StateMachine': {
    nameProperty: 'StateMachineName',
    maxName: 80,
    ref: arn('states', prefixed('stateMachine:')),
    attributes: { Arn: arn('states', prefixed('stateMachine:')), Name: nameItself },
  },
  'AWS::Events::EventBus': {
    nameProperty: 'Name',
    maxName: 256,
    ref: nameItself,
    attributes: { Arn: arn('events', prefixed('event-bus/')), Name: nameItself },
  },
  'AWS::Logs::LogGroup': {
    nameProperty: 'LogGroupName',
    maxName: 512,
    ref: nameItself,
    attributes: { Arn: (name, env) => [...arn('logs', prefixed('log-group:'))(name, env), text(':*')] },
  },
  'AWS::IAM::Role': {
    nameProperty: 'RoleName',
    maxName: 64,
    ref: nameItself,
    // Paths are at most 512 characters; CDK roles use the default "/".
    attributes: { Arn: arn('iam', prefixed('role/'), false) },
  },
  'AWS::KMS::Key': {
    maxName: 36,
    fixedIdLength: 36,
    ref: nameItself,
    attributes: { Arn: arn('kms', prefixed('key/')), KeyId: nameItself },
  },
  'AWS::SecretsManager::Secret': {
    nameProperty: 'Name',
    maxName: 512,
    // Secrets Manager appends a hyphen and 6 random characters to the name in the ARN.
    ref: (name, env) => [
      ...arn('secretsmanager', prefixed('secret:'))(name, env),
      { what: 'secret suffix', max: 7 },
    ],
    attributes: {},
  },
  'AWS::ApiGatewayV2::Api': {
    maxName: 10,
    fixedIdLength: 10,
    ref: nameItself,
    attributes: {
      ApiId: nameItself,
      ApiEndpoint: (id, env) => [
        text('https://'),
        ...id,
        text('.execute-api.'),
        env.region,
        text('.'),
        env.urlSuffix,
      ],
    },
  },
};

function alarmType(): NamedType {
  return {
    nameProperty: 'AlarmName',
    maxName: 255,
    ref: nameItself,
    attributes: { Arn: arn('cloudwatch', prefixed('alarm:')) },
  };
}

function queueUrl(name: readonly Part[], env: EnvironmentParts): Part[] {
  return [
    text('https://sqs.'),
    env.region,
    text('.'),
    env.urlSuffix,
    text('/'),
    env.account,
    text('/'),
    ...name,
  ];
}

/**
 * The name CloudFormation generates for an unnamed resource: `{StackName}-{LogicalId}-{random}`,
 * cut to the type's longest name.
 */
export function generatedName(logicalId: string, type: NamedType, env: EnvironmentParts): UnknownPart {
  const stackName = 'text' in env.stackName ? env.stackName.text.length : env.stackName.max;
  const full = stackName + 1 + logicalId.length + 1 + GENERATED_SUFFIX_LENGTH;
  return {
    what: type.fixedIdLength ? `id of ${logicalId}` : `generated name of ${logicalId}`,
    max: type.fixedIdLength ?? Math.min(type.maxName, full),
    source: { logicalId },
  };
}
