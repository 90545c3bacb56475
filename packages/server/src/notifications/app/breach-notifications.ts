import type { BreachObserver } from '../../microgrid/app/breach-detection';
import type { NotificationService } from './notifications';

const amps = (a: number) => `${Math.round(a * 10) / 10} A`;

/**
 * Operators hear of a breach when it starts (an alarm: the site draws more than it may) and when
 * it ends. A worsening is left to the circuit page and to adapters, so a long breach does not
 * flood the notification list.
 */
export function breachNotifications(notifications: NotificationService): BreachObserver {
  return {
    async breachChanged(trx, { change, circuit }, now) {
      const context = {
        circuitId: circuit.id,
        circuitName: circuit.name,
        microgridId: circuit.microgridId,
        episodeId: change.episodeId,
        phase: change.phase,
        limitA: change.limitA,
        measuredA: change.measuredA,
        since: change.since.toISOString(),
      };
      if (change.type === 'BreachStarted') {
        await notifications.raise(
          trx,
          {
            kind: 'BREACH_STARTED',
            severity: 'ALARM',
            title: `Breach on ${circuit.name}`,
            message: `${change.phase} draws ${amps(change.measuredA)} against a limit of ${amps(change.limitA)} per phase, since ${change.since.toISOString()}.`,
            context,
          },
          now,
        );
      } else if (change.type === 'BreachEnded') {
        await notifications.raise(
          trx,
          {
            kind: 'BREACH_ENDED',
            severity: 'INFO',
            title: `Breach ended on ${circuit.name}`,
            message: `The load is back under the limit since ${change.endedAt.toISOString()} (peak ${amps(change.peakA)} on ${change.peakPhase}).`,
            context: { ...context, endedAt: change.endedAt.toISOString() },
          },
          now,
        );
      }
    },
  };
}
