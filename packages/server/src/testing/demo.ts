import { seedDemoDepot } from '../seed/demo-depot';
import type { TestContext } from './test-app';

/** Seeds the demo depot in a test app and returns its ids. */
export async function seedDemo(ctx: TestContext) {
  const seeded = await seedDemoDepot(ctx.db, ctx.app.microgrid, ctx.clock.now());
  if (!seeded.seeded) throw new Error('demo depot was already seeded');
  return {
    circuitId: seeded.circuitId!,
    scopeId: seeded.scopeId!,
    microgridId: seeded.microgridId!,
  };
}
