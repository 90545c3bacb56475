import type { CircuitBreaches } from '../../api/types';
import { formatAmps, formatTime } from '../../format';

/** What breach detection sees on a circuit now, in one sentence. */
export function breachSummary(b: CircuitBreaches, timeZone: string): string {
  const time = (iso: string | null) => (iso ? formatTime(iso, timeZone) : '—');
  if (b.status === 'OPEN' && b.open) {
    const drew = `${b.open.phase} drew ${formatAmps(b.open.measuredA)} against ${formatAmps(b.open.limitA)}`;
    const back = b.withinSince
      ? ` Back under the limit since ${time(b.withinSince)}; it ends at ${time(b.holdEndsAt)} if it stays there.`
      : '';
    return `Breach since ${time(b.open.since)} (${drew}).${back}`;
  }
  if (b.status === 'SUSPECTED')
    return `Over the limit since ${time(b.overSince)}: a breach if it lasts until ${time(b.holdEndsAt)}.`;
  if (!b.envelopeInForce)
    return 'No envelope in force: breaches are watched while an envelope sets the limit.';
  return `Every phase within ${formatAmps(b.limitA)} (plus ${formatAmps(b.toleranceA)} tolerance).`;
}

/** The rule in force, as operators configure it. */
export function breachRule(b: CircuitBreaches): string {
  const s = b.settings;
  return `Tolerance ${s.tolerancePercent} % or ${formatAmps(s.toleranceA)}, whichever is larger (${formatAmps(b.toleranceA)} now); hold time ${s.holdSeconds} s; worse by ${s.worseningPercent} % of the limit.`;
}
