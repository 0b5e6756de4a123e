import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Alarm, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { CompositeChild } from './composite-rule.ts';

/** A platform alarm as a composite rule names it, with the account and region of an ARN. */
export interface PlatformChild extends CompositeChild {
  readonly account?: string | undefined;
  readonly region?: string | undefined;
}

/**
 * How a composite rule names a platform alarm: as given (a name or an ARN; CloudWatch accepts
 * both), so its deployed length is its length. A name means this account and region.
 */
export function platformChild(nameOrArn: string): PlatformChild {
  if (!nameOrArn.startsWith('arn:')) return { reference: nameOrArn, maxLength: nameOrArn.length };
  const [, , , region, account] = nameOrArn.split(':');
  return { reference: nameOrArn, maxLength: nameOrArn.length, region, account };
}

/** The platform's alarm as an `IAlarm` (for the dashboard), imported as `Platform<n>` of `scope`. */
export function platformAlarm(scope: Construct, index: number, nameOrArn: string): IAlarm {
  const arn = nameOrArn.startsWith('arn:')
    ? nameOrArn
    : Stack.of(scope).formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: nameOrArn,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
  return Alarm.fromAlarmArn(scope, `Platform${index + 1}`, arn);
}
