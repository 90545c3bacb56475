import { randomUUID } from 'node:crypto';
import type { ChargerIntegration } from '../../microgrid/app/charger-integration';
import type { Clock } from '../../platform/clock';
import type { Db, Trx } from '../../platform/db/database';
import type { Logger } from '../../platform/logging';
import { OutageWatch } from '../../platform/outage';
import {
  answerOf,
  limitChangeWorthSending,
  notFollowingReasonFor,
  txDefaultProfile,
  txProfile,
  type LimitAnswer,
} from '../domain/charging-profile';
import type { SetChargingProfileStatus } from '../domain/messages';
import * as chargePoints from '../store/charge-point-store';
import * as limits from '../store/limit-store';
import { appendLog } from '../store/message-log-store';
import { openTransactionsOf } from '../store/open-transactions';
import type { CallOutcome, ChargePointLink } from './link';

export interface LimitSettings {
  /** Increases smaller than this are not sent (decreases always are). */
  deadbandA: number;
  /** How long a send may stay unanswered before another poll may send it again. */
  leaseMs: number;
  /** Limits claimed per poll. */
  batchSize: number;
}

/**
 * Turns the microgrid's allocations into limits to send (ADR 0023). Runs as the handler of the
 * microgrid's allocations-changed due work, on whichever instance claims it: it only writes
 * `ocpp_charging_limits` rows; the instance holding each charger's socket sends them.
 */
export class LimitPlanner {
  constructor(
    private readonly integration: ChargerIntegration,
    private readonly settings: Pick<LimitSettings, 'deadbandA'>,
  ) {}

  async planCircuit(trx: Trx, circuitId: string, now: Date): Promise<number> {
    const cps = await chargePoints.listOnCircuit(trx, circuitId);
    if (cps.length === 0) return 0;
    const ids = cps.map((cp) => cp.chargerId);
    const [allocations, open, previous] = await Promise.all([
      this.integration.allocationsOnCircuit(trx, circuitId),
      openTransactionsOf(trx, ids),
      limits.findLimits(trx, ids),
    ]);
    let planned = 0;
    for (const allocation of allocations) {
      const tx = open.get(allocation.chargerId);
      if (!tx || tx.sessionId !== allocation.sessionId) continue;
      // A charger that did not take its limit is assumed at its maximum; it is asked again at its
      // next transaction or connection, not on every rebalance (ADR 0024).
      if (allocation.bindingKind === 'NOT_FOLLOWING') continue;
      const before = previous.get(allocation.chargerId);
      const sameTx = before?.transactionId === tx.transactionId;
      if (
        !limitChangeWorthSending(
          sameTx ? before.desiredA : undefined,
          allocation.currentA,
          this.settings.deadbandA,
        )
      ) {
        continue;
      }
      await limits.setDesired(
        trx,
        {
          chargerId: allocation.chargerId,
          transactionId: tx.transactionId,
          connectorId: tx.connectorId,
          numberPhases: allocation.phases.length,
          desiredA: allocation.currentA,
        },
        now,
      );
      planned += 1;
    }
    return planned;
  }
}

/**
 * This instance's sender: claims the limits waiting for chargers whose socket it holds, sends
 * them as SetChargingProfile outside any transaction, and records each answer (and whether the
 * charger follows, ADR 0024) in a transaction of its own.
 */
