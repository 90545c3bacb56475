/**
 * The virtual site register (ADR 0040): each managed scope counts the energy its chargers' sessions
 * advance, so it never decreases and never resets, whatever happens to sessions and chargers.
 * Meters count per session (from each session's start); what a reading adds is how far it moves its
 * session's energy beyond the most the session had reached.
 */

/** A reading as the register sees it: the session's energy (Wh since the session started). */
export interface SessionEnergyReading {
  chargerId: string;
  sessionId: string | null;
  measuredAt: Date;
  energyWh: number;
}

/** Energy a charger added within one second of measurement (the second ending at `secondEnd`). */
export interface EnergyIncrement {
  chargerId: string;
  secondEnd: Date;
  energyWh: number;
}

/**
 * The end of the second a reading belongs to: readings in (t − 1 s, t] count at t, so a window
 * (from, to] on whole seconds holds exactly the readings measured within it.
 */
export function secondEnd(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / 1000) * 1000);
}

/**
 * What the readings add to the registers, given the energy each session had reached before them.
 * Readings count in the order they were measured; one that does not move its session beyond what
 * it had reached (a late, repeated or lower reading) adds nothing. Readings outside a session, or
 * of a session not in `reached`, add nothing.
 */
export function registerIncrements(
  readings: readonly SessionEnergyReading[],
  reached: ReadonlyMap<string, number>,
): EnergyIncrement[] {
  const highest = new Map(reached);
  const bySecond = new Map<string, EnergyIncrement>();
  const ordered = [...readings].sort((a, b) => a.measuredAt.getTime() - b.measuredAt.getTime());
  for (const r of ordered) {
    if (r.sessionId === null) continue;
    const before = highest.get(r.sessionId);
    if (before === undefined || !(r.energyWh > before)) continue;
    highest.set(r.sessionId, r.energyWh);
    const second = secondEnd(r.measuredAt);
    const key = `${r.chargerId}@${second.getTime()}`;
    const increment = bySecond.get(key) ?? {
      chargerId: r.chargerId,
      secondEnd: second,
      energyWh: 0,
    };
    increment.energyWh += r.energyWh - before;
    bySecond.set(key, increment);
  }
  return [...bySecond.values()];
}
