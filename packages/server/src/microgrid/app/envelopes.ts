import { randomUUID } from 'node:crypto';
import type { Db, Trx } from '../../platform/db/database';
import { appendToStream, appendToStreams, type NewEvent } from '../../platform/events/event-store';
import { AppError, appErrors } from '../../platform/errors';
import {
  floorTenth,
  toAmpsPerPhase,
  type EnvelopeOrigin,
  type PowerLimit,
} from '../domain/capacity';
import { statusAt, validateBlocks, type EnvelopeBlockInput } from '../domain/envelope';
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
  /** An adapter may name the envelope in advance (it records the id with its own decision). */
  id?: string;
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

/** What one change of envelopes does, all in the caller's transaction with one refresh per circuit. */
export interface EnvelopeChange {
  submit: readonly EnvelopeSubmission[];
  /** Taken back at once; envelopes already withdrawn or expired are left as they are. */
  withdraw: readonly string[];
  /** Who withdraws, for the record (needed when `withdraw` is not empty). */
  by?: string;
}

export interface EnvelopeChangeOutcome {
  submitted: EnvelopeView[];
  /** Ids of the envelopes this change withdrew (not those that were already closed). */
  withdrawn: string[];
  refreshes: RefreshOutcome[];
}

/** A validated submission, or the problem to answer. */
type Prepared =
  { envelope: EnvelopeRow; rejection?: undefined } | { rejection: AppError; envelope?: undefined };

/**
 * Checks a submission: its scope exists and maps to exactly one circuit, its blocks are valid, and
 * it reaches into the future. Reads only; returns the envelope to insert, status as of `now`.
 */
async function prepare(trx: Trx, submission: EnvelopeSubmission, now: Date): Promise<Prepared> {
  const scope = await depot.findScope(trx, submission.scopeId);
  if (!scope) {
    return {
      rejection: new AppError(
        'not-found',
        'Managed scope not found',
        `No managed scope with id ${submission.scopeId}.`,
        {},
        'scope-not-found',
      ),
    };
  }
  if (scope.circuitIds.length !== 1) {
    const detail =
      scope.circuitIds.length === 0
        ? `Managed scope "${scope.name}" maps to no circuit, so an envelope would constrain nothing.`
        : `Managed scope "${scope.name}" maps to ${scope.circuitIds.length} circuits; an envelope needs exactly one.`;
    return {
      rejection: appErrors.unprocessable(
        scope.circuitIds.length === 0 ? 'scope-without-circuit' : 'scope-with-several-circuits',
        'Managed scope cannot take an envelope',
        detail,
        { scopeId: scope.id, circuitIds: scope.circuitIds },
      ),
    };
  }
  const blockProblems = validateBlocks(submission.blocks);
  if (blockProblems.length > 0) {
    return {
      rejection: appErrors.invalid(
        blockProblems
          .map((p) =>
            p.block >= 0
              ? `block ${p.block + 1} ${p.field}: ${p.message}`
              : `${p.field}: ${p.message}`,
          )
          .join('; '),
        blockProblems.map((p) => ({
          field: p.block >= 0 ? `blocks.${p.block}.${p.field}` : p.field,
          message: p.message,
        })),
      ),
    };
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
    return {
      rejection: appErrors.invalid(
        'every block has already ended; an envelope must reach into the future',
        [{ field: 'blocks', message: 'all blocks end in the past' }],
      ),
    };
  }
  return {
    envelope: {
      id: submission.id ?? randomUUID(),
      scopeId: scope.id,
      circuitId: scope.circuitIds[0]!,
      role: submission.role ?? 'LIMIT',
      source: submission.source,
      origin: submission.origin,
      // Already in force when its first block has started: no separate activation step.
      status: statusAt({ startsAt, endsAt }, now),
      startsAt,
      endsAt,
      submittedAt: now,
      submittedBy: originLabel(submission.origin),
      withdrawnAt: null,
      withdrawnBy: null,
      blocks,
    },
  };
}

