/**
 * Erasure's published entry: erasing a user, lifting an erasure and the erase route's actions, for
 * what runs erasures outside the deployed worker (the local stack, `tpi erase`, the reliability
 * runs). Side-effect free. (Who is erased, the log and record every function honours, is shared
 * ground: lambda/shared/erased-users.ts.)
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
export { erasureSettleSeconds } from './constants.ts';
