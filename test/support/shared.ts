import { afterAll, beforeAll } from 'vitest';

/**
 * A fixture a file's tests share: started before them, closed after them. The object returned
 * stands for it from the moment it has started, so tests read `fixture.member` without a variable
 * assigned in a hook; reading it earlier (at collection time) fails and says so.
 */
export function sharedFixture<T extends object>(
  start: () => Promise<T>,
  close: (fixture: T) => unknown = () => undefined,
): T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    if (started) await close(started);
  });
  return new Proxy({} as T, {
    get(_, key) {
      if (!started)
        throw new Error('the shared fixture starts before the tests: read it inside a test or hook');
      const member: unknown = Reflect.get(started, key, started);
      return typeof member === 'function' ? member.bind(started) : member;
    },
  });
}
