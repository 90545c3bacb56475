import { CapacityProviderSimulator } from '@openvelope/sim';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { seedDemo } from './demo';
import { startTestApp, type TestContext } from './test-app';
import { eventually } from './wait';

export interface AppWithSimulator {
  ctx: TestContext;
  sim: CapacityProviderSimulator;
  /** Where the app listens on loopback. */
  baseUrl: string;
  ids: Awaited<ReturnType<typeof seedDemo>>;
  /** A MANAGER's session cookie. */
  manager: string;
}

/**
 * For a test file: the app listening on loopback and a Capacity Provider simulator on the app's
 * manual clock; before each test, a fresh database with the demo depot and a manager signed in.
 * The fields are filled by the hooks, so read them inside tests and hooks, not at load time.
 */
export function useAppWithSimulator(start: string): AppWithSimulator {
  const env = {} as AppWithSimulator;
  beforeAll(async () => {
    env.ctx = await startTestApp(start);
    env.baseUrl = await env.ctx.listen();
    // A generous timeout: a call the simulator gave up on may still be in flight at the server,
    // and the test would then race it. Tests assert their outcomes delivered.
    env.sim = new CapacityProviderSimulator({ clock: env.ctx.clock, requestTimeoutMs: 15_000 });
    await env.sim.start();
  });
  afterAll(async () => {
    await env.sim.stop();
    await env.ctx.close();
  });
  beforeEach(async () => {
    await env.ctx.reset();
    env.sim.clearMessages();
    env.ids = await seedDemo(env.ctx);
    env.manager = await env.ctx.signIn('MANAGER', 'mia');
  });
  return env;
}

/** Runs the app's due work and deliveries until `check` holds (real HTTP needs event-loop turns). */
export function settleUntil<T>(
  ctx: TestContext,
  check: () => Promise<T | undefined | false>,
  what: string,
): Promise<T> {
  return eventually(async () => {
    await ctx.app.settle();
    return check();
  }, what);
}
