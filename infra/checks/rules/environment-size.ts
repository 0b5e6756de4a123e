import type { CheckRule } from '../check-rule.ts';
import { deployedJsonLength, deployedValue } from '../deployed-json.ts';
import { maxBytes } from '../parts.ts';

/**
 * Lambda's limit on a function's environment: "The total size of all environment variables doesn't
 * exceed 4 KB." (Working with Lambda environment variables,
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html; "Function environment
 * variables | 4 KB" on https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 *
 * How Lambda measures it: its refusal quotes the JSON of the whole map, "Lambda was unable to
 * configure your environment variables because the environment variables you have provided
 * exceeded the 4KB limit. String measured: {"KEY":"value",...}"
 * (https://github.com/github-aws-runners/terraform-aws-github-runner/issues/3594), so keys, values,
 * quotes, colons, commas and braces all count, in bytes.
 */
export const ENVIRONMENT_MAX_BYTES = 4_096;

/**
 * A Lambda function's environment variables fit in 4 KB as deployed: values CloudFormation fills in
 * (table and queue names, alarm names, ARNs) count at their longest, a dynamic reference
 * (`{{resolve:secretsmanager:...}}`) at the length of the value it puts there.
 */
export const environmentSize: CheckRule = {
  id: 'EnvironmentSize',
  resourceType: 'AWS::Lambda::Function',
  explanation: `Lambda refuses a function whose environment variables exceed ${ENVIRONMENT_MAX_BYTES} bytes, measured as the JSON of the variables (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html).`,
  check(fn, template) {
    const variables = (fn.properties.Environment as { Variables?: unknown } | undefined)?.Variables;
    if (variables === undefined || variables === null || typeof variables !== 'object') return [];
    const size = deployedJsonLength(variables, template, 'bytes');
    if (size <= ENVIRONMENT_MAX_BYTES) return [];
    const largest = Object.entries(variables as Record<string, unknown>)
      .map(([key, value]) => [key, maxBytes(deployedValue(value, template))] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([key, bytes]) => `${key} (${bytes} bytes)`)
      .join(', ');
    return [
      {
        message: `The function's environment variables take up to ${size} bytes once deployed, measured as Lambda does (the JSON of all variables); Lambda accepts ${ENVIRONMENT_MAX_BYTES}, so the deploy fails. Largest: ${largest}. Read long or growing values at run time (SSM Parameter Store, DescribeAlarms on a composite alarm) instead of passing them in the environment.`,
      },
    ];
  },
};
