import { stepReported } from './adapters/telemetry.ts';
import { type RolloutInput, type RolloutStepOutput, runRolloutStep } from './application/rollout.ts';
import {
  type RolloutExecution,
  type RolloutStepDependencies,
  rolloutStepDependenciesFromEnv,
} from './wiring.ts';

/** What the state machine passes to each step. */
export interface RolloutStepEvent extends RolloutExecution {
  /** The machine's input on the first step, the previous step's output after that. */
  readonly rollout: RolloutInput;
}

/** One step of the rollout state machine: check the stop conditions, then raise, wait, roll back or end. */
export function createRolloutStep(deps: RolloutStepDependencies) {
  return async (event: RolloutStepEvent): Promise<RolloutStepOutput> => {
    const { config } = deps;
    const output = await runRolloutStep(
      deps.portsFor(event),
      { ...event.rollout, sliceSeconds: event.rollout.sliceSeconds ?? config.waitSliceSeconds },
      Date.now(),
      { minEventsPerStep: config.minEventsPerStep },
    );
    stepReported(event.executionArn, output);
    return output;
  };
}

let deployed: ReturnType<typeof createRolloutStep> | undefined;

/** Lambda entry point (a task of the rollout state machine): dependencies are built on the first step. */
export const handler = (event: RolloutStepEvent): Promise<RolloutStepOutput> => {
  deployed ??= createRolloutStep(rolloutStepDependenciesFromEnv());
  return deployed(event);
};
