import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { erasureSettleSeconds } from '../lambda/erasure/constants.ts';
import { ErasureAccess } from './constructs/erasure-access.ts';
import { ErasureService } from './constructs/erasure-service.ts';
import {
  FUNCTION_TIMEOUT,
  type FunctionDefaults,
  type IntegrationFunction,
} from './constructs/integration-function.ts';
import type { ProfileApi } from './constructs/profile-api.ts';
import type { ErasureOutputs } from './stack-outputs.ts';

/** The stack erasure is added to: its tables, the functions that skip erased users, the read API. */
export interface ErasureHost extends Construct {
  readonly tables: { readonly activities: Table; readonly stats: Table; readonly deadLetters: Table };
  readonly recordingFunction: IntegrationFunction;
  readonly statisticsFunction: IntegrationFunction;
  /** Answers as for an unknown user once erased, and carries the erase route. */
  readonly profileApi: ProfileApi;
}

/** Settings of {@link addErasure}. */
export interface ErasureSettings {
  /** Seconds every function caches the set of erased users. */
  readonly erasureCacheSeconds: number;
  readonly defaults: FunctionDefaults;
}

/**
 * Erasure, as children of the stack (ids `Erasure` and `ErasureService`): the functions may query the
 * erasure log and nothing more of it; operators get a managed policy for `tpi erase`; the read API
 * gets the IAM-only `DELETE /users/{userId}` route with its queue and worker. The wait between the
 * erasure record and the deletes covers the cache period and one function timeout.
 */
export function addErasure(stack: ErasureHost, settings: ErasureSettings): ErasureOutputs {
  const { activities, stats, deadLetters } = stack.tables;
  const { profileApi } = stack;
  const access = new ErasureAccess(stack, 'Erasure', {
    activities,
    stats,
    deadLetters,
    logReaders: [
      stack.recordingFunction.function,
      stack.statisticsFunction.function,
      profileApi.readFunction.function,
    ],
  });
  const settleSeconds = erasureSettleSeconds(settings.erasureCacheSeconds, FUNCTION_TIMEOUT.toSeconds());
  const service = new ErasureService(stack, 'ErasureService', {
    api: profileApi.api,
    stage: profileApi.stage,
    activities,
    stats,
    deadLetters,
    erasurePolicy: access.operatorPolicy,
    settleSeconds,
    defaults: settings.defaults,
  });
  return { settleSeconds, operatorPolicy: access.operatorPolicy, service };
}
