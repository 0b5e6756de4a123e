import type { Figure } from './lib/report.ts';
import { ratio } from './lib/stats.ts';
import type { ErasedUsersResult } from './scenarios/erased-users.ts';

/**
 * Recording with erased users: the check is a lookup in memory, so neither requests nor throughput
 * may move with the size of the erasure log.
 */
export function erasedFigures(erased: readonly ErasedUsersResult[]): Figure[] {
  const section = 'Recording with erased users (16 in flight; the erasure log cached like the flag)';
  const none = erased.find((r) => r.erasedUsers === 0);
  return erased.flatMap((r): Figure[] => {
    const n = r.erasedUsers.toLocaleString('en-US');
    const id = `erased.u${r.erasedUsers}`;
    const figures: Figure[] = [
      {
        id: `${id}.eventsPerSecond`,
        section,
        label: `${n} erased: throughput`,
        value: r.eventsPerSecond,
        unit: 'events/s',
      },
      {
        id: `${id}.requestsPerEvent`,
        section,
        label: `${n} erased: requests per event`,
        value: r.requestsPerEvent,
        unit: 'requests/event',
        goal: { op: '<=', bound: 1.01 },
      },
      {
        id: `${id}.loadMs`,
        section,
        label: `${n} erased: cold load of the log`,
        value: r.loadMs,
        unit: 'ms',
      },
      {
        id: `${id}.loadRequests`,
        section,
        label: `${n} erased: requests of the cold load`,
        value: r.loadRequests,
        unit: 'requests',
      },
    ];
    if (none && r !== none)
      figures.push({
        id: `${id}.toNone`,
        section,
        label: `${n} erased / none: throughput`,
        value: ratio(r.eventsPerSecond, none.eventsPerSecond),
        unit: 'ratio',
        goal: { op: '>=', bound: 0.9 },
        headline: true,
      });
    return figures;
  });
}
