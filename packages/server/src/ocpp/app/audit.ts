import type { Executor } from '../../platform/db/database';
import { appendToStream, type NewEvent } from '../../platform/events/event-store';

/** Refused connections, whoever they claimed to be (unknown ids have no charger to file them under). */
export const REFUSALS_STREAM = 'ocpp-refusals';

export function chargePointStream(chargerId: string): string {
  return `ocpp-charge-point-${chargerId}`;
}

export async function audit(
  db: Executor,
  stream: string,
  event: NewEvent,
  now: Date,
): Promise<void> {
  await appendToStream(db, stream, 'any', [event], now);
}
