import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readStream } from '../../platform/events/event-store';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { seedDemo } from '../../testing/demo';
import type { CircuitDetail, EnvelopeView } from '../contract';

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

async function circuit(): Promise<CircuitDetail> {
  const response = await ctx.request({
    method: 'GET',
    url: `/api/circuits/${ids.circuitId}`,
    cookie: manager,
  });
  expect(response.statusCode).toBe(200);
  return response.json();
}

function allocationsByCharger(detail: CircuitDetail): Record<string, number> {
  return Object.fromEntries(
    detail.chargers.filter((c) => c.allocation).map((c) => [c.name, c.allocation!.currentA]),
  );
}

function submit(blocks: unknown[], scopeId = ids.scopeId, source = 'Test envelope') {
  return ctx.request({
    method: 'POST',
    url: `/api/scopes/${scopeId}/envelopes`,
    cookie: manager,
    body: { source, blocks },
  });
}

const hour = (h: number) =>
  new Date(Date.parse('2026-03-02T09:00:00Z') + h * 3600_000).toISOString();

describe('operating envelopes change the circuit’s effective capacity and allocations', () => {
  it('applies an envelope in force, shows its source, and returns to static on withdrawal', async () => {
    const before = await circuit();
    expect(before.effectiveCapacityA).toBe(160);
    expect(before.source).toEqual({ kind: 'STATIC', label: 'Static circuit limit' });
    // Seven sessions, six on L1 and L2 (one vehicle capped at 16 A): (160 - 16) / 5 = 28.8 A.
    expect(allocationsByCharger(before)['Bay 01']).toBe(28.8);
    expect(allocationsByCharger(before)['Bay 03']).toBe(16);

    const response = await submit([
      { start: hour(0), end: hour(1), importLimit: { value: 100, unit: 'A' } },
    ]);
    expect(response.statusCode).toBe(201);
    const envelope: EnvelopeView = response.json();
    expect(envelope.status).toBe('ACTIVE');

    const during = await circuit();
    expect(during.effectiveCapacityA).toBe(100);
    expect(during.source.kind).toBe('ENVELOPE');
    expect(during.source.label).toBe('Envelope: Test envelope');
    // (100 - 16) / 5 = 16.8 A; the 16 A vehicle keeps its own maximum.
    expect(allocationsByCharger(during)['Bay 01']).toBe(16.8);
    const binding = during.chargers.find((c) => c.name === 'Bay 01')!.allocation!.binding;
    expect(binding.kind).toBe('CAPACITY');
    expect(binding.label).toContain('Envelope: Test envelope');

    const withdrawn = await ctx.request({
      method: 'POST',
      url: `/api/envelopes/${envelope.id}/withdraw`,
      cookie: manager,
    });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json().status).toBe('WITHDRAWN');
    const after = await circuit();
    expect(after.effectiveCapacityA).toBe(160);
    expect(after.source.kind).toBe('STATIC');
    expect(allocationsByCharger(after)['Bay 01']).toBe(28.8);

    const events = await readStream(ctx.db, `envelope-${envelope.id}`);
    expect(events.map((e) => e.type)).toEqual([
      'EnvelopeAccepted',
      'EnvelopeActivated',
      'EnvelopeWithdrawn',
    ]);
  });

  it('adds a capacity history point only when the capacity or its source changes', async () => {
    const points = async () =>
      (
        await ctx.db
          .selectFrom('capacity_history')
          .select('id')
          .where('circuit_id', '=', ids.circuitId)
          .execute()
      ).length;
    const initial = await points();
    await submit([{ start: hour(0), end: hour(1), importLimit: { value: 100, unit: 'A' } }]);
    expect(await points()).toBe(initial + 1);
    // A rebalance while the same envelope is in force: same capacity, same source, no new point.
    const rebalance = await ctx.request({
      method: 'POST',
      url: `/api/circuits/${ids.circuitId}/rebalance`,
      cookie: manager,
    });
    expect(rebalance.statusCode).toBe(200);
    expect(await points()).toBe(initial + 1);
  });

  it('activates a scheduled envelope at its start and expires it at its end through due work', async () => {
    const response = await submit([
      { start: hour(1), end: hour(2), importLimit: { value: 46, unit: 'KW' } },
      { start: hour(2), end: hour(3), importLimit: { value: 80, unit: 'A' } },
    ]);
    expect(response.statusCode).toBe(201);
    const envelope: EnvelopeView = response.json();
    expect(envelope.status).toBe('SCHEDULED');
    // 46 kW over three phases at 230 V = 66.6 A per phase.
    expect(envelope.blocks.map((b) => b.importLimitA)).toEqual([66.6, 80]);
    expect((await circuit()).effectiveCapacityA).toBe(160);

    ctx.clock.set(hour(1));
    expect(await ctx.app.scheduler.runDue()).toBe(1);
    expect((await circuit()).effectiveCapacityA).toBe(66.6);

    ctx.clock.set(hour(2));
    await ctx.app.scheduler.runDue();
    expect((await circuit()).effectiveCapacityA).toBe(80);

    ctx.clock.set(hour(3));
    await ctx.app.scheduler.runDue();
    const after = await circuit();
    expect(after.effectiveCapacityA).toBe(160);
    expect(after.source.kind).toBe('STATIC');

    const events = await readStream(ctx.db, `envelope-${envelope.id}`);
    expect(events.map((e) => e.type)).toEqual([
      'EnvelopeAccepted',
      'EnvelopeActivated',
      'EnvelopeExpired',
    ]);
    const history = await ctx.request({
      method: 'GET',
      url: `/api/circuits/${ids.circuitId}/capacity-history`,
      cookie: manager,
    });
    expect(
      history.json().points.map((p: { effectiveCapacityA: number }) => p.effectiveCapacityA),
    ).toEqual([160, 66.6, 80, 160]);
  });

  it('takes the lowest of several envelopes in force', async () => {
    await submit(
      [{ start: hour(0), end: hour(2), importLimit: { value: 120, unit: 'A' } }],
      ids.scopeId,
      'First',
    );
    await submit(
      [{ start: hour(0), end: hour(1), importLimit: { value: 90, unit: 'A' } }],
      ids.scopeId,
      'Second',
    );
    expect((await circuit()).source.label).toBe('Envelope: Second');
    ctx.clock.set(hour(1));
    await ctx.app.scheduler.runDue();
    const detail = await circuit();
    expect(detail.effectiveCapacityA).toBe(120);
    expect(detail.source.label).toBe('Envelope: First');
  });

  it('never raises capacity above the static limit', async () => {
    await submit([{ start: hour(0), end: hour(1), importLimit: { value: 400, unit: 'A' } }]);
    const detail = await circuit();
    expect(detail.effectiveCapacityA).toBe(160);
    expect(detail.source.kind).toBe('STATIC');
  });
});

