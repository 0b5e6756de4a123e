import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

import {
  DynamoErasureStore,
  type ErasureTables,
  readErasureRecord,
} from '../lambda/erasure/adapters/erasure-store.ts';
import { eraseUser } from '../lambda/erasure/application/erase-user.ts';
import type { ErasureRecord, ErasureRequests } from '../lambda/erasure/application/ports.ts';
import { erasureSettleSeconds } from '../lambda/erasure/constants.ts';
import type { Cleanups, Database } from './database.ts';
import { LOCAL_INVOCATION_SECONDS } from './invocation-deadline.ts';

/** Options of {@link LocalErasureWorker}. */
export interface LocalErasureWorkerOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tables: ErasureTables;
  /** The stack's ErasureSettleSeconds. */
  readonly settleSeconds: number;
  readonly log: (line: string) => void;
}

/**
 * The deployed erasure queue and worker, in process: a request starts the user's erasure in the
 * background unless one is already running for them (the FIFO queue's message group), and a
 * failed run is logged and resumed by the next request, as the worker's redelivery resumes it.
 */
export class LocalErasureWorker implements ErasureRequests {
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly options: LocalErasureWorkerOptions) {}

  record(userId: string): Promise<ErasureRecord | undefined> {
    return readErasureRecord(this.options.doc, this.options.tables.stats, userId);
  }

  async request(userId: string): Promise<void> {
    if (this.running.has(userId)) return;
    const { doc, tables, settleSeconds, log } = this.options;
    const run = eraseUser(new DynamoErasureStore(doc, tables), userId, { settleMs: settleSeconds * 1000 })
      .then(
        (report) => log(`erased    ${userId}${report.resumed ? ' (resumed)' : ''} through the API`),
        (error: Error) =>
          log(
            `failed    erasure of ${userId}: ${error.message}; send DELETE /users/${userId} again to resume`,
          ),
      )
      .finally(() => this.running.delete(userId));
    this.running.set(userId, run);
  }

  /** Resolves once no erasure is running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }
}

/** Seconds a local erasure waits: the cache period plus one local invocation's longest run. */
export const localSettleSeconds = (cacheSeconds: number): number =>
  erasureSettleSeconds(cacheSeconds, LOCAL_INVOCATION_SECONDS);

/** The erasure worker part of the local stack; stopping the stack waits for running erasures. */
export function startErasureWorker(
  database: Database,
  cacheSeconds: number,
  log: (line: string) => void,
  cleanups: Cleanups,
): LocalErasureWorker {
  const worker = new LocalErasureWorker({
    doc: database.doc,
    tables: database.tables,
    settleSeconds: localSettleSeconds(cacheSeconds),
    log,
  });
  cleanups.push(() => worker.idle());
  return worker;
}
