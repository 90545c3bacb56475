import { RPCClient } from '../ocpp/http/rpc';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startTestApp, type TestContext } from './test-app';
import { eventually } from './wait';
import type { SetChargingProfileRequest, SetChargingProfileStatus } from '../ocpp/domain/messages';

export interface TestChargePoint {
  client: RPCClient;
  /** Every SetChargingProfile received, oldest first. */
  profiles: SetChargingProfileRequest[];
  /** How it answers SetChargingProfile from now on; 'silent' never answers. */
  answer: SetChargingProfileStatus | 'silent';
  close(): Promise<void>;
}

export interface OcppTestDepot {
  ctx: TestContext;
  /** ws://127.0.0.1:port/ocpp/ */
  url: string;
  manager: string;
  microgridId: string;
  circuitId: string;
  scopeId: string;
  /** Two three-phase 6–32 A chargers, "CP-1" and "CP-2", each with connector 1 and a password. */
  chargers: { id: string; chargePointId: string; password: string }[];
  connect(chargePointId: string, password: string | undefined): Promise<TestChargePoint>;
}

/**
 * For a test file: the app on loopback (its OCPP endpoint included), and before each test a fresh
 * depot with a 3-phase circuit of `capacityA` per phase and two OCPP chargers. Charge points are
 * real ocpp-rpc clients over WebSocket, strict like the server.
 */
export function useOcppDepot(capacityA = 40, start = '2026-03-02T09:00:00Z'): OcppTestDepot {
  const env = {} as OcppTestDepot;
  const open: TestChargePoint[] = [];
  beforeAll(async () => {
    env.ctx = await startTestApp(start);
    const base = await env.ctx.listen();
    env.url = `${base.replace(/^http/, 'ws')}/ocpp/`;
  });
  afterAll(async () => {
    await Promise.all(open.map((cp) => cp.close()));
    await env.ctx.close();
  });
  beforeEach(async () => {
    await Promise.all(open.splice(0).map((cp) => cp.close()));
    // The server records each disconnect in the database: let it finish before the reset.
    const central = env.ctx.app.ocpp.centralSystem;
    await eventually(() => central.connectedCount === 0, 'every charger disconnected');
    await central.disconnectsRecorded();
    await env.ctx.reset();
    env.manager = await env.ctx.signIn('MANAGER', 'mia');
    const call = async (method: 'POST' | 'PUT', url: string, body?: unknown) => {
      const response = await env.ctx.request({ method, url, cookie: env.manager, body });
      if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.body}`);
      return response.json();
    };
    env.microgridId = (
      await call('POST', '/api/microgrids', { name: 'Depot', timezone: 'UTC' })
    ).id;
    env.circuitId = (
      await call('POST', `/api/microgrids/${env.microgridId}/circuits`, {
        name: 'Main',
        phaseCount: 3,
        staticCapacityA: capacityA,
      })
    ).id;
    env.scopeId = (
      await call('POST', `/api/microgrids/${env.microgridId}/scopes`, {
        name: 'Grid',
        circuitIds: [env.circuitId],
      })
    ).id;
    env.chargers = [];
    for (const name of ['CP-1', 'CP-2']) {
      const { id } = await call('POST', `/api/circuits/${env.circuitId}/chargers`, {
        name,
        phases: ['L1', 'L2', 'L3'],
        minCurrentA: 6,
        maxCurrentA: 32,
      });
      await call('PUT', `/api/chargers/${id}/ocpp`, { chargePointId: name, connectorIds: [1] });
      const { password } = await call('POST', `/api/chargers/${id}/ocpp/password`);
      env.chargers.push({ id, chargePointId: name, password });
    }
  });
  env.connect = async (chargePointId, password) => {
    const client = new RPCClient({
      endpoint: env.url.replace(/\/$/, ''),
      identity: chargePointId,
      protocols: ['ocpp1.6'],
      strictMode: true,
      reconnect: false,
      ...(password !== undefined ? { password } : {}),
    } as never);
    const cp: TestChargePoint = {
      client,
      profiles: [],
      answer: 'Accepted',
      close: async () => {
        await client.close({ force: true });
      },
    };
    client.handle('SetChargingProfile', async ({ params }) => {
      cp.profiles.push(params as unknown as SetChargingProfileRequest);
      if (cp.answer === 'silent') return new Promise<never>(() => {});
      return { status: cp.answer };
    });
    await client.connect();
    open.push(cp);
    return cp;
  };
  return env;
}
