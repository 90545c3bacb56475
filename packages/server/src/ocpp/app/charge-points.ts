import { randomBytes } from 'node:crypto';
import type { ChargerIntegration } from '../../microgrid/app/charger-integration';
import { sha256 } from '../../platform/auth/secrets';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db/database';
import type { IdTagPolicy } from '../domain/id-tags';
import { isValidChargePointId, isValidConnectorIds } from '../domain/identity';
import * as chargePoints from '../store/charge-point-store';
import { findPolicy, savePolicy } from '../store/id-tag-policy-store';
import { findLimits, type LimitRow } from '../store/limit-store';
import { recentLog } from '../store/message-log-store';
import { openTransactionsOf } from '../store/open-transactions';
import { audit, chargePointStream } from './audit';
import { appErrors } from '../../platform/errors';

export interface ChargePointStatusSettings {
  heartbeatIntervalS: number;
}

/** How OCPP marks the chargers it controls in the depot model. */
export const OCPP_CONTROLLER = 'OCPP';

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505'
  );
}

/** A new password: 20 random bytes as 40 hex characters (the OCPP security profiles' key size). */
function newPassword(): string {
  return randomBytes(20).toString('hex');
}

/**
 * OCPP identities and credentials of the depot's chargers, the id-tag policy per depot, and what
 * the console shows of each charge point. Passwords are generated, shown once and stored as
 * SHA-256: they are 160 random bits, so a slow hash would only slow every reconnect down.
 */
