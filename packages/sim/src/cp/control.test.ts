import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CapacityProviderSimulator } from './simulator';
import { FpClient, FpStandIn } from './testing';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));

let sim: CapacityProviderSimulator;
let fp: FpStandIn;

beforeEach(async () => {
  sim = new CapacityProviderSimulator();
  await sim.start();
  fp = await FpStandIn.start();
});

afterEach(async () => {
  await sim.stop();
  await fp.stop();
});

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${sim.url}/control${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

describe('control API', () => {
  it('adds a peer, drives the FP-first exchange and shows it in the state', async () => {
    const added = await control('POST', '/peers', {
      groupId: 'DEPOT-1',
      mode: 'OSCP_TOKEN',
      initialTokenForFp: 'initial-1',
      heartbeatIntervalSeconds: 30,
    });
    expect(added.status).toBe(201);
    const id = added.body?.id as string;
    expect(added.body?.peer).toMatchObject({
      groupId: 'DEPOT-1',
      tokens: { initialTokenForFp: 'initial-1' },
    });

    const client = new FpClient(sim.oscpBaseUrl);
    await client.send(
      {
        kind: 'Register',
        body: { token: 'T-fp', version_url: [{ version: '2.0', base_url: fp.baseUrl }] },
      },
      { scheme: 'Token', token: 'initial-1' },
    );
    await sim.waitForPeer(id, (p) => p.registration.status === 'REGISTERED');

    const state = await control('GET', '/state');
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({
      oscpBaseUrl: sim.oscpBaseUrl,
      tokenUrl: sim.tokenUrl,
      peers: [
        { id, groupId: 'DEPOT-1', registration: { status: 'REGISTERED' }, fpBaseUrl: fp.baseUrl },
      ],
    });

    const handshake = await control('POST', `/peers/${id}/handshake`, {
      heartbeatIntervalSeconds: 15,
    });
    expect(handshake.body).toMatchObject({ outcome: { status: 'delivered' } });
    expect((await fp.waitFor('handshake')).body).toMatchObject({
      required_behaviour: { heartbeat_interval: 15 },
    });

    const forecast = await control('POST', '/peers/DEPOT-1/forecasts', {
      rolling: { capacity: 80, unit: 'A' },
    });
    expect(forecast.body).toMatchObject({ outcome: { status: 'delivered' } });
    const received = await fp.waitFor('update_group_capacity_forecast');
    expect((received.body as { forecasted_blocks: unknown[] }).forecasted_blocks).toHaveLength(96);

    const zero = await control('POST', `/peers/${id}/forecasts`, { zero: { hours: 1 } });
    expect(zero.body).toMatchObject({ outcome: { status: 'delivered' } });

    const started = await control('POST', `/peers/${id}/heartbeats`, { intervalSeconds: 3600 });
    expect(started.body).toMatchObject({
      peer: { heartbeats: { running: true, intervalSeconds: 3600 } },
    });
    await fp.waitFor('heartbeat');
    expect((await control('DELETE', `/peers/${id}/heartbeats`)).body).toMatchObject({
      peer: { heartbeats: { running: false } },
    });
    expect((await control('POST', `/peers/${id}/heartbeats/resume`)).status).toBe(200);
    await fp.waitFor('heartbeat', { nth: 2 });
    await control('DELETE', `/peers/${id}/heartbeats`);

    const schedule = await control('POST', `/peers/${id}/forecast-schedule`, {
      capacity: 40,
      hours: 1,
    });
    expect(schedule.body).toMatchObject({ peer: { forecasts: { schedule: { capacity: 40 } } } });
    expect((await control('DELETE', `/peers/${id}/forecast-schedule`)).body).toMatchObject({
      peer: { forecasts: { schedule: null } },
    });

    const outbound = await control('GET', `/messages?direction=outbound&endpoint=register`);
    expect(outbound.body?.messages).toMatchObject([
      { endpoint: 'register', outcome: { status: 'delivered' } },
    ]);
  });

  it('sets and clears faults, lists and clears messages', async () => {
    const added = await control('POST', '/peers', {
      groupId: 'G',
      mode: 'OSCP_TOKEN',
      initialTokenForFp: 'init',
    });
    const id = added.body?.id as string;
    const fault = await control('POST', '/faults', { endpoint: 'register', status: 503 });
    expect(fault).toMatchObject({
      status: 201,
      body: { fault: { endpoint: 'register', status: 503 } },
    });

    const client = new FpClient(sim.oscpBaseUrl);
    const register = {
      kind: 'Register' as const,
      body: { token: 'T-fp', version_url: [{ version: '2.0', base_url: fp.baseUrl }] },
    };
    expect(await client.send(register, { scheme: 'Token', token: 'init' })).toMatchObject({
      httpStatus: 503,
    });
    expect((await control('DELETE', '/faults')).status).toBe(204);
    expect(await client.send(register, { scheme: 'Token', token: 'init' })).toMatchObject({
      status: 'delivered',
    });

    const messages = await control('GET', `/messages?endpoint=register&peer=${id}`);
    expect((messages.body?.messages as { status: number }[]).map((m) => m.status)).toEqual([
      503, 204,
    ]);
    expect((await control('GET', '/messages?limit=1')).body?.messages).toHaveLength(1);
    expect((await control('DELETE', '/messages')).status).toBe(204);
    expect((await control('GET', '/messages')).body).toEqual({ messages: [] });
  });

  it('answers {message} with 4xx for bad requests and unknown peers', async () => {
    expect(await control('POST', '/peers', { groupId: '', mode: 'OSCP_TOKEN' })).toEqual({
      status: 400,
      body: { message: 'groupId: must not be empty' },
    });
    expect(await control('POST', '/peers', { groupId: 'V', mode: 'VECTOR' })).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('oauth') },
    });
    expect(await control('POST', '/peers/nobody/register')).toEqual({
      status: 404,
      body: { message: 'no peer nobody' },
    });
    await control('POST', '/peers', { groupId: 'G', mode: 'OSCP_TOKEN' });
    expect((await control('POST', '/peers', { groupId: 'G', mode: 'OSCP_TOKEN' })).status).toBe(
      409,
    );
    expect(await control('POST', '/peers/G/heartbeats', { intervalSeconds: -1 })).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('intervalSeconds') },
    });
    expect(await control('POST', '/faults', { endpoint: 'heartbeat' })).toMatchObject({
      status: 400,
    });
    expect((await control('GET', '/nowhere')).status).toBe(404);
  });
});

