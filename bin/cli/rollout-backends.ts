import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { STACK_OUTPUTS } from '../../infra/output-keys.ts';
import { cloudWatchAlarms } from '../../lambda/rollout/adapters/cloudwatch.ts';
import type { RolloutInput, RolloutStepOutput } from '../../lambda/rollout/application/rollout.ts';
import { type RolloutView, rolloutView } from '../../lambda/rollout/application/rollout-view.ts';
import {
  describeFiring,
  describeMissing,
  firingOf,
  readStopConditions,
} from '../../lambda/rollout/application/stop-conditions.ts';
import type { RolloutPlan } from '../../lambda/rollout/domain/rollout.ts';
import { LOCAL_ROLLOUT_TARGETS } from '../../local/rollout-operations.ts';
import { RolloutError, TargetError } from './errors.ts';
import { DEFAULT_LOCAL_ENDPOINT, stackOutputs } from './target.ts';

/** Where rollouts run: the deployed state machine or the local stack's runner. */
export interface RolloutBackend {
  start(plan: RolloutPlan, sliceSeconds: number | undefined): Promise<RolloutView>;
  describe(): Promise<RolloutView | undefined>;
  /** Stops the running rollout; `undefined` when none runs. */
  abort(reason: string): Promise<RolloutView | undefined>;
  close(): void;
}

function localBackend(endpoint: string): RolloutBackend {
  const call = async (target: string, input: Record<string, unknown>): Promise<RolloutView | undefined> => {
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
        body: JSON.stringify(input),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new TargetError(
        `no local stack answers at ${endpoint} (${(error as Error).message}): start it with \`npm start\``,
      );
    }
    const body = (await response.json()) as { Rollout?: RolloutView | null; message?: string };
    if (!response.ok) throw new RolloutError(body.message ?? `the local stack answered ${response.status}`);
    return body.Rollout ?? undefined;
  };
  return {
    start: async (plan, sliceSeconds) =>
      (await call(LOCAL_ROLLOUT_TARGETS.start, {
        Steps: plan.steps,
        WaitsMs: plan.waitsMs,
        ...(plan.bakeMs !== undefined ? { BakeMs: plan.bakeMs } : {}),
        ...(sliceSeconds !== undefined ? { SliceSeconds: sliceSeconds } : {}),
      })) as RolloutView,
    describe: () => call(LOCAL_ROLLOUT_TARGETS.describe, {}),
    abort: (reason) => call(LOCAL_ROLLOUT_TARGETS.stop, { Reason: reason }),
    close: () => undefined,
  };
}

const EXECUTION_STATE: Record<string, RolloutView['state']> = {
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  ABORTED: 'ABORTED',
  FAILED: 'FAILED',
  TIMED_OUT: 'FAILED',
};

/** A rollout execution as `tpi rollout status` shows it: the last completed check, or its input. */
async function executionView(sfn: SFNClient, executionArn: string): Promise<RolloutView> {
  const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  // The last completed check carries the step, the flag, the next raise and the alarm states.
  const history = await sfn.send(
    new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 50 }),
  );
  const exited = history.events?.find(
    (e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'Check',
  );
  let last = exited?.stateExitedEventDetails?.output
    ? (JSON.parse(exited.stateExitedEventDetails.output) as RolloutStepOutput)
    : undefined;
  if (!last && execution.input) {
    const input = JSON.parse(execution.input) as RolloutInput;
    last = {
      ...input,
      state: { stepIndex: -1 },
      sliceSeconds: input.sliceSeconds ?? 0,
      startedAt: execution.startDate?.getTime() ?? Date.now(),
      status: 'waiting',
      waitSeconds: 0,
      alarms: [],
      checkedAt: new Date().toISOString(),
    };
  }
  return rolloutView(
    execution.name ?? executionArn,
    EXECUTION_STATE[execution.status ?? ''] ?? 'FAILED',
    last,
    {
      ...(execution.stopDate ? { stoppedAt: execution.stopDate.toISOString() } : {}),
      ...(execution.error ? { error: execution.error } : {}),
      ...(execution.cause ? { reason: execution.cause } : {}),
    },
  );
}

/**
 * Refuses to start a rollout its first step would refuse: a stop condition in ALARM, or an alarm
 * a stop condition names that does not exist (a platform alarm misspelled or deleted), named.
 */
async function checkStopConditions(
  cloudWatch: CloudWatchClient,
  stopConditionsAlarmName: string,
): Promise<void> {
  const report = await readStopConditions(cloudWatchAlarms(cloudWatch), stopConditionsAlarmName);
  const firing = firingOf(report);
  if (firing.length > 0)
    throw new RolloutError(
      `stop condition(s) in ALARM: ${describeFiring(firing)}. Fix the cause, then start the rollout.`,
    );
  if (report.missing.length > 0)
    throw new RolloutError(
      `these stop-condition alarms do not exist, so their conditions could never stop the rollout: ${describeMissing(report.missing)}. Create them, or fix platformAlarms and deploy; then start the rollout.`,
    );
}

function awsBackend(
  stateMachineArn: string,
  region: string | undefined,
  stopConditionsAlarmName: string | undefined,
): RolloutBackend {
  const sfn = new SFNClient(region ? { region } : {});
  const cloudWatch = new CloudWatchClient(region ? { region } : {});
  const running = async () =>
    (await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }))).executions ??
    [];
  const view = (executionArn: string) => executionView(sfn, executionArn);
  return {
    async start(plan, sliceSeconds) {
      if (stopConditionsAlarmName) await checkStopConditions(cloudWatch, stopConditionsAlarmName);
      const others = await running();
      if (others.length > 0)
        throw new RolloutError(
          `rollout ${others.map((e) => e.name).join(', ')} is in progress: wait for it or abort it with \`tpi rollout abort\` first`,
        );
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: `rollout-${new Date().toISOString().replace(/[:.]/g, '-')}`,
          input: JSON.stringify({ plan, ...(sliceSeconds !== undefined ? { sliceSeconds } : {}) }),
        }),
      );
      return view(executionArn as string);
    },
    async describe() {
      const [latest] =
        (await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1 }))).executions ?? [];
      return latest?.executionArn ? view(latest.executionArn) : undefined;
    },
    async abort(reason) {
      const [current] = await running();
      if (!current?.executionArn) return undefined;
      await sfn.send(
        new StopExecutionCommand({
          executionArn: current.executionArn,
          error: 'RolloutAborted',
          cause: reason,
        }),
      );
      return view(current.executionArn);
    },
    close: () => {
      sfn.destroy();
      cloudWatch.destroy();
    },
  };
}

export async function backendFor(values: Record<string, unknown>): Promise<RolloutBackend> {
  if (values.stack === undefined)
    return localBackend((values.endpoint as string | undefined) ?? DEFAULT_LOCAL_ENDPOINT);
  const stack = values.stack as string;
  const region = values.region as string | undefined;
  const outputs = await stackOutputs(stack, region);
  const arn = outputs[STACK_OUTPUTS.rolloutStateMachineArn];
  if (!arn)
    throw new TargetError(
      `stack ${stack} has no output ${STACK_OUTPUTS.rolloutStateMachineArn}: deploy the current version of the stack`,
    );
  return awsBackend(arn, region, outputs[STACK_OUTPUTS.stopConditionsAlarmName]);
}
