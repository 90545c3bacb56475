import { CapacityProviderSimulator } from '@openvelope/sim';
import type { App } from '../app';
import { newOpaqueToken } from '../platform/auth/secrets';
import type { Clock } from '../platform/clock';
import type { Db } from '../platform/db/database';
import { appendToStream, ConcurrencyError } from '../platform/events/event-store';
import type { Logger } from '../platform/logging';
import * as projection from '../oscp/store/connection-projection';

const SEED_STREAM = 'system-demo-capacity-provider-seed';
const INITIAL_TOKEN_SECRET = 'demo-cp-initial-token';
export const DEMO_GROUP_ID = 'DEMODEPOT';

/**
 * The Capacity Provider simulator next to the server, with a demo connection to it configured but
 * disabled, so a new user can enable it and watch it come ONLINE. The simulator keeps nothing across
 * restarts, so an enabled demo connection registers again at start.
 */
export async function startDemoCapacityProvider(deps: {
  app: App;
  db: Db;
  clock: Clock;
  log: Logger;
  port: number;
  heartbeatIntervalSeconds: number;
  scope: { microgridId: string; scopeId: string } | undefined;
}): Promise<{ sim: CapacityProviderSimulator; connectionId: string | undefined }> {
  const { app, db, clock } = deps;
  const sim = new CapacityProviderSimulator({ log: deps.log, autoHeartbeats: true });
  await sim.start({ port: deps.port, host: '127.0.0.1' });

  let initialToken = await app.secrets.reveal(db, INITIAL_TOKEN_SECRET);
  if (!initialToken) {
    initialToken = newOpaqueToken('demo_');
    await app.secrets.put(db, INITIAL_TOKEN_SECRET, initialToken, 'demo-seed', clock.now());
  }
  sim.addPeer({
    groupId: DEMO_GROUP_ID,
    mode: 'OSCP_TOKEN',
    initialTokenForFp: initialToken,
    autoHandshakeAfterRegister: true,
    heartbeatIntervalSeconds: deps.heartbeatIntervalSeconds,
    measurementConfiguration: ['CONTINUOUS'],
  });

  let connectionId = await seedConnectionOnce(deps, sim.oscpBaseUrl);
  if (!connectionId) connectionId = (await projection.findByGroupId(db, DEMO_GROUP_ID))?.id;
  if (connectionId) {
    const row = await projection.findConnection(db, connectionId);
    if (row && row.profile.peerBaseUrl !== sim.oscpBaseUrl) {
      await app.oscp.connections.edit(
        connectionId,
        { peerBaseUrl: sim.oscpBaseUrl },
        'demo-seed',
        clock.now(),
      );
    }
    if (row?.enabled && row.profile.authMode === 'OSCP_TOKEN') {
      // The simulator forgot us; it knows the configured initial token again.
      await app.oscp.lifecycle.reregister(connectionId, 'demo-seed', 'INITIAL_TOKEN');
    }
  }
  return { sim, connectionId };
}

async function seedConnectionOnce(
  deps: Parameters<typeof startDemoCapacityProvider>[0],
  peerBaseUrl: string,
): Promise<string | undefined> {
  const { app, db, clock, scope } = deps;
  if (!scope) return undefined;
  try {
    await appendToStream(
      db,
      SEED_STREAM,
      0,
      [{ type: 'DemoCapacityProviderSeeded', data: { at: clock.now().toISOString() } }],
      clock.now(),
    );
  } catch (error) {
    if (error instanceof ConcurrencyError) return undefined;
    throw error;
  }
  return app.oscp.connections.create(
    {
      preset: 'OSCP_STANDARD',
      displayName: 'Demo Capacity Provider (simulator)',
      groupId: DEMO_GROUP_ID,
      microgridId: scope.microgridId,
      scopeId: scope.scopeId,
      peerBaseUrl,
      authReferences: { initialToken: INITIAL_TOKEN_SECRET },
      requestedHeartbeatIntervalSeconds: deps.heartbeatIntervalSeconds,
      enabled: false,
    },
    'demo-seed',
    clock.now(),
  );
}
