import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedDemo } from '../../testing/demo';
import { startTestApp, type TestContext } from '../../testing/test-app';
import type { CircuitDetail, MicrogridList, MicrogridSummary } from '../contract';

let ctx: TestContext;
let manager: string;
let ids: Awaited<ReturnType<typeof seedDemo>>;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.reset();
  ids = await seedDemo(ctx);
  manager = await ctx.signIn('MANAGER');
});

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
type Response = Awaited<ReturnType<TestContext['request']>>;

function call(method: Method, url: string, body?: unknown, cookie = manager) {
  return ctx.request({ method, url, cookie, body });
}

function expectProblem(response: Response, status: number) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  const body = response.json();
  expect(body.status).toBe(status);
  return body as {
    type: string;
    title: string;
    detail?: string;
    errors?: { field: string; message: string }[];
    [k: string]: unknown;
  };
}

async function microgrids(): Promise<MicrogridSummary[]> {
  const response = await call('GET', '/api/microgrids');
  expect(response.statusCode).toBe(200);
  return (response.json() as MicrogridList).microgrids;
}

async function circuit(id = ids.circuitId): Promise<CircuitDetail> {
  const response = await call('GET', `/api/circuits/${id}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

function allocations(detail: CircuitDetail): Record<string, number> {
  return Object.fromEntries(
    detail.chargers.filter((c) => c.allocation).map((c) => [c.name, c.allocation!.currentA]),
  );
}

function charger(detail: CircuitDetail, name: string) {
  const found = detail.chargers.find((c) => c.name === name);
  expect(found, name).toBeDefined();
  return found!;
}

async function newMicrogrid(name: string, timezone = 'UTC'): Promise<string> {
  const response = await call('POST', '/api/microgrids', { name, timezone });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

async function newCircuit(
  microgridId: string,
  name: string,
  phaseCount: 1 | 3 = 3,
  staticCapacityA = 63,
): Promise<string> {
  const response = await call('POST', `/api/microgrids/${microgridId}/circuits`, {
    name,
    phaseCount,
    staticCapacityA,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

const UNKNOWN = '00000000-0000-4000-8000-000000000099';
const hour = (h: number) =>
  new Date(Date.parse('2026-03-02T09:00:00Z') + h * 3600_000).toISOString();

/** Seven sessions on the demo circuit, six of them on L1 (one vehicle capped at 16 A): (160 − 16) / 5 = 28.8 A. */
const DEMO_SHARE = 28.8;

describe('GET /api/microgrids is the canonical target contract', () => {
  it('lists each microgrid with its scopes, the one circuit each maps to, and its circuits', async () => {
    expect(await microgrids()).toEqual([
      {
        id: ids.microgridId,
        name: 'Demo Depot',
        timezone: 'Pacific/Auckland',
        scopes: [
          {
            id: ids.scopeId,
            name: 'Grid connection',
            circuits: [{ id: ids.circuitId, name: 'Main switchboard' }],
            circuit: { id: ids.circuitId, name: 'Main switchboard' },
            mappingProblem: null,
          },
        ],
        circuits: [
          {
            id: ids.circuitId,
            name: 'Main switchboard',
            phaseCount: 3,
            nominalVoltageV: 230,
            staticCapacityA: 160,
            effectiveCapacityA: 160,
            source: { kind: 'STATIC', label: 'Static circuit limit' },
            chargerCount: 14,
            activeSessionCount: 7,
          },
        ],
      },
    ]);
  });

  it('reports a scope that maps to no circuit or to several, with no circuit picked', async () => {
    const workshop = await newCircuit(ids.microgridId, 'Workshop board', 1);
    expect(
      (await call('POST', `/api/microgrids/${ids.microgridId}/scopes`, { name: 'Empty' }))
        .statusCode,
    ).toBe(201);
    expect(
      (
        await call('POST', `/api/microgrids/${ids.microgridId}/scopes`, {
          name: 'Both',
          circuitIds: [ids.circuitId, workshop, workshop],
        })
      ).statusCode,
    ).toBe(201);

    const [demo] = await microgrids();
    const byName = Object.fromEntries(demo!.scopes.map((s) => [s.name, s]));
    expect(byName.Empty).toMatchObject({
      circuits: [],
      circuit: null,
      mappingProblem: 'NO_CIRCUIT',
    });
    expect(byName.Both).toMatchObject({ circuit: null, mappingProblem: 'MULTIPLE_CIRCUITS' });
    expect(byName.Both!.circuits.map((c) => c.name).sort()).toEqual([
      'Main switchboard',
      'Workshop board',
    ]);
    expect(byName['Grid connection']).toMatchObject({
      circuit: { id: ids.circuitId },
      mappingProblem: null,
    });
    expect(demo!.circuits.map((c) => [c.name, c.chargerCount, c.activeSessionCount])).toEqual([
      ['Main switchboard', 14, 7],
      ['Workshop board', 0, 0],
    ]);
  });

  it('keeps each microgrid’s scopes and circuits to itself', async () => {
    const other = await newMicrogrid('Annex');
    const annexBoard = await newCircuit(other, 'Main switchboard');
    await call('POST', `/api/microgrids/${other}/scopes`, {
      name: 'Grid connection',
      circuitIds: [annexBoard],
    });
    const list = await microgrids();
    expect(list.map((m) => m.name)).toEqual(['Annex', 'Demo Depot']);
    expect(list[0]!.scopes.map((s) => s.circuit?.id)).toEqual([annexBoard]);
    expect(list[0]!.circuits.map((c) => c.id)).toEqual([annexBoard]);
    expect(list[1]!.circuits.map((c) => c.id)).toEqual([ids.circuitId]);
  });
});

describe('microgrids', () => {
  it('creates, edits and deletes a microgrid with everything in it', async () => {
    const created = await call('POST', '/api/microgrids', {
      name: 'North Depot',
      timezone: 'Europe/Berlin',
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json();
    expect(created.json()).toEqual({ id, name: 'North Depot', timezone: 'Europe/Berlin' });
    const board = await newCircuit(id, 'Board');

    const edited = await call('PATCH', `/api/microgrids/${id}`, { name: 'North Depot 2' });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toEqual({ id, name: 'North Depot 2', timezone: 'Europe/Berlin' });

    expect((await call('DELETE', `/api/microgrids/${id}`)).statusCode).toBe(204);
    expect((await microgrids()).map((m) => m.name)).toEqual(['Demo Depot']);
    expectProblem(await call('GET', `/api/circuits/${board}`), 404);
  });

  it('accepts an edit that changes nothing', async () => {
    const response = await call('PATCH', `/api/microgrids/${ids.microgridId}`, {});
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      id: ids.microgridId,
      name: 'Demo Depot',
      timezone: 'Pacific/Auckland',
    });
  });

  it('answers a duplicate name with 409, an unknown id with 404 and a bad time zone with 400', async () => {
    const duplicate = expectProblem(
      await call('POST', '/api/microgrids', { name: 'Demo Depot', timezone: 'UTC' }),
      409,
    );
    expect(duplicate).toMatchObject({
      field: 'name',
      detail: 'A microgrid named "Demo Depot" already exists here.',
    });
    const other = await newMicrogrid('Annex');
    expectProblem(await call('PATCH', `/api/microgrids/${other}`, { name: 'Demo Depot' }), 409);

    const unknown = expectProblem(
      await call('PATCH', `/api/microgrids/${UNKNOWN}`, { name: 'X' }),
      404,
    );
    expect(unknown.detail).toBe(`No microgrid with id ${UNKNOWN}.`);
    expectProblem(await call('DELETE', `/api/microgrids/${UNKNOWN}`), 404);

    const zone = expectProblem(
      await call('POST', '/api/microgrids', { name: 'Mars', timezone: 'Mars/Olympus' }),
      400,
    );
    expect(zone.errors).toEqual([
      { field: 'timezone', message: 'must be an IANA time zone such as Pacific/Auckland' },
    ]);
    expect(
      expectProblem(await call('POST', '/api/microgrids', { name: ' ', timezone: 'UTC' }), 400)
        .errors,
    ).toEqual([{ field: 'name', message: 'is required' }]);
    expect((await microgrids()).map((m) => m.name)).toEqual(['Annex', 'Demo Depot']);
  });
});

describe('circuits', () => {
  it('creates a circuit at its static capacity with an empty charger list', async () => {
    const response = await call('POST', `/api/microgrids/${ids.microgridId}/circuits`, {
      name: 'Workshop board',
      phaseCount: 1,
      staticCapacityA: 63,
    });
    expect(response.statusCode).toBe(201);
    const detail: CircuitDetail = response.json();
    expect(detail).toMatchObject({
      name: 'Workshop board',
      phaseCount: 1,
      nominalVoltageV: 230,
      staticCapacityA: 63,
      effectiveCapacityA: 63,
      source: { kind: 'STATIC' },
      microgridId: ids.microgridId,
      microgridName: 'Demo Depot',
      chargers: [],
      measuredLoadA: 0,
    });
    expect(await circuit(detail.id)).toEqual(detail);
  });

  it('answers specific problems: duplicate name 409, unknown microgrid or circuit 404, invalid phases 400', async () => {
    const duplicate = await call('POST', `/api/microgrids/${ids.microgridId}/circuits`, {
      name: 'Main switchboard',
      phaseCount: 3,
      staticCapacityA: 100,
    });
    expect(expectProblem(duplicate, 409)).toMatchObject({
      field: 'name',
      detail: 'A circuit named "Main switchboard" already exists here.',
    });
    // The same name in another microgrid is fine.
    await newCircuit(await newMicrogrid('Annex'), 'Main switchboard');

    expectProblem(
      await call('POST', `/api/microgrids/${UNKNOWN}/circuits`, {
        name: 'X',
        phaseCount: 3,
        staticCapacityA: 10,
      }),
      404,
    );
    expectProblem(await call('PATCH', `/api/circuits/${UNKNOWN}`, { staticCapacityA: 10 }), 404);
    expectProblem(await call('DELETE', `/api/circuits/${UNKNOWN}`), 404);
    expectProblem(await call('GET', `/api/circuits/${UNKNOWN}`), 404);

    const phases = expectProblem(
      await call('POST', `/api/microgrids/${ids.microgridId}/circuits`, {
        name: 'Two',
        phaseCount: 2,
        staticCapacityA: 10,
      }),
      400,
    );
    expect(phases.errors).toEqual([{ field: 'phaseCount', message: 'must be 1 or 3' }]);
    const negative = expectProblem(
      await call('POST', `/api/microgrids/${ids.microgridId}/circuits`, {
        name: 'Neg',
        phaseCount: 3,
        staticCapacityA: -1,
      }),
      400,
    );
    expect(negative.errors).toEqual([
      { field: 'staticCapacityA', message: 'must be zero or more' },
    ]);
    expectProblem(await call('GET', `/api/circuits/not-a-uuid`), 400);

    const second = await newCircuit(ids.microgridId, 'Second');
    expectProblem(
      await call('PATCH', `/api/circuits/${second}`, { name: 'Main switchboard' }),
      409,
    );
    expect((await circuit(second)).name).toBe('Second');
  });

  it('rebalances at once when the static capacity changes, in the same response', async () => {
    const before = await circuit();
    expect(allocations(before)['Bay 01']).toBe(DEMO_SHARE);

    const response = await call('PATCH', `/api/circuits/${ids.circuitId}`, {
      staticCapacityA: 100,
    });
    expect(response.statusCode).toBe(200);
    const detail: CircuitDetail = response.json();
    expect(detail.staticCapacityA).toBe(100);
    expect(detail.effectiveCapacityA).toBe(100);
    // (100 − 16) / 5 = 16.8 A.
    expect(allocations(detail)['Bay 01']).toBe(16.8);
    expect(allocations(detail)['Bay 03']).toBe(16);
    expect(charger(detail, 'Bay 01').allocation!.binding.kind).toBe('CAPACITY');
    expect(await circuit()).toEqual(detail);

    const history = (await call('GET', `/api/circuits/${ids.circuitId}/capacity-history`)).json();
    expect(history.points.map((p: { effectiveCapacityA: number }) => p.effectiveCapacityA)).toEqual(
      [160, 100],
    );
  });

  it('lets a lower static limit override an envelope, and the envelope return when it is raised again', async () => {
    const submitted = await call('POST', `/api/scopes/${ids.scopeId}/envelopes`, {
      source: 'DSO',
      blocks: [{ start: hour(0), end: hour(2), importLimit: { value: 46, unit: 'KW' } }],
    });
    expect(submitted.statusCode).toBe(201);
    expect((await circuit()).effectiveCapacityA).toBe(66.6);

    const lowered: CircuitDetail = (
      await call('PATCH', `/api/circuits/${ids.circuitId}`, { staticCapacityA: 50 })
    ).json();
    expect(lowered.effectiveCapacityA).toBe(50);
    expect(lowered.source.kind).toBe('STATIC');

    // A new voltage changes what 46 kW means: 46 000 / (240 × 3) = 63.8 A.
    const raised: CircuitDetail = (
      await call('PATCH', `/api/circuits/${ids.circuitId}`, {
        staticCapacityA: 160,
        nominalVoltageV: 240,
      })
    ).json();
    expect(raised.effectiveCapacityA).toBe(63.8);
    expect(raised.source).toMatchObject({ kind: 'ENVELOPE', label: 'Envelope: DSO' });
  });

  it('deletes a circuit with its chargers; its scope then maps to no circuit', async () => {
    expect((await call('DELETE', `/api/circuits/${ids.circuitId}`)).statusCode).toBe(204);
    expectProblem(await call('GET', `/api/circuits/${ids.circuitId}`), 404);
    const [demo] = await microgrids();
    expect(demo!.circuits).toEqual([]);
    expect(demo!.scopes[0]).toMatchObject({ circuit: null, mappingProblem: 'NO_CIRCUIT' });
    const chargers = await ctx.db.selectFrom('chargers').select('id').execute();
    expect(chargers).toEqual([]);
  });
});

describe('managed scopes', () => {
  it('creates, re-maps, renames and deletes a scope', async () => {
    const workshop = await newCircuit(ids.microgridId, 'Workshop board', 1);
    const created = await call('POST', `/api/microgrids/${ids.microgridId}/scopes`, {
      name: 'Workshop',
      circuitIds: [workshop],
    });
    expect(created.statusCode).toBe(201);
    const scopeId = created.json().id;

    expect(
      (
        await call('PATCH', `/api/scopes/${scopeId}`, {
          name: 'Workshop feed',
          circuitIds: [ids.circuitId],
        })
      ).statusCode,
    ).toBe(204);
    let scope = (await microgrids())[0]!.scopes.find((s) => s.id === scopeId);
    expect(scope).toMatchObject({ name: 'Workshop feed', circuit: { id: ids.circuitId } });

    expect((await call('PATCH', `/api/scopes/${scopeId}`, { circuitIds: [] })).statusCode).toBe(
      204,
    );
    scope = (await microgrids())[0]!.scopes.find((s) => s.id === scopeId);
    expect(scope).toMatchObject({ name: 'Workshop feed', mappingProblem: 'NO_CIRCUIT' });

    expect((await call('DELETE', `/api/scopes/${scopeId}`)).statusCode).toBe(204);
    expect((await microgrids())[0]!.scopes.map((s) => s.name)).toEqual(['Grid connection']);
    expectProblem(await call('DELETE', `/api/scopes/${scopeId}`), 404);
    expectProblem(await call('PATCH', `/api/scopes/${scopeId}`, { name: 'Again' }), 404);
  });

  it('refuses to re-map a scope that still has open envelopes, naming them; renaming is fine', async () => {
    const workshop = await newCircuit(ids.microgridId, 'Workshop board', 1);
    const submitted = await call('POST', `/api/scopes/${ids.scopeId}/envelopes`, {
      source: 'Site limit',
      blocks: [
        {
          start: '2026-03-02T09:00:00Z',
          end: '2026-03-02T11:00:00Z',
          importLimit: { value: 100, unit: 'A' },
        },
      ],
    });
    expect(submitted.statusCode, submitted.body).toBe(201);

    const refused = expectProblem(
      await call('PATCH', `/api/scopes/${ids.scopeId}`, { circuitIds: [workshop] }),
      409,
    );
    expect(refused.detail).toBe(
      'Managed scope "Grid connection" has 1 open envelope ("Site limit"); withdraw it before changing its circuits.',
    );
    expect((await microgrids())[0]!.scopes[0]).toMatchObject({ circuit: { id: ids.circuitId } });
    expect((await call('PATCH', `/api/scopes/${ids.scopeId}`, { name: 'Intake' })).statusCode).toBe(
      204,
    );

    const withdrawn = await call('POST', `/api/envelopes/${submitted.json().id}/withdraw`);
    expect(withdrawn.statusCode).toBe(200);
    expect(
      (await call('PATCH', `/api/scopes/${ids.scopeId}`, { circuitIds: [workshop] })).statusCode,
    ).toBe(204);
  });

  it('refuses a circuit of another microgrid with 400 naming circuitIds, and a duplicate name with 409', async () => {
    const annex = await newMicrogrid('Annex');
    const foreign = await newCircuit(annex, 'Annex board');
    const response = await call('POST', `/api/microgrids/${ids.microgridId}/scopes`, {
      name: 'Stolen',
      circuitIds: [foreign],
    });
    const problem = expectProblem(response, 400);
    expect(problem.detail).toBe(`circuitIds: ${foreign} is not a circuit of this microgrid`);
    expect(problem.errors).toEqual([
      { field: 'circuitIds', message: 'every circuit must belong to the scope’s microgrid' },
    ]);
    expectProblem(
      await call('PATCH', `/api/scopes/${ids.scopeId}`, { circuitIds: [ids.circuitId, foreign] }),
      400,
    );
    expectProblem(
      await call('POST', `/api/microgrids/${ids.microgridId}/scopes`, {
        name: 'Ghost',
        circuitIds: [UNKNOWN],
      }),
      400,
    );

    expectProblem(
      await call('POST', `/api/microgrids/${ids.microgridId}/scopes`, {
        name: 'Grid connection',
        circuitIds: [],
      }),
      409,
    );
    expectProblem(
      await call('POST', `/api/microgrids/${UNKNOWN}/scopes`, { name: 'Nowhere' }),
      404,
    );

    const [demo] = (await microgrids()).filter((m) => m.id === ids.microgridId);
    expect(demo!.scopes).toHaveLength(1);
    expect(demo!.scopes[0]!.circuits).toEqual([{ id: ids.circuitId, name: 'Main switchboard' }]);
  });

  it('takes its envelopes with it when deleted: the circuit returns to its static limit at once', async () => {
    await call('POST', `/api/scopes/${ids.scopeId}/envelopes`, {
      source: 'DSO',
      blocks: [{ start: hour(0), end: hour(1), importLimit: { value: 100, unit: 'A' } }],
    });
    expect((await circuit()).effectiveCapacityA).toBe(100);
    expect((await call('DELETE', `/api/scopes/${ids.scopeId}`)).statusCode).toBe(204);
    const after = await circuit();
    expect(after.effectiveCapacityA).toBe(160);
    expect(after.source.kind).toBe('STATIC');
    expect(allocations(after)['Bay 01']).toBe(DEMO_SHARE);
  });
});

describe('chargers', () => {
  it('adds a charger, edits it, and deletes it', async () => {
    const created = await call('POST', `/api/circuits/${ids.circuitId}/chargers`, {
      name: 'Bay 13',
      phases: ['L1', 'L2', 'L3'],
      maxCurrentA: 32,
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(charger(await circuit(), 'Bay 13')).toMatchObject({
      id,
      phases: ['L1', 'L2', 'L3'],
      minCurrentA: 6,
      maxCurrentA: 32,
      priority: 0,
      session: null,
    });

    expect(
      (await call('PATCH', `/api/chargers/${id}`, { name: 'Bay 13a', priority: 2 })).statusCode,
    ).toBe(204);
    expect(charger(await circuit(), 'Bay 13a')).toMatchObject({ id, priority: 2 });

    expect((await call('DELETE', `/api/chargers/${id}`)).statusCode).toBe(204);
    expect((await circuit()).chargers.map((c) => c.name)).not.toContain('Bay 13a');
    expectProblem(await call('DELETE', `/api/chargers/${id}`), 404);
    expectProblem(await call('PATCH', `/api/chargers/${id}`, { priority: 1 }), 404);
  });

  it('answers specific problems for invalid chargers, naming the field', async () => {
    const add = (body: unknown, circuitId = ids.circuitId) =>
      call('POST', `/api/circuits/${circuitId}/chargers`, body);

    expect(
      expectProblem(await add({ name: 'Two phase', phases: ['L1', 'L2'], maxCurrentA: 32 }), 400)
        .errors,
    ).toEqual([{ field: 'phases', message: 'a charger draws on 1 or 3 phases' }]);
    expect(
      expectProblem(await add({ name: 'Repeat', phases: ['L1', 'L1', 'L2'], maxCurrentA: 32 }), 400)
        .errors,
    ).toEqual([{ field: 'phases', message: 'must not repeat a phase' }]);
    expect(
      expectProblem(await add({ name: 'L4', phases: ['L4'], maxCurrentA: 32 }), 400).errors![0]!
        .field,
    ).toBe('phases.0');
    expect(
      expectProblem(
        await add({ name: 'Upside down', phases: ['L1'], minCurrentA: 16, maxCurrentA: 10 }),
        400,
      ).errors,
    ).toEqual([{ field: 'maxCurrentA', message: 'must be at least minCurrentA' }]);
    const duplicate = expectProblem(
      await add({ name: 'Bay 01', phases: ['L1'], maxCurrentA: 32 }),
      409,
    );
    expect(duplicate.detail).toBe('A charger named "Bay 01" already exists here.');
    expectProblem(await add({ name: 'Lost', phases: ['L1'], maxCurrentA: 32 }, UNKNOWN), 404);

    const single = await newCircuit(ids.microgridId, 'Workshop board', 1);
    const wrongPhase = expectProblem(
      await add({ name: 'On L2', phases: ['L2'], maxCurrentA: 16 }, single),
      400,
    );
    expect(wrongPhase.errors).toEqual([
      { field: 'phases', message: 'a single-phase circuit only has L1' },
    ]);
    expect((await add({ name: 'On L1', phases: ['L1'], maxCurrentA: 16 }, single)).statusCode).toBe(
      201,
    );

    const bay01 = charger(await circuit(), 'Bay 01').id;
    const edit = expectProblem(
      await call('PATCH', `/api/chargers/${bay01}`, { maxCurrentA: 4 }),
      400,
    );
    expect(edit.errors).toEqual([
      { field: 'maxCurrentA', message: 'must be at least minCurrentA' },
    ]);
    expectProblem(await call('PATCH', `/api/chargers/${bay01}`, { name: 'Bay 02' }), 409);
    expect(charger(await circuit(), 'Bay 01').maxCurrentA).toBe(32);
  });

  it('rebalances when a charging charger’s maximum changes', async () => {
    const bay01 = charger(await circuit(), 'Bay 01').id;
    expect((await call('PATCH', `/api/chargers/${bay01}`, { maxCurrentA: 10 })).statusCode).toBe(
      204,
    );
    const detail = await circuit();
    expect(charger(detail, 'Bay 01').allocation).toMatchObject({
      currentA: 10,
      binding: { kind: 'CHARGER_MAX' },
    });
    // The 18.8 A it gave up is shared by the four other uncapped sessions on L1: (160 − 16 − 10) / 4 = 33.5 → their 32 A maximum.
    expect(allocations(detail)['Bay 02']).toBe(32);
  });

  it('rebalances the others when a charger with a session is deleted', async () => {
    const before = await circuit();
    expect(allocations(before)['Bay 02']).toBe(DEMO_SHARE);
    const bay01 = charger(before, 'Bay 01');
    expect(bay01.session).not.toBeNull();

    expect((await call('DELETE', `/api/chargers/${bay01.id}`)).statusCode).toBe(204);
    const after = await circuit();
    expect(after.chargers.map((c) => c.name)).not.toContain('Bay 01');
    expect(after.activeSessionCount).toBe(6);
    // (160 − 16) / 4 = 36 A, capped at the chargers’ 32 A.
    expect(allocations(after)['Bay 02']).toBe(32);
    expect(charger(after, 'Bay 02').allocation!.binding.kind).toBe('CHARGER_MAX');
  });
});

describe('charging sessions', () => {
  it('ends a session once when two stops arrive together; the other is told it already ended', async () => {
    const operator = await ctx.signIn('OPERATOR');
    const bay06 = charger(await circuit(), 'Bay 06');
    const started = await call('POST', `/api/chargers/${bay06.id}/sessions`, {}, operator);
    expect(started.statusCode).toBe(201);
    const stops = await Promise.all(
      [1, 2].map(() =>
        call('POST', `/api/sessions/${started.json().id}/stop`, undefined, operator),
      ),
    );
    expect(stops.map((r) => r.statusCode).sort()).toEqual([204, 409]);
  });

  it('starts and stops sessions as OPERATOR, rebalancing each time', async () => {
    const operator = await ctx.signIn('OPERATOR');
    // A deep copy: the registry hands out its live value objects.
    const metricsBefore = structuredClone((await ctx.app.metrics.rebalances.get()).values);
    const bay06 = charger(await circuit(), 'Bay 06');
    expect(bay06.session).toBeNull();

    const started = await call(
      'POST',
      `/api/chargers/${bay06.id}/sessions`,
      { vehicleLabel: 'Bus 106' },
      operator,
    );
    expect(started.statusCode).toBe(201);
    const sessionId = started.json().id;
    let detail = await circuit();
    expect(charger(detail, 'Bay 06').session).toMatchObject({
      id: sessionId,
      vehicleLabel: 'Bus 106',
      energyWh: 0,
      startedAt: hour(0),
    });
    // Six uncapped sessions on L1 now: (160 − 16) / 6 = 24 A.
    expect(allocations(detail)['Bay 06']).toBe(24);
    expect(allocations(detail)['Bay 01']).toBe(24);
    expect(detail.activeSessionCount).toBe(8);

    const busy = expectProblem(
      await call('POST', `/api/chargers/${bay06.id}/sessions`, {}, operator),
      409,
    );
    expect(busy.detail).toBe('Charger "Bay 06" already has an active session.');

    ctx.clock.advance(3600_000);
    expect(
      (await call('POST', `/api/sessions/${sessionId}/stop`, undefined, operator)).statusCode,
    ).toBe(204);
    detail = await circuit();
    expect(charger(detail, 'Bay 06').session).toBeNull();
    expect(charger(detail, 'Bay 06').allocation).toBeNull();
    expect(allocations(detail)['Bay 01']).toBe(DEMO_SHARE);
    expectProblem(await call('POST', `/api/sessions/${sessionId}/stop`, undefined, operator), 409);
    expectProblem(await call('POST', `/api/sessions/${UNKNOWN}/stop`, undefined, operator), 404);

    expectProblem(await call('POST', `/api/chargers/${UNKNOWN}/sessions`, {}, operator), 404);

    const metricsAfter = (await ctx.app.metrics.rebalances.get()).values;
    const count = (values: typeof metricsAfter, trigger: string) =>
      values.find((v) => v.labels.trigger === trigger)?.value ?? 0;
    expect(count(metricsAfter, 'session-started') - count(metricsBefore, 'session-started')).toBe(
      1,
    );
    expect(count(metricsAfter, 'session-stopped') - count(metricsBefore, 'session-stopped')).toBe(
      1,
    );

    // The charger is free again.
    expect(
      (await call('POST', `/api/chargers/${bay06.id}/sessions`, {}, operator)).statusCode,
    ).toBe(201);
  });

  it('respects the vehicle’s own maximum', async () => {
    const operator = await ctx.signIn('OPERATOR');
    const bay06 = charger(await circuit(), 'Bay 06');
    await call('POST', `/api/chargers/${bay06.id}/sessions`, { vehicleMaxCurrentA: 10 }, operator);
    expect(charger(await circuit(), 'Bay 06').allocation).toMatchObject({
      currentA: 10,
      binding: { kind: 'VEHICLE_MAX', label: 'Vehicle maximum' },
    });
  });

  it('runs the load balancer on demand as OPERATOR and returns the circuit detail', async () => {
    const operator = await ctx.signIn('OPERATOR');
    ctx.clock.advance(5 * 60_000);
    const response = await call(
      'POST',
      `/api/circuits/${ids.circuitId}/rebalance`,
      undefined,
      operator,
    );
    expect(response.statusCode).toBe(200);
    const detail: CircuitDetail = response.json();
    expect(detail.id).toBe(ids.circuitId);
    expect(allocations(detail)['Bay 01']).toBe(DEMO_SHARE);
    expect(charger(detail, 'Bay 01').allocation!.computedAt).toBe('2026-03-02T09:05:00.000Z');
    expect(detail.allocatedA.L1).toBeLessThanOrEqual(160);
    expectProblem(
      await call('POST', `/api/circuits/${UNKNOWN}/rebalance`, undefined, operator),
      404,
    );
  });
});

describe('meter values', () => {
  it('stores readings, advances session energy, and reports the most loaded phase as measured load', async () => {
    const operator = await ctx.signIn('OPERATOR');
    const before = await circuit();
    const id = (name: string) => charger(before, name).id;
    const response = await call(
      'POST',
      '/api/meter-values',
      {
        readings: [
          {
            chargerId: id('Bay 01'),
            measuredAt: hour(0),
            energyWh: 1500,
            powerW: 13800,
            currentA: 20,
          },
          {
            chargerId: id('Workshop L1'),
            measuredAt: hour(0),
            energyWh: 300,
            powerW: 2300,
            currentA: 10,
          },
          {
            chargerId: id('Workshop L2'),
            measuredAt: hour(0),
            energyWh: 400,
            powerW: 2760,
            currentA: 12,
          },
        ],
      },
      operator,
    );
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ accepted: 3 });

    let detail = await circuit();
    expect(charger(detail, 'Bay 01').session!.energyWh).toBe(1500);
    expect(charger(detail, 'Bay 01').lastReading).toEqual({
      measuredAt: hour(0),
      currentA: 20,
      powerW: 13800,
    });
    // L1 = 20 + 10, L2 = 20 + 12, L3 = 20: the most loaded phase carries 32 A.
    expect(detail.measuredLoadA).toBe(32);

    // A newer reading replaces the older one; an energy register never runs backwards.
    ctx.clock.advance(60_000);
    await call(
      'POST',
      '/api/meter-values',
      {
        readings: [
          {
            chargerId: id('Bay 01'),
            measuredAt: hour(1 / 60),
            energyWh: 1800,
            powerW: 4600,
            currentA: 6.6,
          },
        ],
      },
      operator,
    );
    await call(
      'POST',
      '/api/meter-values',
      {
        readings: [
          {
            chargerId: id('Workshop L2'),
            measuredAt: hour(1 / 60),
            energyWh: 100,
            powerW: 0,
            currentA: 0,
          },
        ],
      },
      operator,
    );
    detail = await circuit();
    expect(charger(detail, 'Bay 01').session!.energyWh).toBe(1800);
    expect(charger(detail, 'Workshop L2').session!.energyWh).toBe(400);
    // L1 = 6.6 + 10 = 16.6, L2 = 6.6 + 0, L3 = 6.6.
    expect(detail.measuredLoadA).toBe(16.6);

    const stored = await ctx.db
      .selectFrom('meter_readings')
      .select(['charger_id', 'session_id'])
      .execute();
    expect(stored).toHaveLength(5);
    expect(stored.every((r) => r.session_id !== null)).toBe(true);
  });

  it('counts no reading of an earlier session towards the measured load', async () => {
    const operator = await ctx.signIn('OPERATOR');
    const bay06 = charger(await circuit(), 'Bay 06').id;
    const first = (await call('POST', `/api/chargers/${bay06}/sessions`, {}, operator)).json().id;
    await call(
      'POST',
      '/api/meter-values',
      {
        readings: [
          { chargerId: bay06, measuredAt: hour(0), energyWh: 5000, powerW: 13800, currentA: 20 },
        ],
      },
      operator,
    );
    expect((await circuit()).measuredLoadA).toBe(20);

    ctx.clock.advance(60_000);
    await call('POST', `/api/sessions/${first}/stop`, undefined, operator);
    expect((await circuit()).measuredLoadA).toBe(0);

    // A new vehicle plugs in: nothing has been measured for it yet.
    ctx.clock.advance(60_000);
    await call('POST', `/api/chargers/${bay06}/sessions`, {}, operator);
    const detail = await circuit();
    expect(charger(detail, 'Bay 06').session!.energyWh).toBe(0);
    expect(charger(detail, 'Bay 06').lastReading).toMatchObject({ currentA: 20 });
    expect(detail.measuredLoadA).toBe(0);
  });

  it('refuses readings for an unknown charger with 400 and stores none of the batch', async () => {
    const operator = await ctx.signIn('OPERATOR');
    const bay01 = charger(await circuit(), 'Bay 01').id;
    const response = await call(
      'POST',
      '/api/meter-values',
      {
        readings: [
          { chargerId: bay01, measuredAt: hour(0), energyWh: 1500, powerW: 13800, currentA: 20 },
          { chargerId: UNKNOWN, measuredAt: hour(0), energyWh: 10, powerW: 10, currentA: 1 },
        ],
      },
      operator,
    );
    const problem = expectProblem(response, 400);
    expect(problem.detail).toBe(`readings: unknown charger ${UNKNOWN}`);
    expect(await ctx.db.selectFrom('meter_readings').selectAll().execute()).toEqual([]);
    const detail = await circuit();
    expect(charger(detail, 'Bay 01').session!.energyWh).toBe(0);
    expect(detail.measuredLoadA).toBe(0);

    const negative = await call(
      'POST',
      '/api/meter-values',
      {
        readings: [{ chargerId: bay01, measuredAt: hour(0), energyWh: 1, powerW: 1, currentA: -1 }],
      },
      operator,
    );
    expect(expectProblem(negative, 400).errors![0]!.field).toBe('readings.0.currentA');
  });
});

describe('a VIEWER', () => {
  it('can read everything', async () => {
    const viewer = await ctx.signIn('VIEWER');
    for (const url of [
      '/api/microgrids',
      `/api/circuits/${ids.circuitId}`,
      `/api/circuits/${ids.circuitId}/capacity-history`,
      `/api/circuits/${ids.circuitId}/envelopes`,
      `/api/scopes/${ids.scopeId}/envelopes?status=all`,
    ]) {
      const response = await call('GET', url, undefined, viewer);
      expect(response.statusCode, url).toBe(200);
    }
  });

  it('can change nothing (403)', async () => {
    const viewer = await ctx.signIn('VIEWER');
    const before = await circuit();
    const bay01 = charger(before, 'Bay 01');
    const bay06 = charger(before, 'Bay 06');
    const attempts: [Method, string, unknown?][] = [
      ['POST', '/api/microgrids', { name: 'Mine', timezone: 'UTC' }],
      ['PATCH', `/api/microgrids/${ids.microgridId}`, { name: 'Mine' }],
      ['DELETE', `/api/microgrids/${ids.microgridId}`],
      [
        'POST',
        `/api/microgrids/${ids.microgridId}/circuits`,
        { name: 'Mine', phaseCount: 3, staticCapacityA: 10 },
      ],
      ['PATCH', `/api/circuits/${ids.circuitId}`, { staticCapacityA: 1 }],
      ['DELETE', `/api/circuits/${ids.circuitId}`],
      ['POST', `/api/circuits/${ids.circuitId}/rebalance`],
      ['POST', `/api/microgrids/${ids.microgridId}/scopes`, { name: 'Mine' }],
      ['PATCH', `/api/scopes/${ids.scopeId}`, { circuitIds: [] }],
      ['DELETE', `/api/scopes/${ids.scopeId}`],
      [
        'POST',
        `/api/circuits/${ids.circuitId}/chargers`,
        { name: 'Mine', phases: ['L1'], maxCurrentA: 16 },
      ],
      ['PATCH', `/api/chargers/${bay01.id}`, { maxCurrentA: 6 }],
      ['DELETE', `/api/chargers/${bay01.id}`],
      ['POST', `/api/chargers/${bay06.id}/sessions`, {}],
      ['POST', `/api/sessions/${bay01.session!.id}/stop`],
      [
        'POST',
        '/api/meter-values',
        {
          readings: [
            { chargerId: bay01.id, measuredAt: hour(0), energyWh: 1, powerW: 1, currentA: 1 },
          ],
        },
      ],
      [
        'POST',
        `/api/scopes/${ids.scopeId}/envelopes`,
        {
          source: 'Mine',
          blocks: [{ start: hour(0), end: hour(1), importLimit: { value: 1, unit: 'A' } }],
        },
      ],
    ];
    for (const [method, url, body] of attempts) {
      const problem = expectProblem(await call(method, url, body, viewer), 403);
      expect(problem.type, `${method} ${url}`).toBe('urn:openvelope:problem:forbidden');
    }
    expect(await circuit()).toEqual(before);
    expect(await microgrids()).toHaveLength(1);
    expect(await ctx.db.selectFrom('meter_readings').selectAll().execute()).toEqual([]);
  });
});
