import { EVENT_TYPES } from '../lambda/shared/contract/event-types.ts';

/** An EventBridge event pattern of exact-match lists, the only form the integration uses. */
export interface EventPattern {
  readonly source: readonly string[];
  readonly 'detail-type': readonly string[];
}

/** One routing rule: one event type to the recording function. */
export interface RoutingRule {
  /** Stable id, used for the CDK construct id and in local logs. */
  readonly id: string;
  readonly detailType: string;
  readonly pattern: EventPattern;
}

/**
 * One rule per event type, derived from the single declaration, so each type can be disabled on its
 * own and has its own rule metrics. The CDK stack and the local router both use this list.
 */
export function routingRules(source: string): readonly RoutingRule[] {
  return EVENT_TYPES.map((type) => ({
    id: `Route${type.detailType}`,
    detailType: type.detailType,
    pattern: { source: [source], 'detail-type': [type.detailType] },
  }));
}

/**
 * Whether an event matches a pattern as EventBridge decides it for exact-match lists: every field of
 * the pattern must be present in the event with one of the listed values.
 */
export function matchesPattern(event: Readonly<Record<string, unknown>>, pattern: EventPattern): boolean {
  return Object.entries(pattern).every(([field, allowed]) =>
    (allowed as readonly unknown[]).includes(event[field]),
  );
}

/** The rules an event matches (EventBridge delivers to every matching rule's targets). */
export function rulesMatching(
  event: Readonly<Record<string, unknown>>,
  rules: readonly RoutingRule[],
): RoutingRule[] {
  return rules.filter((rule) => matchesPattern(event, rule.pattern));
}