export class ChargePointService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly integration: ChargerIntegration,
    private readonly settings: ChargePointStatusSettings,
  ) {}

  /** Gives a charger its OCPP identity, or changes it. */
  async assign(
    chargerId: string,
    input: { chargePointId: string; connectorIds: number[] },
    by: string,
  ): Promise<void> {
    if (!isValidChargePointId(input.chargePointId)) {
      const message = '1 to 48 letters, digits or . _ ~ * + @ = - (no slash, colon or space)';
      throw appErrors.invalid(`chargePointId: ${message}`, [{ field: 'chargePointId', message }]);
    }
    if (!isValidConnectorIds(input.connectorIds)) {
      const message = 'distinct whole numbers from 1 to 99';
      throw appErrors.invalid(`connectorIds: ${message}`, [{ field: 'connectorIds', message }]);
    }
    const now = this.clock.now();
    try {
      await this.db.transaction().execute(async (trx) => {
        if (!(await this.integration.charger(trx, chargerId))) {
          throw appErrors.notFound('Charger', chargerId);
        }
        const existing = await chargePoints.findByCharger(trx, chargerId, true);
        if (existing) await chargePoints.updateIdentity(trx, chargerId, input);
        else await chargePoints.insertIdentity(trx, { chargerId, ...input, now });
        await this.integration.setControlledBy(trx, chargerId, OCPP_CONTROLLER);
        await audit(
          trx,
          chargePointStream(chargerId),
          { type: 'OcppIdentityAssigned', data: { ...input, by, at: now.toISOString() } },
          now,
        );
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw appErrors.conflict(
          `Charge point id "${input.chargePointId}" is already used by another charger.`,
          { field: 'chargePointId' },
        );
      }
      throw error;
    }
  }

  /** A new password for the charger; the previous one opens no new connection. Shown once. */
  async rotatePassword(chargerId: string, by: string): Promise<{ password: string }> {
    const now = this.clock.now();
    const password = newPassword();
    await this.db.transaction().execute(async (trx) => {
      if (!(await chargePoints.findByCharger(trx, chargerId, true))) {
        throw appErrors.notFound('OCPP identity of charger', chargerId);
      }
      await chargePoints.setPasswordHash(trx, chargerId, sha256(password), now);
      await audit(
        trx,
        chargePointStream(chargerId),
        { type: 'OcppPasswordRotated', data: { by, at: now.toISOString() } },
        now,
      );
    });
    return { password };
  }

  async remove(chargerId: string, by: string): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      if (!(await chargePoints.deleteIdentity(trx, chargerId))) {
        throw appErrors.notFound('OCPP identity of charger', chargerId);
      }
      await this.integration.setControlledBy(trx, chargerId, null);
      await audit(
        trx,
        chargePointStream(chargerId),
        { type: 'OcppIdentityRemoved', data: { by, at: now.toISOString() } },
        now,
      );
    });
  }

  idTagPolicy(microgridId: string): Promise<IdTagPolicy> {
    return findPolicy(this.db, microgridId);
  }

  async setIdTagPolicy(microgridId: string, policy: IdTagPolicy): Promise<void> {
    try {
      await savePolicy(this.db, microgridId, policy, this.clock.now());
    } catch (error) {
      if ((error as { code?: unknown }).code === '23503') {
        throw appErrors.notFound('Microgrid', microgridId);
      }
      throw error;
    }
  }

  /** Every charge point on a circuit as the console shows it. */
  async onCircuit(circuitId: string) {
    const now = this.clock.now();
    const cps = await chargePoints.listOnCircuit(this.db, circuitId);
    const ids = cps.map((cp) => cp.chargerId);
    const [limits, open] = await Promise.all([
      findLimits(this.db, ids),
      openTransactionsOf(this.db, ids),
    ]);
    return cps.map((cp) => this.#view(cp, limits.get(cp.chargerId), open.get(cp.chargerId), now));
  }

  async ofCharger(chargerId: string) {
    const cp = await chargePoints.findByCharger(this.db, chargerId);
    if (!cp) return null;
    const [limits, open] = await Promise.all([
      findLimits(this.db, [chargerId]),
      openTransactionsOf(this.db, [chargerId]),
    ]);
    return this.#view(cp, limits.get(chargerId), open.get(chargerId), this.clock.now());
  }

  #view(
    cp: chargePoints.ChargePointRow,
    limit: LimitRow | undefined,
    tx: { transactionId: number; connectorId: number } | undefined,
    now: Date,
  ) {
    // Online while a connection is recorded and the charger spoke within two heartbeat intervals.
    const staleAfterMs = 2 * this.settings.heartbeatIntervalS * 1000 + 30_000;
    const online =
      cp.connectionId !== null &&
      cp.lastMessageAt !== null &&
      now.getTime() - cp.lastMessageAt.getTime() <= staleAfterMs;
    return {
      chargerId: cp.chargerId,
      chargePointId: cp.chargePointId,
      connectorIds: cp.connectorIds,
      passwordSetAt: cp.passwordSetAt?.toISOString() ?? null,
      online,
      connectedAt: cp.connectedAt?.toISOString() ?? null,
      disconnectedAt: cp.disconnectedAt?.toISOString() ?? null,
      lastMessageAt: cp.lastMessageAt?.toISOString() ?? null,
      boot: cp.bootedAt
        ? {
            vendor: cp.vendor ?? '',
            model: cp.model ?? '',
            serialNumber: cp.serialNumber,
            firmwareVersion: cp.firmwareVersion,
            bootedAt: cp.bootedAt.toISOString(),
          }
        : null,
      connectors: Object.entries(cp.connectorStatus)
        .map(([connectorId, s]) => ({ connectorId: Number(connectorId), ...s }))
        .sort((a, b) => a.connectorId - b.connectorId),
      transaction: tx ? { transactionId: tx.transactionId, connectorId: tx.connectorId } : null,
      limit: limit
        ? {
            desiredA: limit.desiredA,
            state: limit.state,
            sentA: limit.sentA,
            sentAt: limit.sentAt?.toISOString() ?? null,
            answer: limit.answer,
            answeredAt: limit.answeredAt?.toISOString() ?? null,
            answerDetail: limit.answerDetail,
          }
        : null,
    };
  }

  async log(chargerId: string, limit: number) {
    const rows = await recentLog(this.db, chargerId, limit);
    return rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      direction: r.direction as 'IN' | 'OUT',
      kind: r.kind as 'CALL' | 'RESULT' | 'ERROR',
      action: r.action,
      messageId: r.message_id,
      payload: r.payload,
    }));
  }
}
