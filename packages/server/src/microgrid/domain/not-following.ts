import { balanceLoad, type Allocation, type BalancerSession } from './load-balancer';
import { ALL_PHASES, type PhaseCapacity } from './phases';

/**
 * A session on a charger that is known not to follow its allocation (it refused its limit, did not
 * answer, or went offline while charging): `notFollowing` says why.
 */
export interface SessionToBalance extends BalancerSession {
  notFollowing?: string | undefined;
}

export type BalancedAllocation =
  | Allocation
  | (Omit<Allocation, 'binding'> & { binding: { kind: 'NOT_FOLLOWING'; reason: string } });

/**
 * The load balancer with the rule for chargers that do not follow (ADR 0024): such a charger is
 * assumed to draw its maximum (its charger maximum, or the vehicle's when that is lower). That load
 * is taken off each phase it draws on first; the others share what is left as usual, so the
 * circuit stays within its capacity whatever the refusing charger does.
 */
export function balanceWithNotFollowing(
  capacity: PhaseCapacity,
  sessions: readonly SessionToBalance[],
): BalancedAllocation[] {
  const remaining = { ...capacity };
  const assumed = new Map<string, number>();
  for (const s of sessions) {
    if (!s.notFollowing) continue;
    const draw = Math.min(s.maxCurrentA, s.vehicleMaxCurrentA ?? Number.POSITIVE_INFINITY);
    assumed.set(s.sessionId, draw);
    for (const phase of s.phases) remaining[phase] = remaining[phase] - draw;
  }
  for (const phase of ALL_PHASES) remaining[phase] = Math.max(0, remaining[phase]);
  const balanced = balanceLoad(
    remaining,
    sessions.filter((s) => !s.notFollowing),
  );
  const byId = new Map(balanced.map((a) => [a.sessionId, a]));
  return sessions.map((s) =>
    s.notFollowing
      ? {
          sessionId: s.sessionId,
          chargerId: s.chargerId,
          currentA: assumed.get(s.sessionId)!,
          binding: { kind: 'NOT_FOLLOWING' as const, reason: s.notFollowing },
        }
      : byId.get(s.sessionId)!,
  );
}
