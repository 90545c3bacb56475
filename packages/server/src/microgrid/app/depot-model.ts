import { randomUUID } from 'node:crypto';
import type { Db, Executor, Trx } from '../../platform/db/database';
import { appErrors } from '../../platform/errors';
import type { Phase } from '../domain/phases';
import * as depot from '../store/depot-store';
import { insertCapacityHistory, openEnvelopeHeadsOfScope } from '../store/envelope-store';
import { refreshCircuit } from './capacity-refresh';

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505'
  );
}

/** Runs a write and turns a duplicate-name violation into a 409 that says which name. */
async function uniqueName<T>(what: string, name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error))
      throw appErrors.conflict(`A ${what} named "${name}" already exists here.`, { field: 'name' });
    throw error;
  }
}

/**
 * Something outside the microgrid that depends on a managed scope, such as an enabled OSCP
 * connection bound to it. Answers with a description of the dependant, or undefined.
 */
export type ScopeDependency = (db: Executor, scopeId: string) => Promise<string | undefined>;

/** Create, edit and delete the depot: microgrids, circuits, managed scopes and chargers. */
export class DepotModelService {
  readonly #dependencies: ScopeDependency[] = [];

  constructor(private readonly db: Db) {}

  /** Registers a dependant: while it answers, its scopes are not deleted or re-mapped. */
  addScopeDependency(dependency: ScopeDependency): void {
    this.#dependencies.push(dependency);
  }

