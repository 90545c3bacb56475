import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/database';
import { readAll, readStream } from '../../platform/events/event-store';
import { SecretStore } from '../../platform/secrets/secret-store';
import { seedDemo } from '../../testing/demo';
import { startTestApp, type TestContext } from '../../testing/test-app';
import type { ConnectionDetail, ConnectionSummary, HistoryEntry } from '../contract';
import { PRESET_DEFAULTS } from '../domain/connection-profile';

/*
 * The OSCP connection management API over HTTP, on the demo depot (Demo Depot → scope "Grid
 * connection" → circuit "Main switchboard"). Runs on PGlite, and on PostgreSQL with DATABASE_URL.
 */

const onPostgres = Boolean(process.env.DATABASE_URL);
const START = '2026-03-02T09:00:00.000Z';

let ctx: TestContext;
let ids: Awaited<ReturnType<typeof seedDemo>>;
let alice: string;

beforeAll(async () => {
  ctx = await startTestApp(START);
});
afterAll(async () => closeQuietly(ctx.db, () => ctx.close()));
beforeEach(async () => {
  await ctx.reset();
  ids = await seedDemo(ctx);
  alice = await ctx.signIn('MANAGER', 'alice');
});

/**
 * Works around the shared harness on PostgreSQL: its close() drops the test database WITH (FORCE)
 * right after ending the pool, which can kill backends that are still exiting; the pool has no error
 * listener, so that surfaces as an unhandled "terminating connection" error. Ending the pool first
 * and waiting until its sessions are gone avoids it.
 */
async function closeQuietly(db: Db, close: () => Promise<void>): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(db);
    await db.destroy();
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      const deadline = performance.now() + 10_000;
      for (;;) {
        const sessions = await admin.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
          [rows[0]!.name],
        );
        if (sessions.rows[0]!.n === 0 || performance.now() > deadline) break;
      }
    } finally {
      await admin.end();
    }
  }
  await close();
}

type Body = Record<string, unknown>;

/** The connection's event stream (docs/architecture.md: `oscp-connection-<id>`). */
const connectionStream = (id: string) => `oscp-connection-${id}`;

/** The configuration events of this aggregate (other events may share its stream). */
const isConfigurationEvent = (type: string) =>
  [
    'OscpConnectionConfigured',
    'OscpConnectionEdited',
    'OscpConnectionEnabled',
    'OscpConnectionDisabled',
  ].includes(type);

/** A Vector DERMS connection whose OAuth2 secret names and reporting asset are set. */
function vectorBody(extra: Body = {}): Body {
  return {
    preset: 'VECTOR_DERMS',
    displayName: 'Vector North',
    groupId: 'VECGRP01',
    reportingAssetId: 'DEPOT-METER-1',
    microgridId: ids.microgridId,
    scopeId: ids.scopeId,
    peerBaseUrl: 'https://derms.example.com/oscp/cp/2.0',
    authReferences: {
      tokenUrl: 'vector-token-url',
      clientId: 'vector-client-id',
      clientSecret: 'vector-client-secret',
      staticHeaders: 'vector-headers',
    },
    ...extra,
  };
}

/** An OSCP 2.0 standard connection that can be enabled as it is. */
function standardBody(extra: Body = {}): Body {
  return {
    preset: 'OSCP_STANDARD',
    displayName: 'Standard CP',
    groupId: 'GRP42',
    microgridId: ids.microgridId,
    scopeId: ids.scopeId,
    peerBaseUrl: 'https://cp.example.com/oscp/cp/2.0',
    authReferences: { initialToken: 'cp-initial-token' },
    ...extra,
  };
}

const create = (body: Body, cookie = alice) =>
  ctx.request({ method: 'POST', url: '/api/oscp-connections', cookie, body });
const detail = (id: string, cookie = alice) =>
  ctx.request({ method: 'GET', url: `/api/oscp-connections/${id}`, cookie });
const patch = (id: string, body: Body, cookie = alice) =>
  ctx.request({ method: 'PATCH', url: `/api/oscp-connections/${id}`, cookie, body });
const enable = (id: string, cookie = alice) =>
  ctx.request({ method: 'POST', url: `/api/oscp-connections/${id}/enable`, cookie });
const disable = (id: string, cookie = alice) =>
  ctx.request({ method: 'POST', url: `/api/oscp-connections/${id}/disable`, cookie });
const history = (id: string, cookie = alice) =>
  ctx.request({ method: 'GET', url: `/api/oscp-connections/${id}/history`, cookie });

