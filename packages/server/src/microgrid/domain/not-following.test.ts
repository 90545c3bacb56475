import { describe, expect, it } from 'vitest';
import { balanceWithNotFollowing, type SessionToBalance } from './not-following';
import { uniformCapacity } from './phases';

const session = (id: string, extra: Partial<SessionToBalance> = {}): SessionToBalance => ({
  sessionId: id,
  chargerId: `charger-${id}`,
  phases: ['L1', 'L2', 'L3'],
  minCurrentA: 6,
  maxCurrentA: 32,
  priority: 0,
  startedAt: '2026-03-02T09:00:00Z',
  ...extra,
});

describe('balanceWithNotFollowing', () => {
  it('shares the capacity as the balancer does when every charger follows', () => {
    const result = balanceWithNotFollowing(uniformCapacity(40, 3), [session('a'), session('b')]);
    expect(result.map((a) => [a.sessionId, a.currentA, a.binding.kind])).toEqual([
      ['a', 20, 'CAPACITY'],
      ['b', 20, 'CAPACITY'],
    ]);
  });

  it('assumes a charger that does not follow draws its maximum, and shares only what is left', () => {
    const result = balanceWithNotFollowing(uniformCapacity(60, 3), [
      session('a', { notFollowing: 'Rejected its limit' }),
      session('b'),
      session('c'),
    ]);
    expect(result.map((a) => [a.sessionId, a.currentA, a.binding.kind])).toEqual([
      ['a', 32, 'NOT_FOLLOWING'],
      ['b', 14, 'CAPACITY'],
      ['c', 14, 'CAPACITY'],
    ]);
    expect(result[0]!.binding).toEqual({ kind: 'NOT_FOLLOWING', reason: 'Rejected its limit' });
  });

  it('takes a lower vehicle maximum as what the charger can draw', () => {
    const result = balanceWithNotFollowing(uniformCapacity(40, 3), [
      session('a', { notFollowing: 'offline', vehicleMaxCurrentA: 16 }),
      session('b'),
    ]);
    expect(result.map((a) => a.currentA)).toEqual([16, 24]);
  });

  it('pauses the others when the assumed draw leaves no room, only on the phases it uses', () => {
    const result = balanceWithNotFollowing(uniformCapacity(32, 3), [
      session('a', { notFollowing: 'no answer', phases: ['L1'] }),
      session('b', { phases: ['L1'] }),
      session('c', { phases: ['L2'] }),
    ]);
    expect(result.map((a) => [a.sessionId, a.currentA, a.binding.kind])).toEqual([
      ['a', 32, 'NOT_FOLLOWING'],
      ['b', 0, 'PAUSED'],
      ['c', 32, 'CHARGER_MAX'],
    ]);
  });
});
