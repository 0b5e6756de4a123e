import type { ProjectionCommit, ProjectionState } from '../domain/projection.ts';

/** Storage of the projector's per-user state. */
export interface ProjectionStore {
  /** Reads a user's statistics, the given slots and which of the given keys were applied. */
  load(userId: string, keys: readonly string[], slots: readonly string[]): Promise<ProjectionState>;
  /**
   * Writes a planned commit atomically. `conflict` means the state changed since it was read (a
   * concurrent or earlier application): nothing was written and the caller plans again.
   */
  commit(commit: ProjectionCommit): Promise<'committed' | 'conflict'>;
}
