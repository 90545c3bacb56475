import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDepotCli } from './cli';
import { OcppDepotSimulator } from './ocpp/ocpp-depot-simulator';

// The depot simulator's control surface and command line, without a central system: only the
// scenario switches are exercised here (their effect on meter values is tested in the server).

let sim: OcppDepotSimulator;
let url: string;

beforeEach(async () => {
  sim = new OcppDepotSimulator({
    endpoint: 'ws://127.0.0.1:9/ocpp',
    chargers: [
      { chargePointId: 'CP-A', password: 'x', phases: 3, maxCurrentA: 32 },
      { chargePointId: 'CP-B', password: 'y', phases: 1, maxCurrentA: 16 },
    ],
  });
  url = await sim.listen();
});

afterEach(async () => {
  await sim.stop();
});

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}/control${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  return runDepotCli(args, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { DEPOT_SIM_URL: url },
  }).then((code) => ({ code, out: out.join(''), err: err.join('') }));
}

describe('the depot control API', () => {
  it('lists the charge points and switches a scenario on and off', async () => {
    const state = await control('GET', '/state');
    expect(state.json.chargePoints).toEqual([
      {
        chargePointId: 'CP-A',
        charging: false,
        vehicle: null,
        limitA: null,
        currentA: 0,
        behaviour: { kind: 'OBEY' },
      },
      expect.objectContaining({ chargePointId: 'CP-B', behaviour: { kind: 'OBEY' } }),
    ]);

    const ignoring = await control('POST', '/charge-points/CP-A/behaviour', {
      behaviour: 'IGNORE_LIMIT',
    });
    expect(ignoring.status).toBe(200);
    expect(sim.chargePoint('CP-A')!.behaviour).toEqual({ kind: 'IGNORE_LIMIT' });

    await control('POST', '/charge-points/CP-B/behaviour', { behaviour: 'STUCK', currentA: 14 });
    expect(sim.chargePoint('CP-B')!.behaviour).toEqual({ kind: 'STUCK', currentA: 14 });

    await control('POST', '/charge-points/CP-A/behaviour', { behaviour: 'OBEY' });
    expect(sim.chargePoint('CP-A')!.behaviour).toEqual({ kind: 'OBEY' });
  });

  it('refuses what it cannot do, saying why', async () => {
    const noCurrent = await control('POST', '/charge-points/CP-A/behaviour', {
      behaviour: 'STUCK',
    });
    expect(noCurrent).toEqual({
      status: 400,
      json: { message: 'currentA: currentA is required for STUCK' },
    });
    const unknown = await control('POST', '/charge-points/CP-Z/behaviour', { behaviour: 'OBEY' });
    expect(unknown).toEqual({ status: 404, json: { message: 'no charge point CP-Z' } });
    expect(sim.chargePoint('CP-A')!.behaviour).toEqual({ kind: 'OBEY' });
  });
});

describe('npm run sim -- depot', () => {
  it('switches the scenarios of a running simulator', async () => {
    expect((await cli('ignore', '--charge-point', 'CP-A')).code).toBe(0);
    expect(sim.chargePoint('CP-A')!.behaviour).toEqual({ kind: 'IGNORE_LIMIT' });
    const stuck = await cli('stuck', '--charge-point', 'CP-B', '--current', '12');
    expect(stuck.code).toBe(0);
    expect(JSON.parse(stuck.out).chargePoint.behaviour).toEqual({ kind: 'STUCK', currentA: 12 });
    expect((await cli('obey', '--charge-point', 'CP-A')).code).toBe(0);
    expect(sim.chargePoint('CP-A')!.behaviour).toEqual({ kind: 'OBEY' });
    const state = await cli('state');
    expect(JSON.parse(state.out).chargePoints).toHaveLength(2);
  });

  it('says what is missing', async () => {
    expect(await cli('stuck', '--charge-point', 'CP-B')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--current must be a number'),
    });
    expect(await cli('ignore')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--charge-point'),
    });
    expect((await cli('obey', '--charge-point', 'CP-Z')).code).toBe(1);
  });
});
