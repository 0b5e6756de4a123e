/**
 * Runs the TpiLimits pack against the production synth (`-c stage=prod -c production=true
 * -c alarmEmail=ops@example.com`, plus cdk.json's context) and prints what it finds, one line per
 * finding and resource. Not a test: the stack breaks several rules today, and this shows which.
 *
 *   npx tsx test/infra/checks/production-findings.ts                         # the stack as it is
 *   npx tsx test/infra/checks/production-findings.ts --mark-stop-conditions  # with today's stop conditions marked
 *
 * `--mark-stop-conditions` marks the alarms `StopConditionAlarms` declares with their kind and the
 * rollback rule as the rollback trigger, as the stack will once it adopts the markers: what is left
 * of TpiLimits-RollbackOnlyOnStopConditions is the alarms the rule matches beyond the four
 * conditions.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { markRollbackTrigger, markStopCondition } from '../../../infra/checks/markers.ts';
import { addIntegrationStack } from '../../../infra/stack.ts';
import { findingsIn } from './support.ts';

const PRODUCTION = { stage: 'prod', production: 'true', alarmEmail: 'ops@example.com' };

function productionApp(markStopConditions: boolean): App {
  const { context } = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  };
  // Bundling is skipped: the pack reads the template, not the function code.
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [], ...PRODUCTION } });
  const stack = addIntegrationStack(app);
  if (markStopConditions) {
    for (const { alarm, kind } of stack.stopConditions.conditions)
      if (alarm instanceof Alarm) markStopCondition(alarm, kind);
    markRollbackTrigger(stack.rollout.alarmRule);
  }
  return app;
}

const marked = process.argv.includes('--mark-stop-conditions');
const found = findingsIn(productionApp(marked));
console.log(`${found.length} findings on the production synth${marked ? ' (stop conditions marked)' : ''}:`);
for (const f of found) console.log(`- ${f.severity} ${f.rule}\n  ${f.path}\n  ${f.message}`);
