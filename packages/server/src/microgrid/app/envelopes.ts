import { randomUUID } from 'node:crypto';
import type { Db, Trx } from '../../platform/db/database';
import { appendToStream } from '../../platform/events/event-store';
import { ProblemError, problems } from '../../platform/http/problem';
import {
  floorTenth,
  toAmpsPerPhase,
  type EnvelopeOrigin,
  type PowerLimit,
} from '../domain/capacity';
import { validateBlocks, type EnvelopeBlockInput } from '../domain/envelope';
import * as depot from '../store/depot-store';
import * as store from '../store/envelope-store';
import type { EnvelopeRole, EnvelopeRow } from '../store/envelope-store';
import { refreshCircuit, type RefreshOutcome } from './capacity-refresh';
import { envelopeStream, scopeEnvelopeStream } from './streams';

/**
 * The OperatingEnvelope contract: the only way another context (OSCP today, OpenADR tomorrow)
 * changes what a managed scope may draw. It speaks scopes, instants and limits, never protocol terms.
 */
export interface EnvelopeSubmission {
  scopeId: string;
  /**
   * LIMIT (default) caps the circuit while a block is in force. STANDBY is shown but not enforced:
   * contingency coverage an adapter may switch to (e.g. OSCP fallback forecasts).
   */
  role?: EnvelopeRole;
  source: string;
  origin: EnvelopeOrigin;
  blocks: readonly EnvelopeBlockInput[];
}

export interface EnvelopeView {
  id: string;
  role: EnvelopeRole;
  scopeId: string;
  circuitId: string;
  source: string;
  origin: EnvelopeOrigin;
  status: EnvelopeRow['status'];
  startsAt: string;
  endsAt: string;
  submittedAt: string;
  submittedBy: string | null;
  withdrawnAt: string | null;
  withdrawnBy: string | null;
  blocks: {
    index: number;
    start: string;
    end: string;
    importLimit: PowerLimit;
    importLimitA: number;
  }[];
}

function originLabel(origin: EnvelopeOrigin): string {
  return origin.kind === 'MANUAL' ? origin.by : origin.adapter;
}

/**
 * Checks that a scope can receive an envelope: it exists and maps to exactly one circuit.
 * Returns the circuit, or the problem to answer.
 */
async function targetCircuit(trx: Trx, scopeId: string) {
  const scope = await depot.findScope(trx, scopeId);
  if (!scope) {
    return {
      problem: new ProblemError(
        404,
        'scope-not-found',
        'Managed scope not found',
        `No managed scope with id ${scopeId}.`,
      ),
    };
  }
  if (scope.circuitIds.length !== 1) {
    const detail =
      scope.circuitIds.length === 0
        ? `Managed scope "${scope.name}" maps to no circuit, so an envelope would constrain nothing.`
        : `Managed scope "${scope.name}" maps to ${scope.circuitIds.length} circuits; an envelope needs exactly one.`;
    return {
      problem: new ProblemError(
        422,
        scope.circuitIds.length === 0 ? 'scope-without-circuit' : 'scope-with-several-circuits',
        'Managed scope cannot take an envelope',
        detail,
        { scopeId, circuitIds: scope.circuitIds },
      ),
    };
  }
  const circuit = await depot.findCircuit(trx, scope.circuitIds[0]!);
  return { scope, circuit: circuit! };
}

export class EnvelopeService {
  constructor(private readonly db: Db) {}

