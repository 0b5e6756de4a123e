import { describe, expect, it } from 'vitest';
import { onFlagChange, onStopConditionAlarm } from '../../lambda/rollout/application/rollback.ts';
import { forceDescription } from '../../lambda/rollout/domain/force.ts';
import { MemoryRollout } from './memory-rollout.ts';

const SECOND = 1000;
const T0 = Date.parse('2026-05-01T12:00:00Z');
const OPERATOR = 'arn:aws:iam::111122223333:user/ana';

/** A flag at `flag`, armed until an hour after T0 (a rollout or its bake time is on). */
function armed(flag: string): MemoryRollout {
  const store = new MemoryRollout(flag);
  store.arming = { armedUntil: T0 + 3600 * SECOND };
  return store;
}

describe('the stop-conditions composite in ALARM', () => {
  it('while armed, turns the flag off, saves it, and names the stop condition that fired', async () => {
    const store = armed('25');
    store.fire('ErrorRate', '2 of 3 periods above 0.1%');

    const outcome = await onStopConditionAlarm(store.ports(), T0);

    expect(outcome).toMatchObject({ action: 'rolled-back', flag: 'off', previous: '25' });
    expect(outcome.firing).toBe('ErrorRate (integration-error-rate): 2 of 3 periods above 0.1%');
    expect(store.flag).toBe('off');
    expect(store.previous).toBe('25');
  });

  it('after the bake time, pages only: the flag stays on and the message says so', async () => {
    const store = new MemoryRollout('on');
    store.arming = { armedUntil: T0 - SECOND };
    store.fire('ErrorRate', '2 of 3 periods above 0.1%');

    const outcome = await onStopConditionAlarm(store.ports(), T0);

    expect(outcome.action).toBe('paged');
    expect(outcome.message).toMatch(
      /Not armed \(the stop conditions were armed until .*\): the flag stays on; this pages only/,
    );
    expect(store.flag).toBe('on');
    expect(store.previous).toBe('none');
  });

  it('saves the value before a raise still pending, not the raised value', async () => {
    const store = armed('50');
    store.arming = { ...store.arming, pendingRaise: { from: '25', to: '50', at: T0 - SECOND } };
    store.fire('ErrorRate', 'error rate');

    const outcome = await onStopConditionAlarm(store.ports(), T0);

    expect(outcome).toMatchObject({ action: 'rolled-back', previous: '25' });
    expect(store.arming.pendingRaise).toBeUndefined();
  });

  it('leaves a flag that is off, and the value saved before, alone', async () => {
    const store = armed('off');
    store.previous = '25';
    store.fire('ErrorRate', 'error rate');

    expect((await onStopConditionAlarm(store.ports(), T0)).action).toBe('already-off');
    expect(store.previous).toBe('25');
  });
});

describe('a change of the flag', () => {
  it('undoes a raw raise made while armed and a stop condition is in ALARM, saying who raised it', async () => {
    // Prepare: the rollback turned the flag off (25 saved); an operator puts 50 with aws ssm.
    const store = armed('off');
    store.previous = '25';
    store.fire('ErrorRate', 'error rate');
    store.putByHand('50', OPERATOR);

    // Act
    const outcome = await onFlagChange(store.ports(), T0);

    // Assess: off again, the pre-incident 25 still saved, the operator named.
    expect(outcome.action).toBe('rolled-back');
    expect(outcome.message).toContain(`raised from off to 50 by ${OPERATOR}`);
    expect(store.flag).toBe('off');
    expect(store.previous).toBe('25');
  });

  it('leaves a forced raise alone and says who forced it and why', async () => {
    const store = armed('off');
    store.fire('ErrorRate', 'error rate');
    store.putByHand(
      '50',
      OPERATOR,
      forceDescription({ version: 2, by: 'ana', reason: 'false positive, INC-42' }),
    );

    const outcome = await onFlagChange(store.ports(), T0);

    expect(outcome.action).toBe('left-forced');
    expect(outcome.message).toContain('with --force (asked by ana): "false positive, INC-42"');
    expect(store.flag).toBe('50');
  });

  it('does not count a description kept from a forced version as a force of the next one', async () => {
    const store = armed('off');
    store.fire('ErrorRate', 'error rate');
    store.putByHand('10', OPERATOR, forceDescription({ version: 2, by: 'ana', reason: 'once' }));
    store.putByHand('50', OPERATOR, forceDescription({ version: 2, by: 'ana', reason: 'once' }));

    expect((await onFlagChange(store.ports(), T0)).action).toBe('rolled-back');
    expect(store.flag).toBe('off');
  });

  it("ignores lowering, the rollback's own off included, and raises when nothing is in ALARM or not armed", async () => {
    const lowered = armed('50');
    lowered.fire('ErrorRate', 'error rate');
    lowered.putByHand('off', OPERATOR);
    const quiet = armed('10');
    quiet.putByHand('50', OPERATOR);
    const baked = new MemoryRollout('10');
    baked.fire('ErrorRate', 'error rate');
    baked.putByHand('50', OPERATOR);

    expect((await onFlagChange(lowered.ports(), T0)).action).toBe('ignored');
    expect((await onFlagChange(quiet.ports(), T0)).action).toBe('ignored');
    expect((await onFlagChange(baked.ports(), T0)).action).toBe('ignored');
    expect([lowered.flag, quiet.flag, baked.flag]).toEqual(['off', '50', '50']);
  });
});