  /** Refuses a change that would pull a scope out from under a dependant, naming both. */
  async #assertScopesFree(trx: Trx, scopes: readonly depot.ScopeRow[], change: string) {
    for (const scope of scopes) {
      for (const dependency of this.#dependencies) {
        const dependant = await dependency(trx, scope.id);
        if (dependant) {
          throw appErrors.conflict(
            `${change}: managed scope "${scope.name}" is bound to ${dependant}. Disable or disconnect it first.`,
            { scopeId: scope.id },
          );
        }
      }
    }
  }

  async #scopesOf(trx: Trx, filter: { microgridId?: string; circuitId?: string }) {
    const scopes = await depot.listScopes(trx, filter.microgridId);
    return filter.circuitId
      ? scopes.filter((s) => s.circuitIds.includes(filter.circuitId!))
      : scopes;
  }

  async createMicrogrid(
    input: { name: string; timezone: string },
    now: Date,
  ): Promise<depot.MicrogridRow> {
    const row = { id: randomUUID(), ...input };
    await uniqueName('microgrid', input.name, () => depot.insertMicrogrid(this.db, row, now));
    return row;
  }

  async updateMicrogrid(
    id: string,
    patch: { name?: string; timezone?: string },
  ): Promise<depot.MicrogridRow> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await depot.findMicrogrid(trx, id))) throw appErrors.notFound('Microgrid', id);
      await uniqueName('microgrid', patch.name ?? '', () => depot.updateMicrogrid(trx, id, patch));
      return (await depot.findMicrogrid(trx, id))!;
    });
  }

  async deleteMicrogrid(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const microgrid = await depot.findMicrogrid(trx, id);
      if (!microgrid) throw appErrors.notFound('Microgrid', id);
      await this.#assertScopesFree(
        trx,
        await this.#scopesOf(trx, { microgridId: id }),
        `Microgrid "${microgrid.name}" cannot be deleted`,
      );
      await depot.deleteMicrogrid(trx, id);
    });
  }

  async createCircuit(
    microgridId: string,
    input: { name: string; phaseCount: 1 | 3; nominalVoltageV: number; staticCapacityA: number },
    now: Date,
  ): Promise<string> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await depot.findMicrogrid(trx, microgridId)))
        throw appErrors.notFound('Microgrid', microgridId);
      const id = randomUUID();
      await uniqueName('circuit', input.name, () =>
        depot.insertCircuit(trx, { id, microgridId, ...input }, now),
      );
      await this.#insertHistory(trx, id, now);
      return id;
    });
  }

  async #insertHistory(trx: Trx, circuitId: string, now: Date): Promise<void> {
    const circuit = (await depot.findCircuit(trx, circuitId))!;
    await insertCapacityHistory(trx, {
      circuitId,
      at: now,
      staticCapacityA: circuit.staticCapacityA,
      effectiveCapacityA: circuit.effectiveCapacityA,
      source: circuit.capacitySource,
    });
  }

  /** A new static capacity or voltage changes the effective capacity: the circuit is refreshed at once. */
  async updateCircuit(
    id: string,
    patch: { name?: string; nominalVoltageV?: number; staticCapacityA?: number },
    now: Date,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const circuit = await depot.findCircuit(trx, id, true);
      if (!circuit) throw appErrors.notFound('Circuit', id);
      await uniqueName('circuit', patch.name ?? '', () =>
        depot.updateCircuitDefinition(trx, id, patch),
      );
      const outcome = await refreshCircuit(trx, id, now);
      if (!outcome?.capacityChanged && patch.staticCapacityA !== undefined)
        await this.#insertHistory(trx, id, now);
    });
  }

  async deleteCircuit(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const circuit = await depot.findCircuit(trx, id);
      if (!circuit) throw appErrors.notFound('Circuit', id);
      await this.#assertScopesFree(
        trx,
        await this.#scopesOf(trx, { microgridId: circuit.microgridId, circuitId: id }),
        `Circuit "${circuit.name}" cannot be deleted`,
      );
      await depot.deleteCircuit(trx, id);
    });
  }

  async #checkCircuitsBelong(
    trx: Trx,
    microgridId: string,
    circuitIds: readonly string[],
  ): Promise<void> {
    const circuits = new Set((await depot.listCircuits(trx, microgridId)).map((c) => c.id));
    const foreign = circuitIds.filter((c) => !circuits.has(c));
    if (foreign.length > 0) {
      throw appErrors.invalid(
        `circuitIds: ${foreign.join(', ')} ${foreign.length === 1 ? 'is not a circuit' : 'are not circuits'} of this microgrid`,
        [{ field: 'circuitIds', message: 'every circuit must belong to the scope’s microgrid' }],
      );
    }
  }

  async createScope(
    microgridId: string,
    input: { name: string; circuitIds: string[] },
    now: Date,
  ): Promise<string> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await depot.findMicrogrid(trx, microgridId)))
        throw appErrors.notFound('Microgrid', microgridId);
      const circuitIds = [...new Set(input.circuitIds)];
      await this.#checkCircuitsBelong(trx, microgridId, circuitIds);
      const id = randomUUID();
      await uniqueName('managed scope', input.name, () =>
        depot.insertScope(trx, { id, microgridId, name: input.name, circuitIds }, now),
      );
      return id;
    });
  }

  async updateScope(id: string, patch: { name?: string; circuitIds?: string[] }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const scope = await depot.findScope(trx, id);
      if (!scope) throw appErrors.notFound('Managed scope', id);
      if (patch.name !== undefined)
        await uniqueName('managed scope', patch.name, () =>
          depot.renameScope(trx, id, patch.name!),
        );
      if (patch.circuitIds) {
        const circuitIds = [...new Set(patch.circuitIds)];
        const remapped =
          circuitIds.length !== scope.circuitIds.length ||
          circuitIds.some((c) => !scope.circuitIds.includes(c));
        if (remapped) {
          await this.#assertScopesFree(trx, [scope], 'Its circuits cannot be changed');
          // Open envelopes constrain the circuit they were accepted for; moving the scope under
          // them would leave them there, limiting a circuit the scope no longer covers.
          const open = await openEnvelopeHeadsOfScope(trx, id);
          if (open.length > 0) {
            const them = open.length === 1 ? 'it' : 'them';
            throw appErrors.conflict(
              `Managed scope "${scope.name}" has ${open.length} open envelope${open.length === 1 ? '' : 's'} (${open.map((e) => `"${e.source}"`).join(', ')}); withdraw ${them} before changing its circuits.`,
              { scopeId: id, envelopeIds: open.map((e) => e.id) },
            );
          }
        }
        await this.#checkCircuitsBelong(trx, scope.microgridId, circuitIds);
        await depot.setScopeCircuits(trx, id, circuitIds);
      }
    });
  }

  async deleteScope(id: string, now: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const scope = await depot.findScope(trx, id);
      if (!scope) throw appErrors.notFound('Managed scope', id);
      await this.#assertScopesFree(trx, [scope], 'It cannot be deleted');
      // Circuits first (ADR 0015): the delete takes the scope's envelopes with it.
      const circuits = await depot.lockCircuits(trx, scope.circuitIds);
      await depot.deleteScope(trx, id);
      // The circuits those envelopes constrained return to their other limits.
      for (const circuit of circuits) await refreshCircuit(trx, circuit.id, now, circuit);
    });
  }

  async createCharger(
    circuitId: string,
    input: {
      name: string;
      phases: Phase[];
      minCurrentA: number;
      maxCurrentA: number;
      priority: number;
    },
    now: Date,
  ): Promise<string> {
    return this.db.transaction().execute(async (trx) => {
      const circuit = await depot.findCircuit(trx, circuitId, true);
      if (!circuit) throw appErrors.notFound('Circuit', circuitId);
      if (circuit.phaseCount === 1 && input.phases.some((p) => p !== 'L1')) {
        throw appErrors.invalid('phases: a single-phase circuit only has L1', [
          { field: 'phases', message: 'a single-phase circuit only has L1' },
        ]);
      }
      const id = randomUUID();
      await uniqueName('charger', input.name, () =>
        depot.insertCharger(trx, { id, circuitId, ...input }, now),
      );
      return id;
    });
  }

  async updateCharger(
    id: string,
    patch: { name?: string; minCurrentA?: number; maxCurrentA?: number; priority?: number },
    now: Date,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const charger = await depot.findCharger(trx, id);
      if (!charger) throw appErrors.notFound('Charger', id);
      const min = patch.minCurrentA ?? charger.minCurrentA;
      const max = patch.maxCurrentA ?? charger.maxCurrentA;
      if (max < min) {
        throw appErrors.invalid(`maxCurrentA: must be at least minCurrentA (${min} A)`, [
          { field: 'maxCurrentA', message: 'must be at least minCurrentA' },
        ]);
      }
      const [circuit] = await depot.lockCircuits(trx, [charger.circuitId]);
      await uniqueName('charger', patch.name ?? '', () => depot.updateCharger(trx, id, patch));
      await refreshCircuit(trx, charger.circuitId, now, circuit);
    });
  }

  async deleteCharger(id: string, now: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const charger = await depot.findCharger(trx, id);
      if (!charger) throw appErrors.notFound('Charger', id);
      // Circuits first (ADR 0015): the delete takes the charger's allocation with it.
      const [circuit] = await depot.lockCircuits(trx, [charger.circuitId]);
      await depot.deleteCharger(trx, id);
      await refreshCircuit(trx, charger.circuitId, now, circuit);
    });
  }
}