describe('CLI', () => {
  const cli = (...args: string[]) =>
    run('npx', ['tsx', 'packages/sim/src/cli.ts', 'cp', ...args, '--url', sim.url], {
      cwd: repoRoot,
    });

  it('prints the state and adds a peer through the control API', async () => {
    const added = await cli(
      'add-peer',
      '--group',
      'CLI-1',
      '--mode',
      'OSCP_TOKEN',
      '--fp-base-url',
      fp.baseUrl,
      '--initial-token-from-fp',
      'fp-initial',
    );
    expect(JSON.parse(added.stdout)).toMatchObject({ id: 'peer-1', peer: { groupId: 'CLI-1' } });

    const { stdout } = await cli('state');
    const state = JSON.parse(stdout) as { peers: { groupId: string; mode: string }[]; url: string };
    expect(state.url).toBe(sim.url);
    expect(state.peers).toMatchObject([{ groupId: 'CLI-1', mode: 'OSCP_TOKEN' }]);

    const registered = await cli('register', '--peer', 'CLI-1');
    expect(JSON.parse(registered.stdout)).toMatchObject({ outcome: { status: 'delivered' } });
    expect((await fp.waitFor('register')).authorization).toBe('Token fp-initial');
  });

  it('exits non-zero with the message when the control API refuses', async () => {
    const failure = await cli('register', '--peer', 'ghost').then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('no peer ghost');
  });
});