  /**
   * Accepts an envelope, or rejects it with a specific problem. A rejection changes nothing but is
   * recorded as an event, so "why did my limit not apply?" has a durable answer.
   */
  async submit(
    submission: EnvelopeSubmission,
    now: Date,
  ): Promise<{ envelope: EnvelopeView; refresh: RefreshOutcome }> {
    const result = await this.db
      .transaction()
      .execute((trx) => this.#submitIn(trx, submission, now));
    if ('rejection' in result) {
      await this.recordRejection(submission, result.rejection, now);
      throw result.rejection;
    }
    return result;
  }

  /**
   * The same, inside the caller's transaction, for adapters that change envelopes together with
   * their own records. A rejection is thrown (nothing written); the adapter audits it itself.
   */
  async submitWithin(
    trx: Trx,
    submission: EnvelopeSubmission,
    now: Date,
  ): Promise<{ envelope: EnvelopeView; refresh: RefreshOutcome }> {
    const result = await this.#submitIn(trx, submission, now);
    if ('rejection' in result) throw result.rejection;
    return result;
  }

  async #submitIn(
    trx: Trx,
    submission: EnvelopeSubmission,
    now: Date,
  ): Promise<{ envelope: EnvelopeView; refresh: RefreshOutcome } | { rejection: ProblemError }> {
    let rejection: ProblemError | undefined;
    const result = await (async () => {
      const target = await targetCircuit(trx, submission.scopeId);
      if ('problem' in target) {
        rejection = target.problem;
        return undefined;
      }
      const blockProblems = validateBlocks(submission.blocks);
      if (blockProblems.length > 0) {
        rejection = problems.validation(
          blockProblems
            .map((p) =>
              p.block >= 0
                ? `block ${p.block} ${p.field}: ${p.message}`
                : `${p.field}: ${p.message}`,
            )
            .join('; '),
          blockProblems.map((p) => ({
            field: p.block >= 0 ? `blocks.${p.block}.${p.field}` : p.field,
            message: p.message,
          })),
        );
        return undefined;
      }
      const blocks = submission.blocks
        .map((b) => ({
          startsAt: new Date(b.start),
          endsAt: new Date(b.end),
          importLimit: b.importLimit,
        }))
        .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())
        .map((b, index) => ({ ...b, index }));
      const startsAt = blocks[0]!.startsAt;
      const endsAt = new Date(Math.max(...blocks.map((b) => b.endsAt.getTime())));
      if (endsAt <= now) {
        rejection = problems.validation(
          'every block has already ended; an envelope must reach into the future',
          [{ field: 'blocks', message: 'all blocks end in the past' }],
        );
        return undefined;
      }
      const envelope: EnvelopeRow = {
        id: randomUUID(),
        scopeId: target.scope.id,
        circuitId: target.circuit.id,
        role: submission.role ?? 'LIMIT',
        source: submission.source,
        origin: submission.origin,
        status: 'SCHEDULED',
        startsAt,
        endsAt,
        submittedAt: now,
        submittedBy: originLabel(submission.origin),
        withdrawnAt: null,
        withdrawnBy: null,
        blocks,
      };
      await store.insertEnvelope(trx, envelope);
      await appendToStream(
        trx,
        envelopeStream(envelope.id),
        0,
        [
          {
            type: 'EnvelopeAccepted',
            data: {
              envelopeId: envelope.id,
              scopeId: envelope.scopeId,
              circuitId: envelope.circuitId,
              role: envelope.role,
              source: envelope.source,
              origin: envelope.origin,
              blocks: blocks.map((b) => ({
                start: b.startsAt.toISOString(),
                end: b.endsAt.toISOString(),
                importLimit: b.importLimit,
              })),
            },
          },
        ],
        now,
      );
      const refresh = (await refreshCircuit(trx, envelope.circuitId, now))!;
      const [stored] = await store.findEnvelopes(trx, { ids: [envelope.id], openOnly: false });
      return { envelope: toView(stored!, target.circuit), refresh };
    })();
    return rejection ? { rejection } : result!;
  }

  private async recordRejection(
    submission: EnvelopeSubmission,
    problem: ProblemError,
    now: Date,
  ): Promise<void> {
    await appendToStream(
      this.db,
      scopeEnvelopeStream(submission.scopeId),
      'any',
      [
        {
          type: 'EnvelopeRejected',
          data: {
            scopeId: submission.scopeId,
            source: submission.source,
            origin: submission.origin,
            reason: problem.slug,
            detail: problem.detail ?? problem.title,
            blockCount: submission.blocks.length,
          },
        },
      ],
      now,
    );
  }

  /** Withdraws an envelope at once (not at its natural end); the circuit follows in the same transaction. */
  async withdraw(
    envelopeId: string,
    by: string,
    now: Date,
  ): Promise<{ envelope: EnvelopeView; refresh: RefreshOutcome }> {
    return this.db.transaction().execute((trx) => this.withdrawWithin(trx, envelopeId, by, now));
  }

  async withdrawWithin(
    trx: Trx,
    envelopeId: string,
    by: string,
    now: Date,
  ): Promise<{ envelope: EnvelopeView; refresh: RefreshOutcome }> {
    const [envelope] = await store.findEnvelopes(trx, {
      ids: [envelopeId],
      openOnly: false,
      lock: true,
    });
    if (!envelope) throw problems.notFound('Envelope', envelopeId);
    if (envelope.status === 'WITHDRAWN' || envelope.status === 'EXPIRED') {
      throw problems.conflict(
        `Envelope ${envelopeId} is already ${envelope.status.toLowerCase()}.`,
        { status: envelope.status },
      );
    }
    await store.setEnvelopeStatus(trx, envelopeId, 'WITHDRAWN', { at: now, by });
    await appendToStream(
      trx,
      envelopeStream(envelopeId),
      'any',
      [
        {
          type: 'EnvelopeWithdrawn',
          data: { envelopeId, circuitId: envelope.circuitId, by, at: now.toISOString() },
        },
      ],
      now,
    );
    const refresh = (await refreshCircuit(trx, envelope.circuitId, now))!;
    const [stored] = await store.findEnvelopes(trx, { ids: [envelopeId], openOnly: false });
    const circuit = await depot.findCircuit(trx, envelope.circuitId);
    return { envelope: toView(stored!, circuit!), refresh };
  }

  async list(filter: {
    circuitId?: string;
    scopeId?: string;
    openOnly: boolean;
  }): Promise<EnvelopeView[]> {
    const rows = await store.findEnvelopes(this.db, filter);
    const circuits = new Map((await depot.listCircuits(this.db)).map((c) => [c.id, c]));
    return rows.flatMap((r) => {
      const circuit = circuits.get(r.circuitId);
      return circuit ? [toView(r, circuit)] : [];
    });
  }

  async get(envelopeId: string): Promise<EnvelopeView> {
    const [row] = await store.findEnvelopes(this.db, { ids: [envelopeId], openOnly: false });
    if (!row) throw problems.notFound('Envelope', envelopeId);
    const circuit = await depot.findCircuit(this.db, row.circuitId);
    return toView(row, circuit!);
  }
}

function toView(row: EnvelopeRow, circuit: depot.CircuitRow): EnvelopeView {
  return {
    id: row.id,
    role: row.role,
    scopeId: row.scopeId,
    circuitId: row.circuitId,
    source: row.source,
    origin: row.origin,
    status: row.status,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    submittedAt: row.submittedAt.toISOString(),
    submittedBy: row.submittedBy,
    withdrawnAt: row.withdrawnAt?.toISOString() ?? null,
    withdrawnBy: row.withdrawnBy,
    blocks: row.blocks.map((b) => ({
      index: b.index,
      start: b.startsAt.toISOString(),
      end: b.endsAt.toISOString(),
      importLimit: b.importLimit,
      importLimitA: floorTenth(toAmpsPerPhase(b.importLimit, circuit)),
    })),
  };
}
