import type { Clock } from '../../platform/clock';
import type { Db, Trx } from '../../platform/db/database';
import type { ChargerIntegration, SessionReading } from '../../microgrid/app/charger-integration';
import { idTagStatus } from '../domain/id-tags';
import type {
  AuthorizeRequest,
  BootNotificationRequest,
  IdTagInfo,
  MeterValue,
  MeterValuesRequest,
  StartTransactionRequest,
  StatusNotificationRequest,
  StopTransactionRequest,
} from '../domain/messages';
import { readMeterValue } from '../domain/meter-values';
import * as chargePoints from '../store/charge-point-store';
import { findPolicy } from '../store/id-tag-policy-store';
import { clearLimit } from '../store/limit-store';
import { appendLog, type LogEntry } from '../store/message-log-store';
import * as transactions from '../store/transaction-store';
import { OcppCallRefused } from './errors';

/** Who is calling: the charger the connection authenticated as, and that connection. */
export interface CallerContext {
  chargerId: string;
  connectionId: string;
}

export interface InboundCall {
  action: string;
  messageId: string;
  params: Record<string, unknown>;
}

export interface InboundSettings {
  heartbeatIntervalS: number;
}

/**
 * What connected chargers tell us. Each call is one transaction: the charge point's record, the
 * depot's facts through the microgrid's ChargerIntegration, and the message log commit together,
 * so a call is either fully applied (and answered) or not at all (and the charger retries).
 */
