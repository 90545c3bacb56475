import type { TestContext } from './test-app';

/**
 * A managed scope on a circuit of its own ("Board <label>", 3 × 160 A at 230 V, scope
 * "Scope <label>"): what a test needs to bind one more OSCP connection.
 */
export async function addScopeWithOwnCircuit(
  ctx: TestContext,
  microgridId: string,
  label: string | number,
): Promise<{ circuitId: string; scopeId: string }> {
  const { model } = ctx.app.microgrid;
  const now = ctx.clock.now();
  const circuitId = await model.createCircuit(
    microgridId,
    { name: `Board ${label}`, phaseCount: 3, nominalVoltageV: 230, staticCapacityA: 160 },
    now,
  );
  const scopeId = await model.createScope(
    microgridId,
    { name: `Scope ${label}`, circuitIds: [circuitId] },
    now,
  );
  return { circuitId, scopeId };
}
