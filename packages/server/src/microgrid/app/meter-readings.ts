import type { Trx } from '../../platform/db/database';
import * as integration from '../store/charger-integration-store';
import { countIntoRegisters } from '../store/energy-register-store';

/**
 * Stores readings attributed to their sessions: what they add to the scopes' registers first (while
 * the sessions still hold the energy they had reached), then the readings and the sessions' energy.
 * Every way readings arrive goes through here, so the registers miss none.
 */
export async function recordSessionReadings(
  trx: Trx,
  readings: readonly integration.SessionReading[],
): Promise<void> {
  if (readings.length === 0) return;
  await countIntoRegisters(trx, readings);
  await integration.insertSessionReadings(trx, readings);
}