export class LimitSender {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = true;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly integration: ChargerIntegration,
    private readonly link: ChargePointLink,
    private readonly instanceId: string,
    private readonly settings: LimitSettings,
    private readonly log: Logger,
  ) {}

  /** Sends everything due now and waits for the answers; how many limits were sent. */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const now = this.clock.now();
      const claimed = await this.db
        .transaction()
        .execute((trx) =>
          limits.claimDue(
            trx,
            this.instanceId,
            now,
            this.settings.leaseMs,
            this.settings.batchSize,
          ),
        );
      if (claimed.length === 0) return total;
      total += claimed.length;
      await Promise.all(claimed.map((limit) => this.#send(limit)));
      if (claimed.length < this.settings.batchSize) return total;
    }
  }

  async #send(limit: limits.ClaimedLimit): Promise<void> {
    const payload = txProfile({
      connectorId: limit.connectorId,
      transactionId: limit.transactionId!,
      limitA: limit.desiredA,
      numberPhases: limit.numberPhases,
    });
    const sentAt = this.clock.now();
    const outcome = await this.link.call(
      limit.chargerId,
      limit.connectionId,
      'SetChargingProfile',
      payload as unknown as Record<string, unknown>,
    );
    if (outcome.kind === 'NOT_CONNECTED') {
      // The socket is gone (or on another instance): the limit waits for the next connection.
      await limits.release(this.db, limit.chargerId, limit.attempt);
      return;
    }
    const answer = limitAnswerOf(outcome);
    const at = this.clock.now();
    try {
      await this.db.transaction().execute(async (trx) => {
        // The circuit (through setFollowing) before the limit row, the order in which a
        // StopTransaction takes them: two such transactions never wait on each other in a cycle.
        const stillCurrent =
          (await limits.findLimits(trx, [limit.chargerId])).get(limit.chargerId)?.attempt ===
          limit.attempt;
        const charger = await this.integration.charger(trx, limit.chargerId);
        const reason = notFollowingReasonFor(answer, limit.desiredA);
        if (stillCurrent && charger && charger.notFollowingReason !== reason) {
          await this.integration.setFollowing(trx, limit.chargerId, reason, at);
        }
        await limits.recordAnswer(trx, limit.chargerId, limit.attempt, {
          sentA: payload.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0]!.limit,
          sentAt,
          answer,
          detail: outcome.kind === 'ERROR' ? `${outcome.code}: ${outcome.message}` : null,
          connectionId: limit.connectionId,
          at,
        });
        await appendLog(trx, exchangeLog(limit.chargerId, sentAt, at, payload, outcome));
      });
    } catch (error) {
      this.log.error(
        { err: error, 'ocpp.charger_id': limit.chargerId },
        'recording a limit answer failed',
      );
    }
  }

  /**
   * The safe default every transaction starts with until its own limit arrives (sent after boot).
   * Its answer is logged; a charger that refuses it is judged on its transaction limits.
   */
  async sendDefaultProfile(
    chargerId: string,
    connectionId: string,
    input: { limitA: number; numberPhases: number },
  ): Promise<LimitAnswer | undefined> {
    const payload = txDefaultProfile(input);
    const sentAt = this.clock.now();
    const outcome = await this.link.call(
      chargerId,
      connectionId,
      'SetChargingProfile',
      payload as unknown as Record<string, unknown>,
    );
    if (outcome.kind === 'NOT_CONNECTED') return undefined;
    await appendLog(
      this.db,
      exchangeLog(chargerId, sentAt, this.clock.now(), payload, outcome),
    ).catch((error: unknown) => this.log.warn({ err: error }, 'logging a default profile failed'));
    return limitAnswerOf(outcome);
  }

  #pollMs = 200;
  #outage: OutageWatch | undefined;

  /**
   * The poll only decides how soon we look; the table is the truth. While the database is
   * unreachable it looks less and less often and says so once (ADR 0035).
   */
  #tick(): void {
    if (this.#stopped) return;
    this.#outage ??= new OutageWatch(this.log, 'OCPP limit sender');
    const outage = this.#outage;
    let delay = this.#pollMs;
    this.#running = this.runDue()
      .then(() => outage.succeeded())
      .catch((error: unknown) => (delay = outage.failed(error, this.#pollMs)))
      .finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(() => this.#tick(), delay);
      });
  }

  start(pollMs: number): void {
    this.#pollMs = pollMs;
    this.#stopped = false;
    this.#tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }
}

function limitAnswerOf(outcome: Exclude<CallOutcome, { kind: 'NOT_CONNECTED' }>): LimitAnswer {
  if (outcome.kind === 'TIMEOUT') return 'TIMEOUT';
  if (outcome.kind === 'ERROR')
    return outcome.code === 'NotSupported' || outcome.code === 'NotImplemented'
      ? 'NOT_SUPPORTED'
      : 'FAILED';
  return answerOf(String(outcome.result.status) as SetChargingProfileStatus);
}

function exchangeLog(
  chargerId: string,
  sentAt: Date,
  at: Date,
  payload: object,
  outcome: Exclude<CallOutcome, { kind: 'NOT_CONNECTED' }>,
) {
  const action = 'SetChargingProfile';
  const messageId = randomUUID();
  return [
    {
      chargerId,
      at: sentAt,
      direction: 'OUT' as const,
      kind: 'CALL' as const,
      action,
      messageId,
      payload: payload as Record<string, unknown>,
    },
    outcome.kind === 'RESULT'
      ? {
          chargerId,
          at,
          direction: 'IN' as const,
          kind: 'RESULT' as const,
          action,
          messageId,
          payload: outcome.result,
        }
      : {
          chargerId,
          at,
          direction: 'IN' as const,
          kind: 'ERROR' as const,
          action,
          messageId,
          payload:
            outcome.kind === 'TIMEOUT'
              ? { code: 'Timeout', message: 'no answer in time' }
              : { code: outcome.code, message: outcome.message },
        },
  ];
}
