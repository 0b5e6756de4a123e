import { Stack, Validations } from 'aws-cdk-lib';
import { Grant, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  type AwsSdkCall,
  PhysicalResourceId,
} from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { FLAG_VALUES } from '../../lambda/shared/contract/flag.ts';
import { acknowledgeCfnLint, W3005_CDK_ROLE_DEPENDENCY } from './cfn-lint.ts';

/** The flag's value at first deploy: the integration starts off. */
export const FLAG_INITIAL_VALUE = 'false';

/** Properties of {@link FlagParameter}. */
export interface FlagParameterProps {
  /** Hierarchical name, starting with `/`. */
  readonly parameterName: string;
  /** Production keeps the parameter when the stack is deleted. */
  readonly production: boolean;
  /** The value written when the parameter does not exist. @default FLAG_INITIAL_VALUE */
  readonly initialValue?: string;
  /** @default the flag's description */
  readonly description?: string;
}

/**
 * The rollout flag (or another operator-owned String parameter, such as the value a rollback
 * saved): created with its initial value only when it does not exist yet.
 *
 * An `AWS::SSM::Parameter` resource would own the value: CloudFormation writes the template's value
 * again whenever that resource is updated (a changed description, tag or name), silently turning
 * the integration back off for users an operator had rolled it out to. Instead a custom resource
 * calls `PutParameter` with `Overwrite: false` on create and on update and treats
 * `ParameterAlreadyExists` as success, so the value belongs to the operator from the first deploy on.
 */
export class FlagParameter extends Construct {
  readonly parameterName: string;
  readonly parameterArn: string;
  /** The custom resource that creates the parameter (its provider is a shared singleton). */
  readonly creator: AwsCustomResource;

  constructor(scope: Construct, id: string, props: FlagParameterProps) {
    super(scope, id);
    this.parameterName = props.parameterName;
    // A name with a leading slash is appended to `parameter` as is (no extra separator).
    this.parameterArn = Stack.of(this).formatArn({
      service: 'ssm',
      resource: `parameter${props.parameterName}`,
    });
    const createIfAbsent: AwsSdkCall = {
      service: 'SSM',
      action: 'PutParameter',
      parameters: {
        Name: props.parameterName,
        Type: 'String',
        Value: props.initialValue ?? FLAG_INITIAL_VALUE,
        Overwrite: false,
        Description: props.description ?? `Tournament profile integration rollout: ${FLAG_VALUES}.`,
      },
      ignoreErrorCodesMatching: 'ParameterAlreadyExists',
      physicalResourceId: PhysicalResourceId.of(props.parameterName),
    };
    const actions = ['ssm:PutParameter', ...(props.production ? [] : ['ssm:DeleteParameter'])];
    this.creator = new AwsCustomResource(this, 'CreateIfAbsent', {
      resourceType: 'Custom::FlagParameter',
      onCreate: createIfAbsent,
      onUpdate: createIfAbsent,
      // Outside production the stack cleans up after itself; in production the operator's setting
      // outlives the stack, so a re-created stack resumes the rollout where it was.
      ...(props.production
        ? {}
        : {
            onDelete: {
              service: 'SSM',
              action: 'DeleteParameter',
              parameters: { Name: props.parameterName },
              ignoreErrorCodesMatching: 'ParameterNotFound',
            },
          }),
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions, resources: [this.parameterArn] }),
      ]),
      installLatestAwsSdk: false,
    });
  }

  /** Lets `grantee` read the flag, and nothing else in SSM. */
  grantRead(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['ssm:GetParameter'],
      resourceArns: [this.parameterArn],
    });
  }
}

/**
 * The parameters' custom resources run on a provider function CDK shares across the stack; its role
 * is CDK's, not ours to narrow. Call it once per stack, after its first {@link FlagParameter}.
 */
export function acknowledgeCustomResourceProvider(stack: Stack): void {
  const provider = stack.node.tryFindChild(
    `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`,
  );
  if (!provider) return;
  acknowledgeCfnLint(provider, 'W3005', W3005_CDK_ROLE_DEPENDENCY);
  const cdkManaged =
    'CDK-managed provider of the parameter custom resources (create-if-absent): it runs only during deployments, for seconds, and CDK owns its settings.';
  Validations.of(provider).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: `${cdkManaged} The managed policy grants nothing beyond writing CloudWatch Logs.`,
    },
    { id: 'Serverless-LambdaDefaultMemorySize', reason: cdkManaged },
    {
      id: 'Serverless-LambdaDLQ',
      reason: `${cdkManaged} CloudFormation invokes it and reports a failure as a failed deployment.`,
    },
    { id: 'Serverless-LambdaTracing', reason: cdkManaged },
    {
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason: `${cdkManaged} It calls only the SSM API.`,
    },
  );
}
