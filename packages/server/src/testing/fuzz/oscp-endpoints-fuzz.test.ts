import { MESSAGE_KINDS, kindForEndpoint, parseMessage, type MessageKind } from '@openvelope/oscp';
import { messageBodyArbs } from '@openvelope/oscp/arbitraries';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useLifecycleHarness } from '../lifecycle-harness';
import { OSCP_FP_PREFIX } from '../../oscp/http/protocol-routes';
import { mutated } from './arbitraries';
import { FUZZ_RUNS, FUZZ_SEED, FUZZ_TIME_PER_PROPERTY_MS } from './settings';
import { changedTables, storedState } from './snapshot';

// The inbound OSCP endpoints and the token endpoint, called by a handshaken peer (and by
// strangers) with messages of every kind, valid, mutated or random, and headers to match.
// Whatever comes in: never a 5xx (but OSCP's 501 for no common version); and a call the wire rules refuse (a body its schema rejects, no
// or an overlong X-Request-ID, a bad credential, segments) changes nothing stored but the refusal
// log and the connection's problem list. Seeded and bounded (settings.ts).

const h = useLifecycleHarness();

/** What a refused call records on purpose (ADR 0020). */
const REFUSAL_RECORDS = { tables: ['oscp_inbound_refusals', 'oscp_connection_problems'] };

const ENDPOINTS = [
  'register',
  'handshake',
  'handshake_acknowledge',
  'heartbeat',
  'update_group_capacity_forecast',
] as const;

interface Call {
  endpoint: (typeof ENDPOINTS)[number] | 'oauth2/token';
  body: unknown;
  authorization: string | undefined;
  requestId: string | undefined;
  correlationId: string | undefined;
  segmented: boolean;
  query: string;
  contentType: string;
}

function callArbitrary(token: string, group: string, connectionId: string): fc.Arbitrary<Call> {
  const kindOf = (endpoint: string) => kindForEndpoint(endpoint) as MessageKind;
  const bodyFor = (endpoint: string): fc.Arbitrary<unknown> => {
    if (endpoint === 'oauth2/token')
      return fc.record({
        grant_type: fc.constantFrom('client_credentials', 'password', ''),
        client_id: fc.string({ maxLength: 20 }),
        client_secret: fc.string({ maxLength: 20 }),
      });
    const valid = messageBodyArbs[kindOf(endpoint)].map((body) =>
      body && typeof body === 'object' && 'group_id' in body ? { ...body, group_id: group } : body,
    );
    return fc.oneof(
      { weight: 2, arbitrary: valid },
      { weight: 4, arbitrary: valid.chain(mutated) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    );
  };
  const printable = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });
  return fc.constantFrom<Call['endpoint']>(...ENDPOINTS, 'oauth2/token').chain((endpoint) =>
    fc.record({
      endpoint: fc.constant(endpoint),
      body: bodyFor(endpoint),
      authorization: fc.oneof(
        { weight: 6, arbitrary: fc.constant(`Token ${token}`) },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            undefined,
            'Token not-ours',
            'Bearer ovt_unknown',
            `Basic ${Buffer.from('%zz:%zz').toString('base64')}`,
            'Token',
            `token ${token}`,
          ),
        },
        { weight: 1, arbitrary: printable },
      ),
      requestId: fc.oneof(
        { weight: 6, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.constantFrom(undefined, '', 'r'.repeat(129), 'r'.repeat(3000)) },
        { weight: 1, arbitrary: printable },
      ),
      correlationId: fc.option(fc.oneof(fc.uuid(), printable, fc.constant('c'.repeat(500))), {
        nil: undefined,
      }),
      segmented: fc.boolean().map((b) => b && Math.random() < 0.2),
      query: fc.oneof(
        { weight: 6, arbitrary: fc.constant('') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            `?connection_id=${connectionId}`,
            '?connection_id=zzz',
            `?connection_id=${connectionId}&connection_id=${connectionId}`,
            '?connection_id=%00',
          ),
        },
      ),
      contentType: fc.oneof(
        { weight: 8, arbitrary: fc.constant('application/json') },
        {
          weight: 1,
          arbitrary: fc.constantFrom('application/x-www-form-urlencoded', 'text/plain'),
        },
      ),
    }),
  );
}

/** Whether the wire rules alone refuse the call, whatever the connection's state. */
function refusedByTheWire(call: Call, token: string, connectionId: string): boolean {
  if (call.endpoint === 'oauth2/token') return true; // no OAuth client exists here
  if (call.authorization?.toLowerCase() !== `token ${token}`.toLowerCase()) return true;
  const id = call.requestId?.trim();
  if (!id || id.length > 128) return true;
  if ((call.correlationId?.trim().length ?? 0) > 128) return true;
  const harmlessQuery = call.query === '' || call.query === `?connection_id=${connectionId}`;
  if (call.segmented || !harmlessQuery || call.contentType !== 'application/json') return true;
  const kind = kindForEndpoint(call.endpoint) as MessageKind;
  return !parseMessage(kind, call.body, { now: h.ctx.clock.now() }).ok;
}

describe('fuzzing the OSCP endpoints', () => {
  it('never answers 5xx, and a call the wire rules refuse changes nothing but the refusal records', async () => {
    expect(MESSAGE_KINDS).toContain('UpdateGroupCapacityForecast');
    const { id, peerId, group } = await h.handshaken();
    const token = h.peerToken(peerId);
    const statuses = new Map<number, number>();
    const property = fc.asyncProperty(callArbitrary(token, group, id), async (call) => {
      // Taken before each call (not carried over), so a shrinking run judges only its own call.
      const before = await storedState(h.ctx.db, REFUSAL_RECORDS);
      const headers: Record<string, string> = { 'content-type': call.contentType };
      if (call.authorization !== undefined) headers.authorization = call.authorization;
      if (call.requestId !== undefined) headers['x-request-id'] = call.requestId;
      if (call.correlationId !== undefined) headers['x-correlation-id'] = call.correlationId;
      if (call.segmented)
        Object.assign(headers, { 'x-segment-index': '1', 'x-segment-count': '2' });
      const payload =
        call.contentType === 'application/x-www-form-urlencoded' &&
        call.body &&
        typeof call.body === 'object'
          ? new URLSearchParams(
              Object.entries(call.body).map(([k, v]): [string, string] => [k, String(v)]),
            ).toString()
          : (JSON.stringify(call.body) ?? '');
      const path =
        call.endpoint === 'oauth2/token' ? '/oauth2/token' : `${OSCP_FP_PREFIX}/${call.endpoint}`;
      const response = await h.ctx.app.http.inject({
        method: 'POST',
        url: `${path}${call.query}`,
        headers,
        payload,
      });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      const what = `${call.endpoint} ${JSON.stringify({ ...call, body: undefined })} ${payload.slice(0, 300)}`;
      // 501 is OSCP's answer to a Register offering no version we speak, not a failure.
      if (response.statusCode !== 501)
        expect(response.statusCode, `${what} → ${response.body.slice(0, 300)}`).toBeLessThan(500);
      const after = await storedState(h.ctx.db, REFUSAL_RECORDS);
      if (refusedByTheWire(call, token, id)) {
        expect(response.statusCode, what).not.toBe(204);
        expect(changedTables(before, after), what).toEqual([]);
      }
    });
    await fc.assert(property, {
      seed: FUZZ_SEED,
      numRuns: FUZZ_RUNS * 10,
      interruptAfterTimeLimit: FUZZ_TIME_PER_PROPERTY_MS * 5,
    });
    const tally = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
    console.log(`fuzzed the OSCP endpoints: ${tally.join(' ')}`);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
  }, 300_000);
});
