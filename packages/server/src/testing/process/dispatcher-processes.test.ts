import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingPeer } from './recording-peer';
import { adminClient, startServer, waitUntil, type ServerProcess } from './server-process';

// Process-level proofs of the outbox: the real server as child processes, a real peer on loopback.

const postgresUrl = process.env.DATABASE_URL || undefined;
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

let nextPort = 18_100 + Math.floor(Math.random() * 500) * 4;
const port = () => (nextPort += 1);

/** A fresh PostgreSQL database for one test, or a fresh PGlite folder. */
async function freshStorage(): Promise<{ databaseUrl?: string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openvelope-process-'));
  if (!postgresUrl) return { dataDir };
  const name = `ov_proc_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: postgresUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return { databaseUrl: url.toString(), dataDir };
}

async function started(options: Parameters<typeof startServer>[0]): Promise<ServerProcess> {
  const server = await startServer(options);
  cleanups.push(() => server.kill('SIGKILL'));
  return server;
}

/** A depot with `count` scopes on one circuit, and one enabled token-exchange connection per scope. */
async function provision(
  api: Awaited<ReturnType<typeof adminClient>>,
  peerUrl: string,
  count: number,
): Promise<string[]> {
  const microgrid = await api<{ id: string }>('POST', '/api/microgrids', {
    name: 'Process depot',
    timezone: 'UTC',
  });
  const circuit = await api<{ id: string }>('POST', `/api/microgrids/${microgrid.id}/circuits`, {
    name: 'Board',
    phaseCount: 3,
    staticCapacityA: 100,
  });
  await api('PUT', '/api/secrets/initial', { value: 'initial-token-from-peer' });
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const scope = await api<{ id: string }>('POST', `/api/microgrids/${microgrid.id}/scopes`, {
      name: `Scope ${i}`,
      circuitIds: [circuit.id],
    });
    const connection = await api<{ id: string }>('POST', '/api/oscp-connections', {
      preset: 'OSCP_STANDARD',
      displayName: `Peer ${i}`,
      groupId: `G${i}`,
      microgridId: microgrid.id,
      scopeId: scope.id,
      peerBaseUrl: peerUrl,
      authReferences: { initialToken: 'initial' },
      enabled: true,
    });
    ids.push(connection.id);
  }
  return ids;
}

async function publicationStatuses(api: Awaited<ReturnType<typeof adminClient>>, ids: string[]) {
  const statuses: string[] = [];
  for (const id of ids) {
    const page = await api<{ items: { status: string; requestId: string }[] }>(
      'GET',
      `/api/oscp-connections/${id}/publications?limit=200`,
    );
    statuses.push(...page.items.map((p) => p.status));
  }
  return statuses;
}

describe(`outbound messages survive a crash (${postgresUrl ? 'PostgreSQL' : 'PGlite'})`, () => {
  it(
    'delivers every publication after the server is killed with SIGKILL mid-flight and restarted',
    { timeout: 180_000 },
    async () => {
      const peer = new RecordingPeer();
      peer.delayMs = 1500;
      const peerUrl = await peer.start();
      cleanups.push(() => peer.stop());
      const storage = await freshStorage();

      const first = await started({ port: port(), ...storage });
      const ids = await provision(await adminClient(first.url), peerUrl, 20);
      // Kill while the peer holds requests open: their answers never reach the server.
      await waitUntil(async () => peer.requests.length >= 3, 'requests in flight', 60_000);
      await first.kill('SIGKILL');
      const sentBeforeCrash = peer.requests.length;

      peer.delayMs = 0;
      const second = await started({ port: port(), ...storage });
      const api = await adminClient(second.url);
      await waitUntil(
        async () => peer.uniqueRequestIds().size === 20,
        'all 20 publications at the peer',
        90_000,
      );
      const statuses = await waitUntil(
        async () => {
          const s = await publicationStatuses(api, ids);
          return s.every((x) => x === 'DELIVERED') ? s : undefined;
        },
        'every publication DELIVERED',
        60_000,
      );
      expect(statuses).toHaveLength(20);
      // Nothing lost, and what was in flight at the crash was sent again under the same request id.
      expect(peer.uniqueRequestIds().size).toBe(20);
      expect(peer.requests.length).toBeGreaterThanOrEqual(sentBeforeCrash);
    },
  );
});

describe.runIf(postgresUrl)('two server processes on one PostgreSQL (needs PostgreSQL)', () => {
  it('never send the same publication concurrently', { timeout: 180_000 }, async () => {
    const peer = new RecordingPeer();
    peer.delayMs = 30;
    const peerUrl = await peer.start();
    cleanups.push(() => peer.stop());
    const storage = await freshStorage();
    const a = await started({ port: port(), ...storage });
    const b = await started({ port: port(), ...storage });
    const [connectionId] = await provision(await adminClient(a.url), peerUrl, 1);

    // 199 more heartbeats for the same peer, all due at once, for both dispatchers to race on.
    const db = new pg.Client({ connectionString: storage.databaseUrl });
    await db.connect();
    cleanups.push(() => db.end());
    const now = new Date();
    for (let i = 0; i < 199; i += 1) {
      await db.query(
        `INSERT INTO outbound_messages (id, connection_id, kind, body, request_id, status, max_attempts, next_attempt_at, created_at, updated_at)
         VALUES ($1, $2, 'Heartbeat', $3, $4, 'PENDING', 1, $5, $5, $5)`,
        [
          randomUUID(),
          connectionId,
          JSON.stringify({ offline_mode_at: new Date(now.getTime() + 3600_000).toISOString() }),
          randomUUID(),
          now,
        ],
      );
    }
    await waitUntil(
      async () => peer.uniqueRequestIds().size === 200,
      'all 200 publications at the peer',
      90_000,
    );
    await waitUntil(
      async () => {
        const { rows } = await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM outbound_messages WHERE status = 'DELIVERED'`,
        );
        return Number(rows[0]!.n) === 200;
      },
      'all 200 recorded as DELIVERED',
      60_000,
    );
    expect(peer.concurrentDuplicates()).toBe(0);
    expect(peer.requests).toHaveLength(200);
    // Both instances took part.
    expect(b.child.exitCode).toBeNull();
  });
});