describe('envelope rejections are specific, change nothing, and are recorded', () => {
  async function assertUnchanged() {
    const detail = await circuit();
    expect(detail.effectiveCapacityA).toBe(160);
    const list = await ctx.request({
      method: 'GET',
      url: `/api/scopes/${ids.scopeId}/envelopes?status=all`,
      cookie: manager,
    });
    expect(list.json().envelopes).toEqual([]);
  }

  it('rejects overlapping blocks naming the block', async () => {
    const response = await submit([
      { start: hour(0), end: hour(2), importLimit: { value: 100, unit: 'A' } },
      { start: hour(1), end: hour(3), importLimit: { value: 100, unit: 'A' } },
    ]);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().detail).toBe('block 2 start: overlaps block 1');
    await assertUnchanged();
    const events = await readStream(ctx.db, `scope-envelopes-${ids.scopeId}`);
    expect(events.map((e) => [e.type, e.data.reason])).toEqual([
      ['EnvelopeRejected', 'validation'],
    ]);
  });

  it('rejects a block that ends before it starts', async () => {
    const response = await submit([
      { start: hour(2), end: hour(1), importLimit: { value: 100, unit: 'A' } },
    ]);
    expect(response.statusCode).toBe(400);
    expect(response.json().detail).toContain('block 1 end: must be after start');
    await assertUnchanged();
  });

  it('rejects a negative limit at the schema with the field named', async () => {
    const response = await submit([
      { start: hour(0), end: hour(1), importLimit: { value: -5, unit: 'A' } },
    ]);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].field).toBe('blocks.0.importLimit.value');
    await assertUnchanged();
  });

  it('rejects an unknown scope with 404', async () => {
    const unknown = '00000000-0000-4000-8000-000000000001';
    const response = await submit(
      [{ start: hour(0), end: hour(1), importLimit: { value: 100, unit: 'A' } }],
      unknown,
    );
    expect(response.statusCode).toBe(404);
    expect(response.json().type).toBe('urn:openvelope:problem:scope-not-found');
    // No scope, nothing to keep a record against (ADR 0032): a made-up id leaves no trace.
    const events = await readStream(ctx.db, `scope-envelopes-${unknown}`);
    expect(events).toEqual([]);
  });

  it('rejects a scope that maps to no circuit, or to several', async () => {
    const empty = await ctx.request({
      method: 'POST',
      url: `/api/microgrids/${ids.microgridId}/scopes`,
      cookie: manager,
      body: { name: 'Nothing', circuitIds: [] },
    });
    const response = await submit(
      [{ start: hour(0), end: hour(1), importLimit: { value: 100, unit: 'A' } }],
      empty.json().id,
    );
    expect(response.statusCode).toBe(422);
    expect(response.json().type).toBe('urn:openvelope:problem:scope-without-circuit');

    const second = await ctx.request({
      method: 'POST',
      url: `/api/microgrids/${ids.microgridId}/circuits`,
      cookie: manager,
      body: { name: 'Workshop board', phaseCount: 1, staticCapacityA: 63 },
    });
    const both = await ctx.request({
      method: 'POST',
      url: `/api/microgrids/${ids.microgridId}/scopes`,
      cookie: manager,
      body: { name: 'Both', circuitIds: [ids.circuitId, second.json().id] },
    });
    const several = await submit(
      [{ start: hour(0), end: hour(1), importLimit: { value: 100, unit: 'A' } }],
      both.json().id,
    );
    expect(several.statusCode).toBe(422);
    expect(several.json().type).toBe('urn:openvelope:problem:scope-with-several-circuits');
    await assertUnchanged();
  });

  it('refuses to withdraw twice', async () => {
    const envelope: EnvelopeView = (
      await submit([{ start: hour(0), end: hour(1), importLimit: { value: 100, unit: 'A' } }])
    ).json();
    await ctx.request({
      method: 'POST',
      url: `/api/envelopes/${envelope.id}/withdraw`,
      cookie: manager,
    });
    const again = await ctx.request({
      method: 'POST',
      url: `/api/envelopes/${envelope.id}/withdraw`,
      cookie: manager,
    });
    expect(again.statusCode).toBe(409);
  });
});
