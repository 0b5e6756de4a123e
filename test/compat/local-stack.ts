import { inject } from 'vitest';
import { startLocalStack } from '../../local/stack.ts';
import type { LocalStack, LocalStackOptions } from '../../local/stack-options.ts';
import { sharedFixture } from '../support/shared.ts';
import { waitFor } from '../support/wait.ts';

/** A local stack on free ports and the shared DynamoDB Local, with its log lines kept. */
export interface LoggedStack {
  readonly stack: LocalStack;
  readonly lines: string[];
  /** Waits for a log line matching `pattern`; bounded because delivery is asynchronous. */
  lineMatching(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

let started = 0;

/** Starts a local stack with its own tables; the caller stops it. */
export async function startLoggedStack(options: LocalStackOptions = {}): Promise<LoggedStack> {
  const lines: string[] = [];
  started += 1;
  const stack = await startLocalStack({
    port: 0,
    dynamodbEndpoint: inject('dynamoEndpoint'),
    tablePrefix: `compat${started}${Math.random().toString(36).slice(2, 7)}-`,
    flagCacheSeconds: 0,
    log: (line) => lines.push(line),
    ...options,
  });
  return {
    stack,
    lines,
    lineMatching: (pattern, timeoutMs) =>
      waitFor(
        `a log line matching ${pattern}; the log so far:\n${lines.slice(-50).join('\n')}`,
        () => lines.find((line) => pattern.test(line)),
        timeoutMs === undefined ? {} : { timeoutMs },
      ),
  };
}

/**
 * A logged stack the file's tests share: started before them, stopped after them. Its members are
 * read inside tests and hooks, once it has started.
 */
export function sharedLoggedStack(options: LocalStackOptions = {}): LoggedStack {
  return sharedFixture(
    () => startLoggedStack(options),
    (started) => started.stack.stop(),
  );
}
