import type { ChargerIntegration } from '../../microgrid/app/charger-integration';
import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../../platform/auth/secrets';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db/database';
import * as chargePoints from '../store/charge-point-store';
import * as limits from '../store/limit-store';
import { openTransaction } from '../store/transaction-store';
import { audit, chargePointStream, REFUSALS_STREAM } from './audit';

/** Constant time, so response times do not tell how much of a password was right. */
function hashesMatch(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export type RefusalReason =
  'UNKNOWN_ID' | 'NO_PASSWORD_SET' | 'NO_PASSWORD_SENT' | 'WRONG_PASSWORD';

export type Authentication = { ok: true; chargerId: string } | { ok: false; reason: RefusalReason };

/**
 * Who may connect, and the record of who is connected where. A connection belongs to the one
 * charger whose id is in its URL and whose password it sent (Basic auth, security profile 1 or 2),
 * so a charger can never act as another.
 */
export class ConnectionService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly integration: ChargerIntegration,
    private readonly instanceId: string,
  ) {}

  /** Checks the upgrade's credentials; every refusal is audited with what was claimed. */
  async authenticate(
    chargePointId: string,
    password: Buffer | undefined,
    remoteAddress: string | undefined,
  ): Promise<Authentication> {
    const cp = await chargePoints.findByChargePointId(this.db, chargePointId);
    const reason: RefusalReason | undefined = !cp
      ? 'UNKNOWN_ID'
      : !cp.passwordHash
        ? 'NO_PASSWORD_SET'
        : password === undefined
          ? 'NO_PASSWORD_SENT'
          : hashesMatch(sha256(password.toString('utf8')), cp.passwordHash)
            ? undefined
            : 'WRONG_PASSWORD';
    if (cp && reason === undefined) return { ok: true, chargerId: cp.chargerId };
    const now = this.clock.now();
    const event = {
      type: 'OcppConnectionRefused',
      data: {
        chargePointId: chargePointId.slice(0, 100),
        reason: reason!,
        remoteAddress: remoteAddress ?? null,
        at: now.toISOString(),
        ...(cp ? { chargerId: cp.chargerId } : {}),
      },
    };
    await audit(this.db, cp ? chargePointStream(cp.chargerId) : REFUSALS_STREAM, event, now);
    return { ok: false, reason: reason! };
  }

  /**
   * The charger is reachable through this connection on this instance from now on. Its current
   * limit, if it has a transaction, is sent again: it may have missed changes while away.
   */
  async connected(
    chargerId: string,
    connectionId: string,
  ): Promise<{ minCurrentA: number; numberPhases: number } | undefined> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const charger = await this.integration.charger(trx, chargerId);
      if (!charger) return undefined;
      await chargePoints.markConnected(
        trx,
        chargerId,
        { connectionId, instanceId: this.instanceId },
        now,
      );
      await limits.resend(trx, chargerId);
      return { minCurrentA: charger.minCurrentA, numberPhases: charger.phases.length };
    });
  }

  /**
   * The socket closed. A charger that goes away in the middle of a transaction is no longer known
   * to follow its limit (ADR 0024) until it takes one again.
   */
  async disconnected(chargerId: string, connectionId: string): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      if (!(await chargePoints.markDisconnected(trx, chargerId, connectionId, now))) return;
      if (await openTransaction(trx, chargerId)) {
        await this.integration.setFollowing(trx, chargerId, 'Offline while charging', now);
      }
    });
  }
}
