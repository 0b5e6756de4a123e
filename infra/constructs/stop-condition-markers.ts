import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { StopConditionKind } from '../../lambda/domain/stop-conditions.ts';

/**
 * Template metadata that tells a reviewer (and the project's rule pack) which alarms may roll the
 * flag back. CloudFormation ignores resource `Metadata`, so the markers cost nothing deployed.
 *
 * - `tpi:stop-condition` on an alarm or composite alarm: the stop condition it detects, one of the
 *   four kinds; on the top-level composite, the list of all four.
 * - `tpi:rollback-trigger` on an EventBridge rule matching alarm state changes: `true` when its
 *   targets roll the flag back, `false` when it only notifies.
 */
export const STOP_CONDITION_MARKER = 'tpi:stop-condition';
export const ROLLBACK_TRIGGER_MARKER = 'tpi:rollback-trigger';

/** Marks an alarm (L1 or L2) as detecting `kind` (or every kind, for the top-level composite). */
export function markStopCondition(
  alarm: IConstruct,
  kind: StopConditionKind | readonly StopConditionKind[],
): void {
  resourceOf(alarm).addMetadata(STOP_CONDITION_MARKER, kind);
}

/** Says whether a rule (L1 or L2) that matches alarm state changes rolls the flag back. */
export function markRollbackTrigger(rule: IConstruct, rollsBack: boolean): void {
  resourceOf(rule).addMetadata(ROLLBACK_TRIGGER_MARKER, rollsBack);
}

function resourceOf(construct: IConstruct): CfnResource {
  if (CfnResource.isCfnResource(construct)) return construct;
  const child = construct.node.defaultChild;
  if (child && CfnResource.isCfnResource(child)) return child;
  throw new Error(`${construct.node.path} has no CloudFormation resource to mark`);
}
