/**
 * Erasure's published entry: what the local stack, the CLI (`tpi erase`) and the reliability runs
 * use to erase users, lift an erasure and serve the erase route. Only re-exports: importing it runs
 * nothing. (Who is erased, the log and record every function honours, is shared ground:
 * lambda/shared/erased-users.ts.)
 */
export { DynamoErasureStore, type ErasureTables, readErasureRecord } from './adapters/erasure-store.ts';
export {
  type EraseOptions,
  type EraseProgress,
  type EraseReport,
  eraseUser,
  liftErasure,
} from './application/erase-user.ts';
export { createErasureApi, type ErasureStatus, erasureActions } from './application/erasure-api.ts';
export type { ErasureRecord, ErasureRequests, ErasureStore } from './application/ports.ts';
export { eraseWorkerDependencies, erasureRequestDependencies } from './wiring.ts';
