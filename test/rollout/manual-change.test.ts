import { describe, expect, it } from 'vitest';
import { changeFlagByHand, restoreByHand } from '../../lambda/rollout/application/manual-change.ts';
import { forcedRaiseOf } from '../../lambda/rollout/domain/force.ts';
import { RaiseRefusedError } from '../../lambda/rollout/errors.ts';
import { MemoryRollout } from './memory-rollout.ts';

describe('changing the flag by hand', () => {
  it('refuses `flag set 50` while a stop condition is in ALARM, naming it, and writes nothing', async () => {
    const store = new MemoryRollout('10');
    store.fire('PaymentsDown', 'webhook errors', 'tournament-operations');

    const set = changeFlagByHand(store.ports(), '50');

    await expect(set).rejects.toBeInstanceOf(RaiseRefusedError);
    await expect(set).rejects.toThrow(
      /from 10 to 50: stop condition\(s\) in ALARM: PaymentsDown \(tournament-operations\): webhook errors/,
    );
    expect(store.flag).toBe('10');
  });

  it('always allows lowering, whatever is in ALARM', async () => {
    const store = new MemoryRollout('50');
    store.fire('ErrorRate', 'error rate');

    const change = await changeFlagByHand(store.ports(), '10');

    expect(change).toMatchObject({ from: '50', to: '10', raised: false });
    expect(store.flag).toBe('10');
  });

  it('refuses a raise while the audit is not running, and raises when nothing blocks it', async () => {
    const store = new MemoryRollout('10');
    store.blockers = ['the scheduled audit is not running'];

    await expect(changeFlagByHand(store.ports(), '25')).rejects.toThrow(/audit is not running/);
    store.blockers = [];
    expect(await changeFlagByHand(store.ports(), '25')).toMatchObject({ raised: true, overridden: [] });
    expect(store.flag).toBe('25');
  });

  it('raises with --force and a reason, recording the version, who and why with the flag', async () => {
    const store = new MemoryRollout('10');
    store.fire('ErrorRate', 'error rate');

    const change = await changeFlagByHand(store.ports(), '50', {
      by: 'ana',
      reason: 'alarm is a false positive (INC-42)',
    });

    const latest = store.versions.at(-1);
    expect(store.flag).toBe('50');
    expect(change.forced).toEqual({ version: 2, by: 'ana', reason: 'alarm is a false positive (INC-42)' });
    expect(forcedRaiseOf(latest?.description, latest?.version ?? 0)).toEqual(change.forced);
  });

  it('refuses --force without a reason', async () => {
    const store = new MemoryRollout('10');
    store.fire('ErrorRate', 'error rate');

    await expect(changeFlagByHand(store.ports(), '50', { by: 'ana', reason: ' ' })).rejects.toThrow(
      /--force needs --reason/,
    );
    expect(store.flag).toBe('10');
  });

  it('`flag restore` is a raise like any other: refused while a stop condition is in ALARM', async () => {
    const store = new MemoryRollout('off');
    store.previous = '25';
    store.fire('ErrorRate', 'error rate');

    await expect(restoreByHand(store.ports())).rejects.toBeInstanceOf(RaiseRefusedError);
    store.alarms = [];
    expect(await restoreByHand(store.ports())).toMatchObject({ to: '25', raised: true });
    expect(store.flag).toBe('25');
  });
});
