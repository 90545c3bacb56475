/**
 * The forecast benchmark's OSCP connections, on the Flexibility Provider's side (server-process.ts
 * in BENCH_MODE=forecast): one OSCP_STANDARD (token exchange) connection per seeded scope, created
 * enabled through the product's ConnectionService, so each goes through the real exchange with the
 * Capacity Provider simulator (forecast-sim.ts): our Register, its Register back, its Handshake, our
 * acknowledgement. The simulator's peers ask for no heartbeats and send none, so every connection
 * settles in HANDSHAKEN (ready for business, no liveness checks) and nothing but the benchmark's
 * forecasts reaches the server while it is measured.
 *
 * With `enableBatch`, connections are created a batch at a time, each batch ready before the next:
 * on PGlite one transaction holds the event loop, and 1,000 exchanges at once time out.
 *
 * Both sides derive the peers' names from the index and a per-run seed (forecast-peers.ts).
 */
import { performance } from 'node:perf_hooks';
import type { App } from '../../packages/server/src/app';
import type { Clock } from '../../packages/server/src/platform/clock';
import type { Db } from '../../packages/server/src/platform/db/database';
import * as projection from '../../packages/server/src/oscp/store/connection-projection';
import {
  forecastGroupIdFor,
  forecastInitialTokenFor,
  forecastSecretNameFor,
} from './forecast-peers';

/** Phases in which the FP accepts forecasts (LifecycleService.assertReadyForBusiness). */
const READY_PHASES = new Set(['HANDSHAKEN', 'ONLINE']);

export interface ProvisionedConnections {
  connectionIds: string[];
  groupIds: string[];
  /** From the first enable until every connection was HANDSHAKEN. */
  handshakeMs: number;
}

/**
 * Creates one enabled connection per scope (in scope order, so connection i serves circuit i) and
 * waits until every one is ready for business, at most `timeoutMs`.
 */
export async function provisionForecastConnections(
  app: App,
  db: Db,
  clock: Clock,
  options: {
    scopeIds: readonly string[];
    peerUrl: string;
    seed: string;
    timeoutMs: number;
    /** Connections created at once before waiting for them to be ready; all of them when 0. */
    enableBatch?: number;
  },
): Promise<ProvisionedConnections> {
  const now = clock.now();
  const microgrids = await app.microgrid.queries.listMicrogrids();
  const microgridOf = new Map<string, string>();
  for (const m of microgrids) for (const s of m.scopes) microgridOf.set(s.id, m.id);

  const started = performance.now();
  const deadline = performance.now() + options.timeoutMs;
  const batch = options.enableBatch || options.scopeIds.length;
  const connectionIds: string[] = [];
  const groupIds: string[] = [];
  for (const [i, scopeId] of options.scopeIds.entries()) {
    const microgridId = microgridOf.get(scopeId);
    if (!microgridId) throw new Error(`forecast bench: scope ${scopeId} has no microgrid`);
    await app.secrets.put(
      db,
      forecastSecretNameFor(i),
      forecastInitialTokenFor(options.seed, i),
      'bench',
      now,
    );
    const groupId = forecastGroupIdFor(i);
    const id = await app.oscp.connections.create(
      {
        preset: 'OSCP_STANDARD',
        displayName: `Forecast CP ${String(i + 1).padStart(4, '0')}`,
        groupId,
        microgridId,
        scopeId,
        peerBaseUrl: options.peerUrl,
        authReferences: { initialToken: forecastSecretNameFor(i) },
        enabled: true,
      },
      'bench',
      clock.now(),
    );
    connectionIds.push(id);
    groupIds.push(groupId);
    if (connectionIds.length % batch === 0 || i === options.scopeIds.length - 1)
      await untilReady(db, new Set(connectionIds), deadline, options.timeoutMs);
  }
  return { connectionIds, groupIds, handshakeMs: Math.round(performance.now() - started) };
}

/** Waits until every wanted connection is ready for business, or throws at the deadline. */
async function untilReady(
  db: Db,
  wanted: ReadonlySet<string>,
  deadline: number,
  timeoutMs: number,
): Promise<void> {
  for (;;) {
    const rows = (await projection.listConnections(db)).rows.filter((r) => wanted.has(r.id));
    const phases = new Map<string, number>();
    for (const r of rows) phases.set(r.lifecycle.phase, (phases.get(r.lifecycle.phase) ?? 0) + 1);
    const ready = rows.filter(
      (r) => READY_PHASES.has(r.lifecycle.phase) && !r.lifecycle.handshake.required,
    ).length;
    if (ready === wanted.size) break;
    if (performance.now() > deadline) {
      throw new Error(
        `forecast bench: ${ready} of ${wanted.size} connections handshaken after ${timeoutMs / 1000} s ` +
          `(phases ${JSON.stringify(Object.fromEntries(phases))})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
