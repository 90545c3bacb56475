import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createOscpClient } from './client';
import type { OscpPeer } from './client';
import type { OscpMessage } from './endpoints';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];

/** A real HTTP peer on 127.0.0.1 that records every request it gets. */
async function startPeer(handler: Handler): Promise<{ origin: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      handler(req, res);
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, received };
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return server.listening ? new Promise((resolve) => server.close(resolve)) : undefined;
    }),
  );
});

const noContent: Handler = (_req, res) => res.writeHead(204).end();

const heartbeat: OscpMessage = {
  kind: 'Heartbeat',
  body: { offline_mode_at: '2026-01-15T10:05:00.000Z' },
};

const peerAt = (origin: string, overrides: Partial<OscpPeer> = {}): OscpPeer => ({
  baseUrl: `${origin}/oscp/cp/2.0`,
  authorization: { scheme: 'Token', token: 'cp-issued-token' },
  ...overrides,
});

const client = createOscpClient({ timeoutMs: 2_000, userAgent: 'openvelope-test/1' });

describe('createOscpClient().send', () => {
  it('POSTs the validated JSON body with the OSCP headers and reports delivery', async () => {
    const { origin, received } = await startPeer(noContent);
    const outcome = await client.send(
      peerAt(origin, { staticHeaders: { 'fp-id': 'depot-7', apikey: 'k-1' } }),
      heartbeat,
      { requestId: 'req-1', correlationId: 'corr-0' },
    );

    expect(outcome).toMatchObject({
      status: 'delivered',
      httpStatus: 204,
      url: `${origin}/oscp/cp/2.0/heartbeat`,
      requestId: 'req-1',
    });
    expect(outcome.status === 'delivered' && outcome.durationMs).toBeGreaterThanOrEqual(0);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/oscp/cp/2.0/heartbeat');
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: 'Token cp-issued-token',
      'x-request-id': 'req-1',
      'x-correlation-id': 'corr-0',
      'fp-id': 'depot-7',
      apikey: 'k-1',
      'user-agent': 'openvelope-test/1',
    });
    expect(JSON.parse(request?.body ?? '')).toEqual(heartbeat.body);
  });

  it('omits X-Correlation-ID when the message answers nothing, and supports Bearer', async () => {
    const { origin, received } = await startPeer(noContent);
    await client.send(
      peerAt(origin, { authorization: { scheme: 'Bearer', token: 'jwt' } }),
      heartbeat,
      {
        requestId: 'req-2',
      },
    );
    expect(received[0]?.headers.authorization).toBe('Bearer jwt');
    expect(received[0]?.headers).not.toHaveProperty('x-correlation-id');
  });

  it('never lets static headers replace the OSCP headers', async () => {
    const { origin, received } = await startPeer(noContent);
    await client.send(
      peerAt(origin, {
        staticHeaders: {
          'x-request-id': 'static',
          AUTHORIZATION: 'Basic x',
          'Content-Type': 'text/plain',
          'X-Correlation-ID': 'static',
        },
      }),
      heartbeat,
      { requestId: 'req-3' },
    );
    expect(received[0]?.headers).toMatchObject({
      'x-request-id': 'req-3',
      authorization: 'Token cp-issued-token',
      'content-type': 'application/json',
    });
    expect(received[0]?.headers).not.toHaveProperty('x-correlation-id');
  });

  it('does not double the slash after a base URL with a trailing slash', async () => {
    const { origin, received } = await startPeer(noContent);
    const outcome = await client.send(peerAt(origin, { baseUrl: `${origin}/oscp/` }), heartbeat, {
      requestId: 'req-4',
    });
    expect(received[0]?.url).toBe('/oscp/heartbeat');
    expect(outcome.url).toBe(`${origin}/oscp/heartbeat`);
  });

  it('counts any 2xx as delivered and records the code', async () => {
    const { origin } = await startPeer((_req, res) =>
      res.writeHead(200).end('{"unexpected":true}'),
    );
    const outcome = await client.send(peerAt(origin), heartbeat, { requestId: 'req-5' });
    expect(outcome).toMatchObject({ status: 'delivered', httpStatus: 200 });
  });

  it('sends nothing when the body is invalid', async () => {
    const { origin, received } = await startPeer(noContent);
    const outcome = await client.send(
      peerAt(origin),
      { kind: 'Heartbeat', body: { offline_mode_at: '2026-01-15T10:05:00' } },
      { requestId: 'req-6' },
    );
    expect(outcome).toEqual({
      status: 'invalid',
      url: `${origin}/oscp/cp/2.0/heartbeat`,
      requestId: 'req-6',
      message:
        'Heartbeat body is invalid: offline_mode_at: must be an RFC 3339 date-time with seconds and an offset (Z or ±hh:mm)',
    });
    expect(received).toHaveLength(0);
  });

  it('refuses unusable peer settings and options without throwing', async () => {
    const { origin, received } = await startPeer(noContent);
    const cases: [OscpPeer, { requestId: string; correlationId?: string }, RegExp][] = [
      [peerAt(origin, { baseUrl: 'not a url' }), { requestId: 'r' }, /base URL/],
      [peerAt(origin, { baseUrl: 'ftp://127.0.0.1/x' }), { requestId: 'r' }, /base URL/],
      [
        peerAt(origin, { authorization: { scheme: 'Token', token: '' } }),
        { requestId: 'r' },
        /credential/,
      ],
      [
        peerAt(origin, { authorization: { scheme: 'Token', token: 'a\nb' } }),
        { requestId: 'r' },
        /credential/,
      ],
      [peerAt(origin, { staticHeaders: { 'x-bad': 'a\r\nb' } }), { requestId: 'r' }, /header/],
      [peerAt(origin), { requestId: ' ' }, /requestId/],
      [peerAt(origin), { requestId: 'r', correlationId: '' }, /correlationId/],
    ];
    for (const [peer, options, why] of cases) {
      const outcome = await client.send(peer, heartbeat, options);
      expect(outcome.status, String(why)).toBe('invalid');
      expect(outcome.status === 'invalid' && outcome.message).toMatch(why);
    }
    expect(received).toHaveLength(0);
  });

  it('reports a 4xx as rejected with the message from the JSON body', async () => {
    const { origin } = await startPeer((_req, res) =>
      res
        .writeHead(400, { 'Content-Type': 'application/json', 'X-Error-Message': 'header text' })
        .end('{"message":"forecasted_blocks[0].capacity: must be >= 0"}'),
    );
    const outcome = await client.send(peerAt(origin), heartbeat, { requestId: 'req-7' });
    expect(outcome).toMatchObject({
      status: 'rejected',
      httpStatus: 400,
      message: 'forecasted_blocks[0].capacity: must be >= 0',
      requestId: 'req-7',
    });
  });

  it.each([
    [
      'a list of messages (NestJS)',
      '{"message":["base_url must be a URL address","token should not be empty"],"error":"Bad Request","statusCode":400}',
      'base_url must be a URL address; token should not be empty',
    ],
    [
      'a nested message',
      '{"message":{"field":"group_id","problem":"unknown"}}',
      '{"field":"group_id","problem":"unknown"}',
    ],
    [
      'a problem document',
      '{"type":"about:blank","title":"Bad Request","detail":"group_id is unknown"}',
      'group_id is unknown',
    ],
    [
      'an OAuth error',
      '{"error":"invalid_request","error_description":"missing group"}',
      'missing group',
    ],
    ['plain text', 'group_id is unknown', 'group_id is unknown'],
    ['JSON without a message', '{"code":17}', '{"code":17}'],
  ])(
    'keeps the peer’s explanation whatever its shape: %s, with the body as received',
    async (_what, body, message) => {
      const { origin } = await startPeer((_req, res) => res.writeHead(400).end(body));
      expect(await client.send(peerAt(origin), heartbeat, { requestId: 'r' })).toMatchObject({
        status: 'rejected',
        httpStatus: 400,
        message,
        body,
      });
    },
  );

  it('falls back to X-Error-Message, then to the status text', async () => {
    const withHeader = await startPeer((_req, res) =>
      res.writeHead(403, { 'X-Error-Message': 'Unknown token' }).end('<html>forbidden</html>'),
    );
    expect(
      await client.send(peerAt(withHeader.origin), heartbeat, { requestId: 'r' }),
    ).toMatchObject({
      status: 'rejected',
      httpStatus: 403,
      message: 'Unknown token',
    });

    const bare = await startPeer((_req, res) => res.writeHead(404).end());
    expect(await client.send(peerAt(bare.origin), heartbeat, { requestId: 'r' })).toMatchObject({
      status: 'rejected',
      httpStatus: 404,
      message: 'Not Found',
    });
  });

  it('reports a 5xx as a server_error failure', async () => {
    const { origin } = await startPeer((_req, res) =>
      res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"message":"maintenance"}'),
    );
    const outcome = await client.send(peerAt(origin), heartbeat, { requestId: 'req-8' });
    expect(outcome).toMatchObject({
      status: 'failed',
      reason: 'server_error',
      httpStatus: 503,
      message: 'maintenance',
      requestId: 'req-8',
    });
  });

  it('does not follow redirects', async () => {
    const target = await startPeer(noContent);
    const { origin } = await startPeer((_req, res) =>
      res.writeHead(307, { Location: `${target.origin}/elsewhere` }).end(),
    );
    const outcome = await client.send(peerAt(origin), heartbeat, { requestId: 'req-9' });
    expect(outcome).toMatchObject({
      status: 'failed',
      reason: 'server_error',
      httpStatus: 307,
      message: `redirect not followed (to ${target.origin}/elsewhere)`,
    });
    expect(target.received).toHaveLength(0);
  });

  it('times out against a peer that never answers', async () => {
    const { origin, received } = await startPeer(() => {
      // Never respond.
    });
    const fast = createOscpClient({ timeoutMs: 100 });
    const outcome = await fast.send(peerAt(origin), heartbeat, { requestId: 'req-10' });
    expect(outcome).toMatchObject({
      status: 'failed',
      reason: 'timeout',
      message: 'no response within 100 ms',
      requestId: 'req-10',
    });
    expect(outcome).not.toHaveProperty('httpStatus');
    expect(outcome.status === 'failed' && outcome.durationMs).toBeGreaterThanOrEqual(90);
    expect(received).toHaveLength(1);
  });

  it('reports a refused connection as a network failure', async () => {
    const { origin } = await startPeer(noContent);
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    const outcome = await client.send(peerAt(origin), heartbeat, { requestId: 'req-11' });
    expect(outcome).toMatchObject({ status: 'failed', reason: 'network', requestId: 'req-11' });
    expect(outcome.status === 'failed' && outcome.message).toMatch(/ECONNREFUSED/);
  });

  it('uses the injected fetch', async () => {
    const { origin } = await startPeer(noContent);
    const seen: string[] = [];
    const recording: typeof fetch = (input, init) => {
      seen.push(String(input));
      return fetch(input, init);
    };
    const outcome = await createOscpClient({ fetch: recording, timeoutMs: 2_000 }).send(
      peerAt(origin),
      heartbeat,
      { requestId: 'req-12' },
    );
    expect(outcome.status).toBe('delivered');
    expect(seen).toEqual([`${origin}/oscp/cp/2.0/heartbeat`]);
  });

  it('requires a positive timeout', () => {
    expect(() => createOscpClient({ timeoutMs: 0 })).toThrow(RangeError);
    expect(() => createOscpClient({ timeoutMs: Number.NaN })).toThrow(RangeError);
  });
});
