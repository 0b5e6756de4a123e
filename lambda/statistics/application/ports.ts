import type { SequenceReader } from '../domain/overlay.ts';
import type { ProjectionCommit, ProjectionState } from '../domain/projection.ts';

/** What one load reads of a user's statistics partition. */
export interface StateRequest {
  /** Idempotency keys whose markers to read. */
  readonly keys: readonly string[];
  /** Slot names (`MATCH#…`, `TOURNAMENT#…`) to read. */
  readonly slots: readonly string[];
  /** Scopes (`all`, `game:{gameId}`) whose summary items to read. */
  readonly scopes: readonly string[];
}

/** Storage of the projector's per-user state. */
export interface ProjectionStore {
  /** Reads, in one consistent request, the summary items, slots and markers asked for. */
  load(userId: string, request: StateRequest): Promise<ProjectionState>;
  /** The user's stored sequences, read where a plan asks (strongly consistent). */
  sequences(userId: string): SequenceReader;
  /**
   * Writes a planned commit atomically. `conflict` means the state changed since it was read (a
   * concurrent or earlier application): nothing was written and the caller plans again.
   */
  commit(commit: ProjectionCommit): Promise<'committed' | 'conflict'>;
}