async function created(body: Body, cookie = alice): Promise<ConnectionDetail> {
  const response = await create(body, cookie);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

function expectProblem(response: LightMyRequestResponse, status: number, slug: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  const body = response.json();
  expect(body.type).toBe(`urn:openvelope:problem:${slug}`);
  expect(body.status).toBe(status);
  return body;
}

async function connectionRows() {
  return ctx.db
    .selectFrom('oscp_connections')
    .select(['id', 'group_id', 'scope_id', 'enabled', 'version'])
    .execute();
}

async function connectionEvents() {
  return (await readAll(ctx.db, 0, 10_000)).filter((e) =>
    e.streamId.startsWith('oscp-connection-'),
  );
}

/** Another managed scope on the demo circuit, so two connections can differ only by scope. */
async function newScope(name: string): Promise<string> {
  return ctx.app.microgrid.model.createScope(
    ids.microgridId,
    { name, circuitIds: [ids.circuitId] },
    ctx.clock.now(),
  );
}
const secondScope = () => newScope('Depot east');

/** A digest of every table, to prove what a request did and did not write. */
async function snapshot(): Promise<Record<string, string>> {
  const tables = await sql<{ tablename: string }>`
    SELECT tablename FROM pg_tables
    WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely_%' ORDER BY tablename`.execute(
    ctx.db,
  );
  const digests: Record<string, string> = {};
  for (const { tablename } of tables.rows) {
    const result = await sql<{ digest: string }>`
      SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest
      FROM ${sql.table(tablename)} t`.execute(ctx.db);
    digests[tablename] = result.rows[0]!.digest;
  }
  return digests;
}

async function lastPosition(): Promise<number> {
  const row = await ctx.db
    .selectFrom('events')
    .select((eb) => eb.fn.max<number | null>('global_position').as('p'))
    .executeTakeFirst();
  return Number(row?.p ?? 0);
}

/**
 * Runs requests at the same time. On PGlite the driver serialises transactions, so this is a plain
 * Promise.all. On PostgreSQL it holds a lock that blocks writes to `oscp_connections` until every
 * request is waiting on a lock, i.e. every one of them has passed the application's checks and none
 * has committed: only the database can then decide.
 */
async function race(
  requests: (() => PromiseLike<LightMyRequestResponse>)[],
): Promise<LightMyRequestResponse[]> {
  if (!onPostgres) return Promise.all(requests.map((r) => r()));
  let responses!: Promise<LightMyRequestResponse[]>;
  await ctx.db.transaction().execute(async (trx) => {
    await sql`LOCK TABLE oscp_connections IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
    responses = Promise.all(requests.map((r) => r()));
    const deadline = performance.now() + 15_000;
    for (;;) {
      const waiting = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(ctx.db);
      if (waiting.rows[0]!.n >= requests.length) break;
      if (performance.now() > deadline)
        throw new Error(`expected ${requests.length} requests waiting on a lock`);
    }
  });
  return responses;
}

describe('creating a connection', () => {
  it('creates a CONFIGURED Vector DERMS connection showing its binding, with no protocol activity', async () => {
    const before = await snapshot();
    const position = await lastPosition();

    const response = await create(vectorBody());
    expect(response.statusCode, response.body).toBe(201);
    const connection: ConnectionDetail = response.json();
    expect(connection).toMatchObject({
      displayName: 'Vector North',
      preset: 'VECTOR_DERMS',
      groupId: 'VECGRP01',
      state: 'CONFIGURED',
      enabled: false,
      measurementPublicationMode: 'ASSET',
      authMode: 'OAUTH2_CLIENT_CREDENTIALS',
      latestError: null,
      version: 1,
      createdAt: START,
      updatedAt: START,
      protocolActivity: { outboundMessages: 0, inboundMessages: 0 },
    });
    expect(connection.binding).toEqual({
      groupId: 'VECGRP01',
      microgrid: { id: ids.microgridId, name: 'Demo Depot' },
      scope: { id: ids.scopeId, name: 'Grid connection' },
      circuit: { id: ids.circuitId, name: 'Main switchboard' },
    });
    // The preset's defaults, with what was chosen.
    expect(connection.profile).toMatchObject({
      measurementConfiguration: 'INTERMITTENT',
      measurementPublicationIntervalSeconds: 900,
      measurementAlignment: 'CLOCK_HOUR',
      handshakeInitiator: 'FLEXIBILITY_PROVIDER',
      reportingAssetId: 'DEPOT-METER-1',
      instantaneousMeasurementUnit: 'KW',
      peerBaseUrl: 'https://derms.example.com/oscp/cp/2.0',
    });
    expect(connection.secrets).toMatchObject({
      initialToken: { name: null, set: false },
      tokenUrl: { name: 'vector-token-url', set: false },
      clientId: { name: 'vector-client-id', set: false },
      clientSecret: { name: 'vector-client-secret', set: false },
      staticHeaders: { name: 'vector-headers', set: false },
    });
    // Each reference shows a name and whether it is set: never anything else.
    for (const view of Object.values(connection.secrets)) {
      expect(Object.keys(view).sort()).toEqual(['name', 'set']);
    }

    // Only the connection's own event and its read model were written: no outbound message, no
    // scheduled work, nothing in any other table.
    const after = await snapshot();
    const changed = Object.keys(after).filter((table) => after[table] !== before[table]);
    expect(changed.sort()).toEqual(['events', 'oscp_connections']);
    const outboundTables = Object.keys(after).filter((table) => /outbound|outbox/.test(table));
    for (const table of outboundTables) expect(after[table], table).toMatch(/^0:/);
    const written = await readAll(ctx.db, position);
    expect(written.map((e) => [e.streamId, e.type])).toEqual([
      [connectionStream(connection.id), 'OscpConnectionConfigured'],
    ]);
    expect(await connectionRows()).toEqual([
      {
        id: connection.id,
        group_id: 'VECGRP01',
        scope_id: ids.scopeId,
        enabled: false,
        version: 1,
      },
    ]);

    // Reading it back gives the same view; the list shows the same binding.
    expect((await detail(connection.id)).json()).toEqual(connection);
    const list = await ctx.request({ method: 'GET', url: '/api/oscp-connections', cookie: alice });
    expect(list.statusCode).toBe(200);
    const summaries: ConnectionSummary[] = list.json().connections;
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.binding).toEqual(connection.binding);
    expect(summaries[0]).not.toHaveProperty('profile');
  });

  it('creates with the OSCP 2.0 standard preset’s defaults', async () => {
    const connection = await created(standardBody());
    expect(connection).toMatchObject({
      preset: 'OSCP_STANDARD',
      authMode: 'OSCP_TOKEN',
      measurementPublicationMode: 'GROUP',
    });
    expect(connection.profile).toMatchObject({
      handshakeInitiator: 'CAPACITY_PROVIDER',
      measurementAlignment: 'NONE',
    });
  });

  it('offers the Vector DERMS and OSCP 2.0 standard presets with their defaults', async () => {
    const response = await ctx.request({ method: 'GET', url: '/api/oscp-presets', cookie: alice });
    expect(response.statusCode).toBe(200);
    const presets: { id: string; label: string; defaults: Record<string, unknown> }[] =
      response.json().presets;
    expect(presets.map((p) => [p.id, p.label])).toEqual([
      ['VECTOR_DERMS', 'Vector DERMS'],
      ['OSCP_STANDARD', 'OSCP 2.0 standard'],
      ['CUSTOM', 'Custom'],
    ]);
    expect(presets[0]!.defaults).toEqual(PRESET_DEFAULTS.VECTOR_DERMS);
    expect(presets[1]!.defaults).toEqual(PRESET_DEFAULTS.OSCP_STANDARD);
  });

  const invalid: [string, Body, string[]][] = [
    ['a group id with a control character', { groupId: 'depot\u00077' }, ['groupId']],
    ['a group id longer than 255 characters', { groupId: 'G'.repeat(256) }, ['groupId']],
    ['a relative peer URL', { peerBaseUrl: '/oscp/cp/2.0' }, ['peerBaseUrl']],
    [
      'a peer URL with a trailing slash',
      { peerBaseUrl: 'https://cp.example.com/oscp/cp/2.0/' },
      ['peerBaseUrl'],
    ],
    [
      'a peer URL with a query',
      { peerBaseUrl: 'https://cp.example.com/oscp/cp/2.0?a=1' },
      ['peerBaseUrl'],
    ],
    [
      'an interval that does not divide an hour',
      { measurementPublicationIntervalSeconds: 420, measurementAlignment: 'NONE' },
      ['measurementPublicationIntervalSeconds'],
    ],
    [
      'ASSET measurements as CONTINUOUS',
      { measurementConfiguration: 'CONTINUOUS' },
      ['measurementConfiguration'],
    ],
    [
      'ASSET measurements without the reporting asset',
      { reportingAssetId: null },
      ['reportingAssetId'],
    ],
    [
      'the Vector preset with group measurements',
      { measurementPublicationMode: 'GROUP' },
      ['measurementPublicationMode'],
    ],
    [
      'an instantaneous unit of A',
      { instantaneousMeasurementUnit: 'A' },
      ['instantaneousMeasurementUnit'],
    ],
    [
      'CLOCK_HOUR with an interval not dividing an hour',
      { measurementPublicationIntervalSeconds: 420 },
      ['measurementAlignment', 'measurementPublicationIntervalSeconds'],
    ],
    [
      'a heartbeat of 0',
      { requestedHeartbeatIntervalSeconds: 0 },
      ['requestedHeartbeatIntervalSeconds'],
    ],
    ['the planned DEAD_RECKONING gap policy', { gapPolicy: 'DEAD_RECKONING' }, ['gapPolicy']],
    ['an empty display name', { displayName: '' }, ['displayName']],
    ['a microgrid id that is not a UUID', { microgridId: 'demo' }, ['microgridId']],
    ['an unknown preset', { preset: 'VENDOR_X' }, ['preset']],
    ['another OSCP version', { oscpVersion: '1.4' }, ['oscpVersion']],
    [
      'an interval that is not a number',
      { measurementPublicationIntervalSeconds: 'fast' },
      ['measurementPublicationIntervalSeconds'],
    ],
    [
      'several invalid fields',
      { groupId: 'a\u0007b', peerBaseUrl: 'x', gapPolicy: 'DEAD_RECKONING' },
      ['gapPolicy', 'groupId', 'peerBaseUrl'],
    ],
  ];

  it.each(invalid)(
    'refuses %s with 400 naming each field, and writes nothing',
    async (_what, extra, fields) => {
      const before = await snapshot();
      const response = await create(vectorBody(extra));
      const problem = expectProblem(response, 400, 'validation');
      expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual(fields);
      for (const field of fields) expect(problem.detail).toContain(`${field}:`);
      expect(await snapshot()).toEqual(before);
    },
  );

  it('refuses a scope of another microgrid, or an unknown scope, on scopeId', async () => {
    const other = await ctx.app.microgrid.model.createMicrogrid(
      { name: 'Other Depot', timezone: 'UTC' },
      ctx.clock.now(),
    );
    const otherCircuit = await ctx.app.microgrid.model.createCircuit(
      other.id,
      { name: 'Other feeder', phaseCount: 3, nominalVoltageV: 230, staticCapacityA: 100 },
      ctx.clock.now(),
    );
    const otherScope = await ctx.app.microgrid.model.createScope(
      other.id,
      { name: 'Elsewhere', circuitIds: [otherCircuit] },
      ctx.clock.now(),
    );
    const before = await snapshot();
    for (const binding of [
      { microgridId: ids.microgridId, scopeId: otherScope },
      { microgridId: other.id, scopeId: ids.scopeId },
      { microgridId: ids.microgridId, scopeId: '00000000-0000-4000-8000-000000000001' },
    ]) {
      const problem = expectProblem(await create(vectorBody(binding)), 400, 'validation');
      expect(problem.errors).toEqual([
        { field: 'scopeId', message: 'is not a managed scope of the chosen microgrid' },
      ]);
    }
    expect(await snapshot()).toEqual(before);
    // Bound to the other microgrid's own scope, it is accepted.
    const elsewhere = await created(vectorBody({ microgridId: other.id, scopeId: otherScope }));
    expect(elsewhere.binding).toEqual({
      groupId: 'VECGRP01',
      microgrid: { id: other.id, name: 'Other Depot' },
      scope: { id: otherScope, name: 'Elsewhere' },
      circuit: { id: otherCircuit, name: 'Other feeder' },
    });
  });

  it('refuses to create an enabled connection whose profile cannot be enabled, and writes nothing', async () => {
    const problem = expectProblem(
      await create(
        vectorBody({
          enabled: true,
          authReferences: { tokenUrl: 'vector-token-url', clientId: 'vector-client-id' },
        }),
      ),
      400,
      'validation',
    );
    expect(problem.errors).toEqual([
      {
        field: 'authReferences.clientSecret',
        message: 'OAuth2 client credentials need this secret name',
      },
    ]);
    expect(await connectionRows()).toEqual([]);
    expect(await connectionEvents()).toEqual([]);
  });
});

describe('editing, and the history of changes', () => {
  it('edits the interval 900 → 300; the history shows both versions with who, when and what changed', async () => {
    const connection = await created(vectorBody());
    const bob = await ctx.signIn('MANAGER', 'bob');
    const later = ctx.clock.advance(3600_000).toISOString();

    const response = await patch(
      connection.id,
      { measurementPublicationIntervalSeconds: 300, expectedVersion: 1 },
      bob,
    );
    expect(response.statusCode, response.body).toBe(200);
    const edited: ConnectionDetail = response.json();
    expect(edited).toMatchObject({
      version: 2,
      createdAt: START,
      updatedAt: later,
      state: 'CONFIGURED',
    });
    expect(edited.profile.measurementPublicationIntervalSeconds).toBe(300);

    const viewer = await ctx.signIn('VIEWER');
    const entries = await history(connection.id, viewer);
    expect(entries.statusCode).toBe(200);
    const list: HistoryEntry[] = entries.json().history;
    expect(list).toEqual([
      {
        version: 2,
        type: 'OscpConnectionEdited',
        at: later,
        by: 'bob',
        summary: 'Edited 1 field(s)',
        changes: [{ field: 'measurementPublicationIntervalSeconds', from: 900, to: 300 }],
      },
      {
        version: 1,
        type: 'OscpConnectionConfigured',
        at: START,
        by: 'alice',
        summary: 'Connection configured',
        changes: [],
      },
    ]);
    const events = await readStream(ctx.db, connectionStream(connection.id));
    expect(events.map((e) => e.type)).toEqual(['OscpConnectionConfigured', 'OscpConnectionEdited']);
  });

  it('records nested changes flattened, and nothing for an edit that changes nothing', async () => {
    const connection = await created(vectorBody());
    const same = await patch(connection.id, {
      measurementPublicationIntervalSeconds: 900,
      displayName: 'Vector North',
    });
    expect(same.statusCode).toBe(200);
    expect(same.json().version).toBe(1);

    const changed = await patch(connection.id, {
      authReferences: { clientId: 'vector-client-id-2' },
    });
    expect(changed.json().version).toBe(2);
    const [latest] = (await history(connection.id)).json().history as HistoryEntry[];
    expect(latest!.changes).toEqual([
      { field: 'authReferences.clientId', from: 'vector-client-id', to: 'vector-client-id-2' },
    ]);
    expect(await connectionEvents()).toHaveLength(2);
  });

  it('refuses a stale expectedVersion with 409 and changes nothing', async () => {
    const connection = await created(vectorBody());
    expect(
      (await patch(connection.id, { measurementPublicationIntervalSeconds: 300 })).statusCode,
    ).toBe(200);
    const stale = expectProblem(
      await patch(connection.id, {
        measurementPublicationIntervalSeconds: 600,
        expectedVersion: 1,
      }),
      409,
      'conflict',
    );
    expect(stale.currentVersion).toBe(2);
    expect(stale.detail).toContain('version 2');
    const now = (await detail(connection.id)).json() as ConnectionDetail;
    expect(now.version).toBe(2);
    expect(now.profile.measurementPublicationIntervalSeconds).toBe(300);
    expect(
      (
        await patch(connection.id, {
          measurementPublicationIntervalSeconds: 600,
          expectedVersion: 2,
        })
      ).statusCode,
    ).toBe(200);
  });

  it('lets only one of two concurrent edits from the same version win', async () => {
    const connection = await created(vectorBody());
    const responses = await race([
      () =>
        patch(connection.id, { measurementPublicationIntervalSeconds: 300, expectedVersion: 1 }),
      () =>
        patch(connection.id, { measurementPublicationIntervalSeconds: 600, expectedVersion: 1 }),
    ]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const winner: ConnectionDetail = responses.find((r) => r.statusCode === 200)!.json();
    const now: ConnectionDetail = (await detail(connection.id)).json();
    expect(now.version).toBe(2);
    expect(now.profile.measurementPublicationIntervalSeconds).toBe(
      winner.profile.measurementPublicationIntervalSeconds,
    );
    expect((await history(connection.id)).json().history).toHaveLength(2);
  });

  it('applies concurrent edits without expectedVersion one after the other', async () => {
    const connection = await created(vectorBody());
    const responses = await race([
      () => patch(connection.id, { measurementPublicationIntervalSeconds: 300 }),
      () => patch(connection.id, { displayName: 'Vector North 2' }),
    ]);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200]);
    const now: ConnectionDetail = (await detail(connection.id)).json();
    expect(now.version).toBe(3);
    expect(now.displayName).toBe('Vector North 2');
    expect(now.profile.measurementPublicationIntervalSeconds).toBe(300);
  });

  it('validates an edit naming the field, including a scope of another microgrid', async () => {
    const connection = await created(vectorBody());
    const other = await ctx.app.microgrid.model.createMicrogrid(
      { name: 'Other Depot', timezone: 'UTC' },
      ctx.clock.now(),
    );
    const otherScope = await ctx.app.microgrid.model.createScope(
      other.id,
      { name: 'Elsewhere', circuitIds: [] },
      ctx.clock.now(),
    );
    const wrongScope = expectProblem(
      await patch(connection.id, { scopeId: otherScope }),
      400,
      'validation',
    );
    expect(wrongScope.errors.map((e: { field: string }) => e.field)).toEqual(['scopeId']);
    const wrongGroup = expectProblem(
      await patch(connection.id, { groupId: 'VEC\t01' }),
      400,
      'validation',
    );
    expect(wrongGroup.errors.map((e: { field: string }) => e.field)).toEqual(['groupId']);
    expect((await detail(connection.id)).json().version).toBe(1);
  });

  it('answers 404 for an unknown connection and 400 for an id that is not a UUID', async () => {
    const unknown = '00000000-0000-4000-8000-0000000000aa';
    expectProblem(await detail(unknown), 404, 'not-found');
    expectProblem(await patch(unknown, { displayName: 'x' }), 404, 'not-found');
    expectProblem(await enable(unknown), 404, 'not-found');
    expectProblem(await disable(unknown), 404, 'not-found');
    expectProblem(await history(unknown), 404, 'not-found');
    const problem = expectProblem(await detail('not-a-uuid'), 400, 'validation');
    expect(problem.errors[0].field).toBe('id');
  });
});

describe('enabling and disabling', () => {
  it('refuses ASSET with CONTINUOUS or without its asset on create, edit, enable and preset switch, naming the field and changing nothing', async () => {
    const fields = (response: LightMyRequestResponse) =>
      (expectProblem(response, 400, 'validation').errors as { field: string }[])
        .map((e) => e.field)
        .sort();
    const empty = await snapshot();
    // Create, enabled or not.
    for (const enabled of [false, true]) {
      expect(
        fields(await create(vectorBody({ measurementConfiguration: 'CONTINUOUS', enabled }))),
      ).toEqual(['measurementConfiguration']);
      expect(fields(await create(vectorBody({ reportingAssetId: null, enabled })))).toEqual([
        'reportingAssetId',
      ]);
    }
    expect(await snapshot()).toEqual(empty);

    // Edit.
    const vector = await created(vectorBody());
    const standard = await created(standardBody({ groupId: 'STD1', scopeId: await secondScope() }));
    const stored = await snapshot();
    expect(fields(await patch(vector.id, { measurementConfiguration: 'CONTINUOUS' }))).toEqual([
      'measurementConfiguration',
    ]);
    for (const removed of [null, '']) {
      expect(fields(await patch(vector.id, { reportingAssetId: removed }))).toEqual([
        'reportingAssetId',
      ]);
    }
    expect(
      fields(
        await patch(standard.id, { measurementPublicationMode: 'ASSET', reportingAssetId: 'M1' }),
      ),
    ).toEqual(['measurementConfiguration']);
    // Preset switch: to Vector's profile only with asset measurements, its asset and INTERMITTENT.
    expect(fields(await patch(standard.id, { preset: 'VECTOR_DERMS' }))).toEqual([
      'measurementPublicationMode',
    ]);
    expect(
      fields(
        await patch(standard.id, { preset: 'VECTOR_DERMS', measurementPublicationMode: 'ASSET' }),
      ),
    ).toEqual(['measurementConfiguration', 'reportingAssetId']);
    expect(await snapshot()).toEqual(stored);
    const switched = await patch(standard.id, {
      preset: 'VECTOR_DERMS',
      measurementPublicationMode: 'ASSET',
      measurementConfiguration: 'INTERMITTENT',
      reportingAssetId: 'M1',
    });
    expect(switched.statusCode, switched.body).toBe(200);

    // Enable: a profile saved as ASSET + CONTINUOUS before this rule existed cannot be enabled.
    const older = { ...vector.profile, measurementConfiguration: 'CONTINUOUS' };
    await sql`UPDATE events SET data = jsonb_set(data, '{profile}', ${JSON.stringify(older)}::jsonb)
      WHERE stream_id = ${connectionStream(vector.id)} AND type = 'OscpConnectionConfigured'`.execute(
      ctx.db,
    );
    await sql`UPDATE oscp_connections SET profile = ${JSON.stringify(older)}::jsonb
      WHERE id = ${vector.id}`.execute(ctx.db);
    const beforeEnable = await snapshot();
    expect(fields(await enable(vector.id))).toEqual(['measurementConfiguration']);
    expect(await snapshot()).toEqual(beforeEnable);
  });

  it('keeps an ASSET connection’s reporting asset, enabled or not: removing it is refused', async () => {
    const connection = await created(vectorBody({ enabled: true }));
    expect(connection.enabled).toBe(true);
    expect((await disable(connection.id)).statusCode).toBe(200);
    for (const removed of [null, '']) {
      const problem = expectProblem(
        await patch(connection.id, { reportingAssetId: removed }),
        400,
        'validation',
      );
      expect(problem.errors.map((e: { field: string }) => e.field)).toEqual(['reportingAssetId']);
    }
    expect((await detail(connection.id)).json().profile.reportingAssetId).toBe('DEPOT-METER-1');
    // A new asset id is recorded in the history.
    expect((await patch(connection.id, { reportingAssetId: 'DEPOT-METER-2' })).statusCode).toBe(
      200,
    );
    const [latest] = (await history(connection.id)).json().history as HistoryEntry[];
    expect(latest!.changes).toEqual([
      { field: 'reportingAssetId', from: 'DEPOT-METER-1', to: 'DEPOT-METER-2' },
    ]);
  });

  it('refuses to enable twice or disable twice with 409', async () => {
    const connection = await created(standardBody({ enabled: true }));
    expect(connection.enabled).toBe(true);
    expect(expectProblem(await enable(connection.id), 409, 'conflict').detail).toBe(
      'The connection is already enabled.',
    );
    const off = await disable(connection.id);
    expect(off.json().enabled).toBe(false);
    expect(expectProblem(await disable(connection.id), 409, 'conflict').detail).toBe(
      'The connection is already disabled.',
    );
    // The refused second enable and second disable recorded nothing.
    expect((await connectionEvents()).map((e) => e.type).filter(isConfigurationEvent)).toEqual([
      'OscpConnectionConfigured',
      'OscpConnectionEnabled',
      'OscpConnectionDisabled',
    ]);
  });
});

describe('one enabled connection per group id and per managed scope', () => {
  it('refuses to enable a second connection with the same group id: 409 naming the first', async () => {
    const east = await secondScope();
    const first = await created(standardBody({ displayName: 'First CP', enabled: true }));
    // Disabled connections may share a group id (a replacement prepared in advance).
    const second = await created(standardBody({ displayName: 'Second CP', scopeId: east }));
    expect(second.state).toBe('CONFIGURED');

    const problem = expectProblem(await enable(second.id), 409, 'conflict');
    expect(problem.field).toBe('groupId');
    expect(problem.holder).toEqual({ id: first.id, displayName: 'First CP', groupId: 'GRP42' });
    expect(problem.detail).toContain('"First CP"');
    expect(problem.detail).toContain(first.id);
    expect((await detail(second.id)).json()).toMatchObject({ enabled: false, version: 1 });

    // Created already enabled, the rule applies at once and nothing is kept.
    const third = expectProblem(
      await create(standardBody({ displayName: 'Third CP', scopeId: east, enabled: true })),
      409,
      'conflict',
    );
    expect(third.holder.id).toBe(first.id);
    expect((await connectionRows()).map((r) => r.id).sort()).toEqual([first.id, second.id].sort());
    const events = await connectionEvents();
    expect([...new Set(events.map((e) => e.streamId))].sort()).toEqual(
      [connectionStream(first.id), connectionStream(second.id)].sort(),
    );
    expect(
      events.filter((e) => e.streamId === connectionStream(second.id)).map((e) => e.type),
    ).toEqual(['OscpConnectionConfigured']);
  });

  it('refuses a second enabled connection on the same scope with another group id: 409 naming the first', async () => {
    const first = await created(standardBody({ displayName: 'First CP', enabled: true }));
    const problem = expectProblem(
      await create(standardBody({ displayName: 'Other CP', groupId: 'GRP43', enabled: true })),
      409,
      'conflict',
    );
    expect(problem.field).toBe('scopeId');
    expect(problem.holder).toEqual({ id: first.id, displayName: 'First CP', groupId: 'GRP42' });
    expect(problem.detail).toContain('"First CP"');
  });

  it('refuses to move an enabled connection onto a group id another enabled connection holds', async () => {
    const east = await secondScope();
    const first = await created(standardBody({ displayName: 'First CP', enabled: true }));
    const second = await created(
      standardBody({ displayName: 'Second CP', groupId: 'GRP43', scopeId: east, enabled: true }),
    );
    const versionBefore = (await detail(second.id)).json().version;
    const problem = expectProblem(await patch(second.id, { groupId: 'GRP42' }), 409, 'conflict');
    expect(problem.holder.id).toBe(first.id);
    expect(problem.field).toBe('groupId');
    expect((await detail(second.id)).json()).toMatchObject({
      groupId: 'GRP43',
      version: versionBefore,
    });
  });

  it('keeps the bound scope, its circuit and its microgrid from being deleted or re-mapped while enabled', async () => {
    const admin = await ctx.signIn('SYSTEM_ADMIN', 'root');
    const connection = await created(standardBody({ displayName: 'Guarding CP', enabled: true }));
    const call = (method: 'DELETE' | 'PATCH', url: string, body?: Body) =>
      ctx.request({ method, url, cookie: admin, ...(body ? { body } : {}) });
    const other = await ctx.request({
      method: 'POST',
      url: `/api/microgrids/${ids.microgridId}/circuits`,
      cookie: admin,
      body: { name: 'Spare board', phaseCount: 3, staticCapacityA: 63 },
    });
    expect(other.statusCode, other.body).toBe(201);

    const refusals = [
      await call('DELETE', `/api/scopes/${ids.scopeId}`),
      await call('PATCH', `/api/scopes/${ids.scopeId}`, { circuitIds: [other.json().id] }),
      await call('DELETE', `/api/circuits/${ids.circuitId}`),
      await call('DELETE', `/api/microgrids/${ids.microgridId}`),
    ];
    for (const refused of refusals) {
      const problem = expectProblem(refused, 409, 'conflict');
      expect(problem.detail).toContain(
        'managed scope "Grid connection" is bound to the enabled OSCP connection "Guarding CP" (group GRP42). Disable or disconnect it first.',
      );
    }
    // A rename is harmless, and so is "re-mapping" to the same circuit.
    expect(
      (await call('PATCH', `/api/scopes/${ids.scopeId}`, { name: 'Grid intake' })).statusCode,
    ).toBe(204);
    expect(
      (await call('PATCH', `/api/scopes/${ids.scopeId}`, { circuitIds: [ids.circuitId] }))
        .statusCode,
    ).toBe(204);

    expect((await disable(connection.id)).statusCode).toBe(200);
    expect((await call('DELETE', `/api/scopes/${ids.scopeId}`)).statusCode).toBe(204);
  });

  it('frees the binding when the holder is disabled', async () => {
    const east = await secondScope();
    const first = await created(standardBody({ displayName: 'First CP', enabled: true }));
    const second = await created(standardBody({ displayName: 'Second CP', scopeId: east }));
    expect((await enable(second.id)).statusCode).toBe(409);
    expect((await disable(first.id)).statusCode).toBe(200);
    const enabled = await enable(second.id);
    expect(enabled.statusCode, enabled.body).toBe(200);
    expect(enabled.json().enabled).toBe(true);
    // And now the first is the one refused.
    expect(expectProblem(await enable(first.id), 409, 'conflict').holder.id).toBe(second.id);
  });

  it('is enforced by the database itself: two enabled rows for one group id or one scope cannot exist', async () => {
    // Rows written straight into the read model, bypassing every application check.
    const insert = (groupId: string, scopeId: string, enabled: boolean) =>
      sql`
      INSERT INTO oscp_connections
        (id, display_name, group_id, microgrid_id, scope_id, enabled, state, profile, version, created_at, updated_at)
      VALUES (${crypto.randomUUID()}, ${groupId}, ${groupId}, ${ids.microgridId}, ${scopeId}, ${enabled},
        'CONFIGURED', '{}'::jsonb, 1, now(), now())`.execute(ctx.db);
    const east = await secondScope();
    await insert('G1', ids.scopeId, true);
    await expect(insert('G1', east, true)).rejects.toMatchObject({ code: '23505' });
    await expect(insert('G2', ids.scopeId, true)).rejects.toMatchObject({ code: '23505' });
    // Disabled rows may share both.
    await insert('G1', ids.scopeId, false);
    await insert('G1', ids.scopeId, false);
    expect(await connectionRows()).toHaveLength(3);
  });

  it.each(['groupId', 'scopeId'] as const)(
    'lets exactly one of two concurrent enabled creations sharing a %s win',
    async (field) => {
      const winners: string[] = [];
      // Twice: plainly at the same time, then (on PostgreSQL) with both past the check before either commits.
      for (const round of ['plain', 'forced'] as const) {
        const scopes = [await newScope(`${round} 1`), await newScope(`${round} 2`)];
        const shared = field === 'groupId' ? { groupId: `SAME${round}` } : { scopeId: scopes[0] };
        const [a, b] = ['A', 'B'].map((x, i) =>
          standardBody({
            displayName: `${round} ${x}`,
            groupId: `${round}${x}`,
            scopeId: scopes[i],
            enabled: true,
            ...shared,
          }),
        );
        const send = [() => create(a!), () => create(b!)];
        const responses =
          round === 'plain' ? await Promise.all(send.map((s) => s())) : await race(send);

        expect(responses.map((r) => r.statusCode).sort(), round).toEqual([201, 409]);
        const winner: ConnectionDetail = responses.find((r) => r.statusCode === 201)!.json();
        const loser = expectProblem(
          responses.find((r) => r.statusCode === 409)!,
          409,
          'conflict',
        );
        expect(loser.field).toBe(field);
        expect(loser.holder.id).toBe(winner.id);
        expect(loser.detail).toContain(`"${winner.displayName}"`);
        winners.push(winner.id);
        // The loser left nothing behind: no row, no event on any stream but the winners'.
        expect((await connectionRows()).map((r) => r.id).sort()).toEqual([...winners].sort());
        const events = await connectionEvents();
        expect([...new Set(events.map((e) => e.streamId))].sort()).toEqual(
          winners.map(connectionStream).sort(),
        );
        expect(
          events
            .filter((e) => e.streamId === connectionStream(winner.id))
            .map((e) => e.type)
            .slice(0, 2),
        ).toEqual(['OscpConnectionConfigured', 'OscpConnectionEnabled']);
      }
    },
  );

  it('lets exactly one of two concurrent enables of connections with the same group id win', async () => {
    const east = await secondScope();
    const a = await created(standardBody({ displayName: 'Twin A' }));
    const b = await created(standardBody({ displayName: 'Twin B', scopeId: east }));
    const responses = await race([() => enable(a.id), () => enable(b.id)]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const winner: ConnectionDetail = responses.find((r) => r.statusCode === 200)!.json();
    const loser = responses.find((r) => r.statusCode === 409)!.json();
    expect(loser.holder.id).toBe(winner.id);
    expect((await connectionRows()).filter((r) => r.enabled).map((r) => r.id)).toEqual([winner.id]);
  });
});

describe('who may do what', () => {
  it.each(['VIEWER', 'OPERATOR'] as const)(
    'lets a %s read connections but not change them or see secrets',
    async (role) => {
      const connection = await created(standardBody());
      await ctx.request({
        method: 'PUT',
        url: '/api/secrets/cp-initial-token',
        cookie: alice,
        body: { value: 'tok' },
      });
      const before = await snapshot();
      const cookie = await ctx.signIn(role);
      const afterSignIn = await snapshot();

      for (const url of [
        '/api/oscp-connections',
        `/api/oscp-connections/${connection.id}`,
        `/api/oscp-connections/${connection.id}/history`,
        '/api/oscp-presets',
      ]) {
        const response = await ctx.request({ method: 'GET', url, cookie });
        expect(response.statusCode, url).toBe(200);
      }
      expect((await detail(connection.id, cookie)).json().secrets.initialToken).toEqual({
        name: 'cp-initial-token',
        set: true,
      });

      const changes = [
        create(standardBody({ groupId: 'GRP99' }), cookie),
        patch(connection.id, { displayName: 'Mine now' }, cookie),
        enable(connection.id, cookie),
        disable(connection.id, cookie),
        ctx.request({ method: 'GET', url: '/api/secrets', cookie }),
        ctx.request({
          method: 'PUT',
          url: '/api/secrets/cp-initial-token',
          cookie,
          body: { value: 'other' },
        }),
        ctx.request({ method: 'DELETE', url: '/api/secrets/cp-initial-token', cookie }),
      ];
      for (const response of await Promise.all(changes)) {
        const problem = expectProblem(response, 403, 'forbidden');
        expect(problem.detail).toContain(`you are ${role}`);
      }
      // Nothing changed but the sign-in itself.
      expect(
        Object.keys(before)
          .filter((t) => before[t] !== afterSignIn[t])
          .sort(),
      ).toEqual(['auth_sessions', 'users']);
      expect(await snapshot()).toEqual(afterSignIn);
    },
  );

  it('lets a SYSTEM_ADMIN change connections and secrets', async () => {
    const admin = await ctx.signIn('SYSTEM_ADMIN');
    const connection = await created(standardBody(), admin);
    expect((await patch(connection.id, { displayName: 'Renamed' }, admin)).statusCode).toBe(200);
    expect((await enable(connection.id, admin)).statusCode).toBe(200);
    expect((await disable(connection.id, admin)).statusCode).toBe(200);
    expect(
      (
        await ctx.request({
          method: 'PUT',
          url: '/api/secrets/x',
          cookie: admin,
          body: { value: 'v' },
        })
      ).statusCode,
    ).toBe(204);
    expect(
      (await ctx.request({ method: 'GET', url: '/api/secrets', cookie: admin })).statusCode,
    ).toBe(200);
    expect(
      (await ctx.request({ method: 'DELETE', url: '/api/secrets/x', cookie: admin })).statusCode,
    ).toBe(204);
  });

  it('answers 401 without credentials', async () => {
    const connection = await created(standardBody());
    const before = await snapshot();
    const requests = [
      ctx.request({ method: 'GET', url: '/api/oscp-connections' }),
      ctx.request({ method: 'GET', url: `/api/oscp-connections/${connection.id}` }),
      ctx.request({ method: 'GET', url: `/api/oscp-connections/${connection.id}/history` }),
      ctx.request({ method: 'GET', url: '/api/oscp-presets' }),
      ctx.request({
        method: 'POST',
        url: '/api/oscp-connections',
        body: standardBody({ groupId: 'GRP99' }),
      }),
      ctx.request({
        method: 'PATCH',
        url: `/api/oscp-connections/${connection.id}`,
        body: { displayName: 'x' },
      }),
      ctx.request({ method: 'POST', url: `/api/oscp-connections/${connection.id}/enable` }),
      ctx.request({ method: 'POST', url: `/api/oscp-connections/${connection.id}/disable` }),
      ctx.request({ method: 'GET', url: '/api/secrets' }),
      ctx.request({ method: 'PUT', url: '/api/secrets/x', body: { value: 'v' } }),
      ctx.request({ method: 'DELETE', url: '/api/secrets/x' }),
      ctx.request({ method: 'GET', url: '/api/oscp-connections', cookie: 'ov_session=forged' }),
    ];
    for (const response of await Promise.all(requests))
      expectProblem(response, 401, 'unauthenticated');
    expect(await snapshot()).toEqual(before);
  });
});

describe('secrets are write-only and encrypted at rest', () => {
  it('shows only names and "set", never the value in any response or log line', async () => {
    const value = `client-secret-${randomBytes(16).toString('hex')}`;
    const rotated = `client-secret-${randomBytes(16).toString('hex')}`;
    const bodies: string[] = [];
    const call = async (options: Parameters<TestContext['request']>[0]) => {
      const response = await ctx.request({ cookie: alice, ...options });
      bodies.push(response.body);
      return response;
    };

    const connection: ConnectionDetail = (
      await call({ method: 'POST', url: '/api/oscp-connections', body: vectorBody() })
    ).json();
    const put = await call({
      method: 'PUT',
      url: '/api/secrets/vector-client-secret',
      body: { value },
    });
    expect(put.statusCode).toBe(204);
    expect(put.body).toBe('');

    const listed = await call({ method: 'GET', url: '/api/secrets' });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual({
      secrets: [{ name: 'vector-client-secret', set: true, updatedAt: START, updatedBy: 'alice' }],
    });
    const shown: ConnectionDetail = (
      await call({ method: 'GET', url: `/api/oscp-connections/${connection.id}` })
    ).json();
    expect(shown.secrets.clientSecret).toEqual({ name: 'vector-client-secret', set: true });
    expect(shown.secrets.clientId).toEqual({ name: 'vector-client-id', set: false });

    // Rotating it, and a few refused attempts that must not echo the value either.
    expect(
      (
        await call({
          method: 'PUT',
          url: '/api/secrets/vector-client-secret',
          body: { value: rotated },
        })
      ).statusCode,
    ).toBe(204);
    expectProblem(
      await call({
        method: 'PUT',
        url: '/api/secrets/vector-client-secret',
        body: { value: value.repeat(300) },
      }),
      400,
      'validation',
    );
    expectProblem(
      await call({ method: 'PUT', url: '/api/secrets/vector-client-secret', body: { value: '' } }),
      400,
      'validation',
    );
    expectProblem(
      await call({ method: 'PUT', url: '/api/secrets/not%20a%20name', body: { value } }),
      400,
      'validation',
    );
    expectProblem(
      await call({
        method: 'PUT',
        url: '/api/secrets/vector-client-secret',
        body: { value: [value] },
      }),
      400,
      'validation',
    );
    await call({ method: 'GET', url: '/api/oscp-connections' });
    await call({ method: 'GET', url: `/api/oscp-connections/${connection.id}/history` });
    await call({
      method: 'PATCH',
      url: `/api/oscp-connections/${connection.id}`,
      body: { reportingAssetId: 'DEPOT-METER-1' },
    });
    await call({ method: 'POST', url: `/api/oscp-connections/${connection.id}/enable` });

    expect(bodies.length).toBeGreaterThanOrEqual(12);
    for (const body of bodies) {
      expect(body).not.toContain(value);
      expect(body).not.toContain(rotated);
    }
    // The log was captured at debug level (the secret's name is there), but no value is.
    expect(ctx.log.text).toContain('secret set');
    expect(ctx.log.text).toContain('vector-client-secret');
    expect(ctx.log.text).not.toContain(value);
    expect(ctx.log.text).not.toContain(rotated);

    // Stored encrypted: neither the text nor its bytes are in the row.
    const row = await ctx.db
      .selectFrom('secrets')
      .selectAll()
      .where('name', '=', 'vector-client-secret')
      .executeTakeFirstOrThrow();
    for (const column of [row.ciphertext, row.iv, row.auth_tag]) {
      expect(column).not.toContain(rotated);
      expect(Buffer.from(column, 'base64').includes(Buffer.from(rotated))).toBe(false);
    }
    expect(row.ciphertext).not.toBe(rotated);
    expect(Buffer.from(row.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(row.auth_tag, 'base64')).toHaveLength(16);
    expect(row.updated_by).toBe('alice');

    // The code that uses it gets the value back; another key cannot read it (GCM authentication).
    expect(await ctx.app.secrets.reveal(ctx.db, 'vector-client-secret')).toBe(rotated);
    await expect(
      new SecretStore(randomBytes(32)).reveal(ctx.db, 'vector-client-secret'),
    ).rejects.toThrow(/authenticate/);

    // Deleted, it shows as not set.
    expect(
      (await call({ method: 'DELETE', url: '/api/secrets/vector-client-secret' })).statusCode,
    ).toBe(204);
    expect(
      (await call({ method: 'GET', url: `/api/oscp-connections/${connection.id}` })).json().secrets
        .clientSecret,
    ).toEqual({
      name: 'vector-client-secret',
      set: false,
    });
    expectProblem(
      await call({ method: 'DELETE', url: '/api/secrets/vector-client-secret' }),
      404,
      'not-found',
    );
    expect(await ctx.app.secrets.reveal(ctx.db, 'vector-client-secret')).toBeUndefined();
  });
});

describe('the management API does not live under /api/oscp/', () => {
  it.each([
    ['GET', '/api/oscp/anything'],
    ['GET', '/api/oscp/connections'],
    ['POST', '/api/oscp/connections'],
    ['GET', '/api/oscp'],
  ] as const)('%s %s answers 404', async (method, url) => {
    const response = await ctx.request({
      method,
      url,
      cookie: alice,
      ...(method === 'POST' ? { body: standardBody() } : {}),
    });
    const problem = expectProblem(response, 404, 'not-found');
    expect(problem.detail).toBe(`No route ${method} ${url}.`);
    expect(await connectionRows()).toEqual([]);
  });
});
