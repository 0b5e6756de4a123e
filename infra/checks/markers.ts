import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { STOP_CONDITION_KINDS, type StopConditionKind } from '../../lambda/rollout/constants.ts';

/**
 * The project's markers, kept as CloudFormation resource `Metadata` so they travel with the
 * template (a reviewer reading it sees them, and CloudFormation ignores them):
 *
 * - `tpi:stop-condition`, on an `AWS::CloudWatch::Alarm` or `AWS::CloudWatch::CompositeAlarm`:
 *   which of the rollout plan's four stop conditions the alarm detects (one of
 *   {@link STOP_CONDITION_KINDS}), or, on a composite alarm over several conditions, the list of
 *   them. Only such alarms may roll the flag back.
 * - `tpi:rollback-trigger`, on an `AWS::Events::Rule` that matches CloudWatch alarm state changes:
 *   `true` when its targets roll the flag back, `false` when it only notifies. The rollback rule may
 *   match only alarms marked as stop conditions; an alarm rule without the marker is a finding, so a
 *   new rule cannot roll back by accident.
 */
export const STOP_CONDITION_MARKER = 'tpi:stop-condition';
/** Metadata key saying whether an alarm-state-change rule rolls back; see {@link STOP_CONDITION_MARKER}. */
export const ROLLBACK_TRIGGER_MARKER = 'tpi:rollback-trigger';

/**
 * Marks an alarm (L1 or L2) as the stop condition `kind`: it may roll the flag back. A composite
 * alarm over several conditions (the top-level one the rollback rule matches) is marked with each
 * of their kinds; its children must then carry those kinds between them.
 */
export function markStopCondition(
  alarm: IConstruct,
  kind: StopConditionKind | readonly StopConditionKind[],
): void {
  resourceOf(alarm).addMetadata(STOP_CONDITION_MARKER, typeof kind === 'string' ? kind : [...kind]);
}

/**
 * Says whether an EventBridge rule (L1 or L2) that matches alarm state changes rolls the flag back
 * (`true`) or only notifies (`false`).
 */
export function markRollbackTrigger(rule: IConstruct, rollsBack = true): void {
  resourceOf(rule).addMetadata(ROLLBACK_TRIGGER_MARKER, rollsBack);
}

function resourceOf(construct: IConstruct): CfnResource {
  if (CfnResource.isCfnResource(construct)) return construct;
  const child = construct.node.defaultChild;
  if (child && CfnResource.isCfnResource(child)) return child;
  throw new Error(`${construct.node.path} has no CloudFormation resource to mark`);
}