function acceptedEvents(envelope: EnvelopeRow, now: Date): NewEvent[] {
  const accepted: NewEvent = {
    type: 'EnvelopeAccepted',
    data: {
      envelopeId: envelope.id,
      scopeId: envelope.scopeId,
      circuitId: envelope.circuitId,
      role: envelope.role,
      source: envelope.source,
      origin: envelope.origin,
      blocks: envelope.blocks.map((b) => ({
        start: b.startsAt.toISOString(),
        end: b.endsAt.toISOString(),
        importLimit: b.importLimit,
      })),
    },
  };
  if (envelope.status !== 'ACTIVE') return [accepted];
  const at = now.toISOString();
  return [
    accepted,
    {
      type: 'EnvelopeActivated',
      data: { envelopeId: envelope.id, circuitId: envelope.circuitId, at },
    },
  ];
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
    const result = await this.db.transaction().execute(async (trx) => {
      const prepared = await prepare(trx, submission, now);
      if (prepared.rejection) return prepared;
      return this.#apply(trx, [prepared.envelope], { ids: [], by: '' }, now);
    });
    if ('rejection' in result && result.rejection) {
      // A scope that does not exist has no record to keep: the 404 is the whole answer.
      if (result.rejection.kind !== 'not-found')
        await this.recordRejection(submission, result.rejection, now);
      throw result.rejection;
    }
    const outcome = result as EnvelopeChangeOutcome;
    return { envelope: outcome.submitted[0]!, refresh: outcome.refreshes[0]! };
  }

  /**
   * Several submissions and withdrawals as one change, inside the caller's transaction (for
   * adapters that change envelopes together with their own records): each affected circuit is
   * refreshed once, after all of them, so a replaced limit steps straight to its successor (never
   * through the circuit's static capacity). A rejected submission is thrown and nothing is written;
   * the adapter audits it itself.
   */
  async changeWithin(trx: Trx, change: EnvelopeChange, now: Date): Promise<EnvelopeChangeOutcome> {
    const envelopes: EnvelopeRow[] = [];
    for (const submission of change.submit) {
      const prepared = await prepare(trx, submission, now);
      if (prepared.rejection) throw prepared.rejection;
      envelopes.push(prepared.envelope);
    }
    return this.#apply(trx, envelopes, { ids: change.withdraw, by: change.by ?? '' }, now);
  }

  async #apply(
    trx: Trx,
    submitted: readonly EnvelopeRow[],
    withdrawal: { ids: readonly string[]; by: string },
    now: Date,
  ): Promise<EnvelopeChangeOutcome & { circuits: Map<string, depot.CircuitRow> }> {
    const { by } = withdrawal;
    const circuits = await depot.lockCircuits(
      trx,
      [...new Set(submitted.map((e) => e.circuitId))],
      withdrawal.ids,
    );
    const byId = new Map(circuits.map((c) => [c.id, c]));

    // Under the circuits' locks, envelope statuses cannot change beneath us.
    const open = await store.withdrawOpenEnvelopes(
      trx,
      withdrawal.ids,
      circuits.map((c) => c.id),
      { at: now, by },
    );
    for (const envelope of submitted) await store.insertEnvelope(trx, envelope);
    // Every envelope's events in one append: the withdrawn ones' and the submitted ones'.
    await appendToStreams(
      trx,
      [
        ...open.map((envelope) => ({
          stream: envelopeStream(envelope.id),
          expected: 'any' as const,
          events: [
            {
              type: 'EnvelopeWithdrawn',
              data: {
                envelopeId: envelope.id,
                circuitId: envelope.circuitId,
                by,
                at: now.toISOString(),
              },
            },
          ],
        })),
        ...submitted.map((envelope) => ({
          stream: envelopeStream(envelope.id),
          expected: 0,
          events: acceptedEvents(envelope, now),
        })),
      ],
      now,
    );
    const refreshes: RefreshOutcome[] = [];
    for (const circuit of circuits) {
      refreshes.push((await refreshCircuit(trx, circuit.id, now, circuit))!);
    }
    return {
      submitted: submitted.map((e) => toView(e, byId.get(e.circuitId)!)),
      withdrawn: open.map((e) => e.id),
      refreshes,
      circuits: byId,
    };
  }

  private async recordRejection(
    submission: EnvelopeSubmission,
    problem: AppError,
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
            reason: problem.reason,
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

  /** The same inside the caller's transaction: 404 for an unknown envelope, 409 for a closed one. */
  async withdrawWithin(
    trx: Trx,
    envelopeId: string,
    by: string,
    now: Date,
  ): Promise<{ envelope: EnvelopeView; refresh: RefreshOutcome }> {
    const outcome = await this.#apply(trx, [], { ids: [envelopeId], by }, now);
    const [envelope] = await store.findEnvelopes(trx, { ids: [envelopeId], openOnly: false });
    if (!envelope) throw appErrors.notFound('Envelope', envelopeId);
    if (outcome.withdrawn.includes(envelopeId)) {
      const circuit = outcome.circuits.get(envelope.circuitId)!;
      return { envelope: toView(envelope, circuit), refresh: outcome.refreshes[0]! };
    }
    throw appErrors.conflict(
      `Envelope ${envelopeId} is already ${envelope.status.toLowerCase()}.`,
      {
        status: envelope.status,
      },
    );
  }

  /**
   * A page of envelopes, newest first: at most `limit`, starting after the `before` cursor of the
   * previous page; `nextBefore` is null on the last page.
   */
  async list(filter: {
    circuitId?: string;
    scopeId?: string;
    openOnly: boolean;
    limit: number;
    before?: string | undefined;
  }): Promise<{ envelopes: EnvelopeView[]; nextBefore: string | null }> {
    const rows = await store.findEnvelopes(this.db, {
      ...(filter.circuitId ? { circuitId: filter.circuitId } : {}),
      ...(filter.scopeId ? { scopeId: filter.scopeId } : {}),
      openOnly: filter.openOnly,
      limit: filter.limit,
      ...(filter.before ? { after: decodeCursor(filter.before) } : {}),
    });
    const circuits = new Map((await depot.listCircuits(this.db)).map((c) => [c.id, c]));
    const last = rows.at(-1);
    return {
      envelopes: rows.flatMap((r) => {
        const circuit = circuits.get(r.circuitId);
        return circuit ? [toView(r, circuit)] : [];
      }),
      nextBefore: rows.length === filter.limit && last ? encodeCursor(last) : null,
    };
  }

  async get(envelopeId: string): Promise<EnvelopeView> {
    const [row] = await store.findEnvelopes(this.db, { ids: [envelopeId], openOnly: false });
    if (!row) throw appErrors.notFound('Envelope', envelopeId);
    const circuit = await depot.findCircuit(this.db, row.circuitId);
    return toView(row, circuit!);
  }
}

/** `<submittedAt>~<id>`: where the next page starts. Opaque to clients. */
export const ENVELOPE_CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)~([0-9a-f-]{36})$/;

function encodeCursor(row: EnvelopeRow): string {
  return `${row.submittedAt.toISOString()}~${row.id}`;
}

function decodeCursor(cursor: string): store.EnvelopeCursor {
  const match = ENVELOPE_CURSOR.exec(cursor);
  const submittedAt = new Date(match?.[1] ?? Number.NaN);
  if (!match || Number.isNaN(submittedAt.getTime()))
    throw appErrors.invalid('before: must be the nextBefore of an earlier page', [
      { field: 'before', message: 'must be the nextBefore of an earlier page' },
    ]);
  return { submittedAt, id: match[2]! };
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
