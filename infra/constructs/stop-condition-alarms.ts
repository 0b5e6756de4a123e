import { Aws, type CfnElement, CfnRule, type Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import { type Alarm, AlarmRule, CompositeAlarm, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  STOP_CONDITION_KINDS,
  type StopConditionAlarmDefinition,
  type StopConditionKind,
  type StopConditionSettings,
  stopConditionAlarmDefinitions,
  stopConditionKindAlarmName,
  stopConditionsAlarmName,
} from '../../lambda/rollout/constants.ts';
import { ConfigurationError } from '../../lambda/shared/errors.ts';
import { markStopCondition } from '../checks/markers.ts';
import { alarmOf, type DeployedMetrics } from './alarm-definitions.ts';
import { anyInAlarm, type CompositeChild, generatedNameLength, splitChildren } from './composite-rule.ts';
import { platformAlarm, platformChild } from './platform-alarms.ts';

/** Properties of {@link StopConditionAlarms}. */
export interface StopConditionAlarmsProps {
  readonly recordingFunction: IFunction;
  readonly tables: { readonly activities: Table; readonly stats: Table; readonly deadLetters: Table };
  /** Where EventBridge parks events it gave up delivering. */
  readonly deliveryDeadLetters: IQueue;
  readonly metricsNamespace: string;
  readonly serviceName: string;
  readonly settings: StopConditionSettings;
  /** The platform's own alarms (names or ARNs), in this account and region. @default none */
  readonly platformAlarms?: readonly string[];
  /** Why the stage has no platform alarm (`platformAlarms=none`), written into the composite. @default none */
  readonly platformAlarmsReason?: string | undefined;
  /** Period of the scheduled audit's metrics: one run per period. */
  readonly auditPeriod: Duration;
}

/** One stop-condition alarm and the failure of the rollout plan it detects. */
export interface StopCondition {
  readonly id: string;
  readonly kind: StopConditionKind;
  readonly alarm: IAlarm;
  /** Its declaration (lambda/rollout/constants.ts); unset for the platform's own alarms. */
  readonly definition?: StopConditionAlarmDefinition | undefined;
}

const KIND_IDS: Readonly<Record<StopConditionKind, string>> = {
  'integration-error-rate': 'IntegrationErrorRateCondition',
  'tournament-operations': 'TournamentOperationsCondition',
  'database-degradation': 'DatabaseDegradationCondition',
  duplicates: 'DuplicatesCondition',
};

/**
 * The rollout plan's four stop conditions, as AppConfig triggers a rollback: each declared alarm
 * (lambda/rollout/constants.ts) rendered once; one composite alarm per condition (the
 * platform's alarms join "tournament operations"); and one top-level composite, in ALARM while any
 * condition is. Only the top-level composite's name leaves this construct (the rollback rule's
 * pattern, the rollout functions' environment), so neither grows with the number of alarms.
 */
export class StopConditionAlarms extends Construct {
  /** Every alarm of the four conditions: the integration's own and the platform's. */
  readonly conditions: readonly StopCondition[];
  /** The integration's own alarms (they notify the alarm topic). */
  readonly alarms: readonly Alarm[];
  /** One composite alarm per stop condition. */
  readonly byKind: Readonly<Record<StopConditionKind, CompositeAlarm>>;
  /** In ALARM while any stop condition is: what the rollback rule matches. */
  readonly composite: CompositeAlarm;
  /** The top-level composite's name, known at synth (`<stack>-StopConditions`). */
  readonly compositeName: string;

  constructor(scope: Construct, id: string, props: StopConditionAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const where: DeployedMetrics = {
      metricsNamespace: props.metricsNamespace,
      names: {
        service: props.serviceName,
        'recording-function': props.recordingFunction.functionName,
        'delivery-dead-letters': props.deliveryDeadLetters.queueName,
        'activities-table': props.tables.activities.tableName,
        'statistics-table': props.tables.stats.tableName,
        'dead-letters-table': props.tables.deadLetters.tableName,
      },
    };
    const own = stopConditionAlarmDefinitions(props.settings, props.auditPeriod.toSeconds()).map(
      (definition) => ({
        id: definition.id,
        kind: definition.kind,
        definition,
        alarm: alarmOf(this, definition, where),
      }),
    );
    for (const condition of own) markStopCondition(condition.alarm, condition.kind);
    const platform = this.importPlatformAlarms(props.platformAlarms ?? []);
    this.alarms = own.map((condition) => condition.alarm);
    this.conditions = [...own, ...platform.map(({ condition }) => condition)];
    const children = (kind: StopConditionKind): CompositeChild[] => [
      ...own
        .filter((condition) => condition.kind === kind)
        .map(({ alarm }) => ({
          reference: alarm.alarmName,
          maxLength: generatedNameLength(
            stack.stackName,
            stack.getLogicalId(alarm.node.defaultChild as CfnElement),
          ),
        })),
      ...(kind === 'tournament-operations' ? platform.map(({ child }) => child) : []),
    ];
    this.byKind = Object.fromEntries(
      STOP_CONDITION_KINDS.map((kind) => [kind, this.kindComposite(kind, children(kind), props)]),
    ) as Record<StopConditionKind, CompositeAlarm>;
    this.compositeName = stopConditionsAlarmName(stack.stackName);
    this.composite = new CompositeAlarm(this, 'AnyStopCondition', {
      compositeAlarmName: this.compositeName,
      alarmRule: AlarmRule.fromString(
        anyInAlarm(
          STOP_CONDITION_KINDS.map((kind) => ({ reference: this.byKind[kind].alarmName, maxLength: 0 })),
        ),
      ),
      alarmDescription: `In ALARM while any of the rollout plan's four stop conditions is (integration error rate, tournament operations, database degradation, duplicates). The rollback rule matches this alarm only; the rollout reads its children (describe-alarms --children-of-alarm-name ${this.compositeName}). To see which fired: \`tpi rollout status\`.`,
    });
    markStopCondition(this.composite, STOP_CONDITION_KINDS);
  }

  /** The composite of one condition; split into parts of its own when its children exceed AWS's limits. */
  private kindComposite(
    kind: StopConditionKind,
    children: readonly CompositeChild[],
    props: StopConditionAlarmsProps,
  ): CompositeAlarm {
    const stackName = Stack.of(this).stackName;
    const name = stopConditionKindAlarmName(stackName, kind);
    const groups = splitChildren(children);
    const parts =
      groups.length === 1
        ? (groups[0] as CompositeChild[])
        : groups.map((group, i) => {
            const partName = `${name}-Part${i + 1}`;
            const part = new CompositeAlarm(this, `${KIND_IDS[kind]}Part${i + 1}`, {
              compositeAlarmName: partName,
              alarmRule: AlarmRule.fromString(anyInAlarm(group)),
              alarmDescription: `Part ${i + 1} of the stop condition ${kind}: AWS allows 100 alarms and 10,240 characters per composite rule.`,
            });
            markStopCondition(part, kind);
            return { reference: part.alarmName, maxLength: partName.length };
          });
    const reason =
      kind === 'tournament-operations' && props.platformAlarmsReason
        ? ` The stage declares no platform alarm (platformAlarms=none): ${props.platformAlarmsReason}`
        : '';
    const composite = new CompositeAlarm(this, KIND_IDS[kind], {
      compositeAlarmName: name,
      alarmRule: AlarmRule.fromString(anyInAlarm(parts)),
      alarmDescription: `Stop condition ${kind}: in ALARM while any of its alarms is (describe-alarms --children-of-alarm-name ${name}).${reason}`,
    });
    markStopCondition(composite, kind);
    return composite;
  }

  /**
   * The platform's alarms, by name or ARN, imported (never created). A composite alarm may only
   * watch alarms of its own account and region: an ARN elsewhere is refused at synth when the
   * stack's environment is known, and by a template rule before any resource is deployed otherwise.
   */
  private importPlatformAlarms(namesOrArns: readonly string[]) {
    const stack = Stack.of(this);
    const elsewhere: string[] = [];
    const imported = namesOrArns.map((nameOrArn, index) => {
      const child = platformChild(nameOrArn);
      if (child.region !== undefined) {
        const known = !Token.isUnresolved(stack.region) && !Token.isUnresolved(stack.account);
        if (known && (child.region !== stack.region || child.account !== stack.account))
          throw new ConfigurationError(
            `invalid CDK context: platform alarm ${nameOrArn} is in ${child.account}/${child.region}, but a composite alarm can watch only alarms of its own account and region (${stack.account}/${stack.region}); create the alarm there, or alarm on a cross-account metric in this account`,
          );
        if (!known) elsewhere.push(`${child.account}:${child.region}`);
      }
      const condition: StopCondition = {
        id: `PlatformAlarm${index + 1}`,
        kind: 'tournament-operations',
        alarm: platformAlarm(this, index, nameOrArn),
      };
      return { condition, child };
    });
    for (const where of new Set(elsewhere)) this.assertSameEnvironment(where);
    return imported;
  }

  /** A template rule: the stack deploys only in the account and region its platform ARNs name. */
  private assertSameEnvironment(accountAndRegion: string): void {
    const [account, region] = accountAndRegion.split(':') as [string, string];
    new CfnRule(this, `PlatformAlarmsIn${account}${region.replaceAll('-', '')}`, {
      assertions: [
        {
          assert: Fn.conditionAnd(
            Fn.conditionEquals(Aws.ACCOUNT_ID, account),
            Fn.conditionEquals(Aws.REGION, region),
          ),
          assertDescription: `platformAlarms names alarms of account ${account} in ${region}: a composite alarm can watch only alarms of its own account and region, so deploy this stack there.`,
        },
      ],
    });
  }
}