export class InboundService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly integration: ChargerIntegration,
    private readonly settings: InboundSettings,
  ) {}

  /**
   * Runs `work` for a call in one transaction with the log of the call and its answer. A refusal
   * rolls the work back and is logged on its own.
   */
  async handle<T extends object>(
    caller: CallerContext,
    call: InboundCall,
    work: (trx: Trx, now: Date) => Promise<T>,
  ): Promise<T> {
    const now = this.clock.now();
    const logged = (kind: LogEntry['kind'], payload: LogEntry['payload']): LogEntry[] => [
      {
        chargerId: caller.chargerId,
        at: now,
        direction: 'IN',
        kind: 'CALL',
        action: call.action,
        messageId: call.messageId,
        payload: call.params,
      },
      {
        chargerId: caller.chargerId,
        at: now,
        direction: 'OUT',
        kind,
        action: call.action,
        messageId: call.messageId,
        payload,
      },
    ];
    try {
      return await this.db.transaction().execute(async (trx) => {
        if (!(await chargePoints.touch(trx, caller.chargerId, caller.connectionId, now))) {
          throw new OcppCallRefused(
            'SecurityError',
            'This connection was replaced by a newer one.',
          );
        }
        const result = await work(trx, now);
        await appendLog(trx, logged('RESULT', result as Record<string, unknown>));
        return result;
      });
    } catch (error) {
      // Never the internal message on the wire: the edge logs the cause.
      const refusal =
        error instanceof OcppCallRefused
          ? error
          : new OcppCallRefused('InternalError', 'The call could not be processed; try again.', {
              cause: error,
            });
      await appendLog(
        this.db,
        logged('ERROR', { code: refusal.code, message: refusal.message }),
      ).catch(() => undefined);
      throw refusal;
    }
  }

  /** Frames the RPC library answered itself (malformed, or failing the schema), for the log. */
  async logAnsweredByLibrary(entries: readonly LogEntry[]): Promise<void> {
    await appendLog(this.db, entries);
  }

  async #charger(trx: Trx, chargerId: string) {
    const charger = await this.integration.charger(trx, chargerId);
    if (!charger)
      throw new OcppCallRefused('SecurityError', 'This charger is no longer in the depot.');
    return charger;
  }

  async #connectorOf(trx: Trx, caller: CallerContext, connectorId: number, allowZero: boolean) {
    const cp = await chargePoints.findByCharger(trx, caller.chargerId);
    if (!cp)
      throw new OcppCallRefused(
        'SecurityError',
        'This charge point has no OCPP identity any more.',
      );
    if ((allowZero && connectorId === 0) || cp.connectorIds.includes(connectorId)) return cp;
    throw new OcppCallRefused(
      'PropertyConstraintViolation',
      `connectorId ${connectorId} is not a connector of ${cp.chargePointId} (configured: ${cp.connectorIds.join(', ')})`,
    );
  }

  /**
   * A boot is a restart: whatever transaction was open on the charger ended with it (a charger
   * that lost power cannot still be charging), so its session is closed. The answer accepts the
   * charger with our heartbeat interval.
   */
  boot(caller: CallerContext, call: InboundCall, req: BootNotificationRequest) {
    return this.handle(caller, call, async (trx, now) => {
      await chargePoints.recordBoot(
        trx,
        caller.chargerId,
        {
          vendor: req.chargePointVendor,
          model: req.chargePointModel,
          serialNumber: req.chargePointSerialNumber ?? req.chargeBoxSerialNumber ?? null,
          firmwareVersion: req.firmwareVersion ?? null,
        },
        now,
      );
      await this.#endOpenTransaction(trx, caller.chargerId, now, null, 'Reboot');
      return {
        status: 'Accepted',
        currentTime: now.toISOString(),
        interval: this.settings.heartbeatIntervalS,
      };
    });
  }

  heartbeat(caller: CallerContext, call: InboundCall) {
    return this.handle(caller, call, async (_trx, now) => ({ currentTime: now.toISOString() }));
  }

  statusNotification(caller: CallerContext, call: InboundCall, req: StatusNotificationRequest) {
    return this.handle(caller, call, async (trx, now) => {
      await this.#connectorOf(trx, caller, req.connectorId, true);
      await chargePoints.recordConnectorStatus(trx, caller.chargerId, req.connectorId, {
        status: req.status,
        errorCode: req.errorCode,
        ...(req.info ? { info: req.info } : {}),
        ...(req.vendorErrorCode ? { vendorErrorCode: req.vendorErrorCode } : {}),
        at: (req.timestamp ? new Date(req.timestamp) : now).toISOString(),
      });
      return {};
    });
  }

  async #idTagInfo(trx: Trx, chargerId: string, idTag: string): Promise<IdTagInfo> {
    const charger = await this.#charger(trx, chargerId);
    return { status: idTagStatus(await findPolicy(trx, charger.microgridId), idTag) };
  }

  authorize(caller: CallerContext, call: InboundCall, req: AuthorizeRequest) {
    return this.handle(caller, call, async (trx) => ({
      idTagInfo: await this.#idTagInfo(trx, caller.chargerId, req.idTag),
    }));
  }

  /**
   * A new transaction. With an accepted id tag it becomes a charging session in the depot (ending
   * any the charger left open); with a refused one it is recorded and the charger will stop it.
   */
  startTransaction(caller: CallerContext, call: InboundCall, req: StartTransactionRequest) {
    return this.handle(caller, call, async (trx, now) => {
      await this.#connectorOf(trx, caller, req.connectorId, false);
      const idTagInfo = await this.#idTagInfo(trx, caller.chargerId, req.idTag);
      await this.#endOpenTransaction(trx, caller.chargerId, now, null, 'Superseded');
      let sessionId: string | null = null;
      if (idTagInfo.status === 'Accepted') {
        // A new transaction gets a fresh chance to follow its limit (ADR 0024).
        await this.integration.setFollowing(trx, caller.chargerId, null, now);
        const started = await this.integration.startSession(
          trx,
          caller.chargerId,
          { vehicleLabel: `Id tag ${req.idTag}` },
          now,
        );
        sessionId = started?.sessionId ?? null;
      }
      const transactionId = await transactions.insertTransaction(trx, {
        chargerId: caller.chargerId,
        connectorId: req.connectorId,
        idTag: req.idTag,
        idTagStatus: idTagInfo.status,
        sessionId,
        meterStartWh: req.meterStart,
        startedAt: now,
      });
      return { transactionId, idTagInfo };
    });
  }

  meterValues(caller: CallerContext, call: InboundCall, req: MeterValuesRequest) {
    return this.handle(caller, call, async (trx, now) => {
      await this.#connectorOf(trx, caller, req.connectorId, true);
      const open = await transactions.openTransaction(trx, caller.chargerId);
      const tx =
        req.transactionId !== undefined && open?.transactionId === req.transactionId
          ? open
          : undefined;
      await this.#record(trx, caller.chargerId, req.meterValue, tx, now);
      return {};
    });
  }

  async #record(
    trx: Trx,
    chargerId: string,
    values: readonly MeterValue[],
    tx: transactions.TransactionRow | undefined,
    now: Date,
  ): Promise<void> {
    const charger = await this.#charger(trx, chargerId);
    const readings: SessionReading[] = values.map((value) => {
      const r = readMeterValue(value);
      const powerW =
        r.powerW ?? (r.currentA ?? 0) * charger.nominalVoltageV * charger.phases.length;
      const currentA = r.currentA ?? powerW / (charger.nominalVoltageV * charger.phases.length);
      const sessionId = tx?.sessionId ?? null;
      return {
        chargerId,
        sessionId,
        measuredAt: r.measuredAt,
        // The session's energy counts from its start; the meter's register from the meter's install.
        energyWh:
          sessionId && r.registerWh !== undefined
            ? Math.max(0, r.registerWh - tx!.meterStartWh)
            : 0,
        powerW: Math.max(0, powerW),
        currentA: Math.max(0, Math.round(currentA * 10) / 10),
      };
    });
    await this.integration.recordReadings(trx, readings, now);
  }

  /**
   * The end of a transaction. An unknown transaction id is still answered (the charger would
   * otherwise resend it forever) and logged; a transaction of another charger is refused.
   */
  stopTransaction(caller: CallerContext, call: InboundCall, req: StopTransactionRequest) {
    return this.handle(caller, call, async (trx, now) => {
      const tx = await transactions.findTransaction(trx, req.transactionId);
      if (tx && tx.chargerId !== caller.chargerId) {
        throw new OcppCallRefused(
          'SecurityError',
          `Transaction ${req.transactionId} belongs to another charge point.`,
        );
      }
      if (tx && !tx.stoppedAt) {
        // The final register closes the session's energy, with whatever data the charger kept.
        const finalValue: MeterValue = {
          timestamp: req.timestamp,
          sampledValue: [
            {
              value: String(req.meterStop),
              measurand: 'Energy.Active.Import.Register',
              unit: 'Wh',
            },
          ],
        };
        await this.#record(
          trx,
          caller.chargerId,
          [...(req.transactionData ?? []), finalValue],
          tx,
          now,
        );
        await this.#endOpenTransaction(
          trx,
          caller.chargerId,
          now,
          req.meterStop,
          req.reason ?? 'Local',
        );
      }
      return req.idTag
        ? { idTagInfo: await this.#idTagInfo(trx, caller.chargerId, req.idTag) }
        : {};
    });
  }

  async #endOpenTransaction(
    trx: Trx,
    chargerId: string,
    now: Date,
    meterStopWh: number | null,
    reason: string,
  ): Promise<void> {
    const open = await transactions.openTransaction(trx, chargerId);
    if (!open) return;
    await transactions.closeTransaction(trx, open.transactionId, { at: now, meterStopWh, reason });
    if (open.sessionId) await this.integration.stopSession(trx, open.sessionId, now);
    await clearLimit(trx, chargerId);
    await this.integration.setFollowing(trx, chargerId, null, now);
  }
}
