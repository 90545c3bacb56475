import { describe, expect, it } from 'vitest';
import { closedPortUrl, useLifecycleHarness } from '../../testing/lifecycle-harness';

// Registration over real HTTP against the Capacity Provider simulator, with the app's manual clock:
// the token exchange started by us or by the peer, each way it can fail, retry, 501, and OAuth
// (registered out of band).

const h = useLifecycleHarness();

/** What every failed registration must show: the phase and reason, the kept record, the audit. */
async function expectRegistrationFailed(id: string, reason: RegExp) {
  const detail = await h.detail(id);
  expect(detail.lifecycle.phase).toBe('REGISTRATION_FAILED');
  expect(detail.state).toBe('REGISTRATION_FAILED');
  expect(detail.lifecycle.registration.failure?.reason).toMatch(reason);
  expect(detail.lifecycle.registration.failure?.at).toBe(h.ctx.clock.now().toISOString());
  expect(detail.latestError).not.toBeNull();
  expect(detail.latestError!.clearedAt).toBeNull();
  // The outbound Register stays on record.
  const registers = (await h.publications(id)).filter((p) => p.kind === 'Register');
  expect(registers).toHaveLength(1);
  // Audited on the connection's stream, with the same reason.
  const failed = await h.connectionEvents(id, 'OscpRegistrationFailed');
  expect(failed).toHaveLength(1);
  expect(failed[0]!.data.reason).toBe(detail.lifecycle.registration.failure?.reason);
  expect(failed[0]!.data.requestId).toBe(registers[0]!.requestId);
  return { detail, register: registers[0]! };
}

/** Retry from REGISTRATION_FAILED: REGISTERING again at once, then REGISTERED. */
async function retrySucceeds(id: string, peerAnswers?: () => Promise<void>) {
  const retried = await h.action(id, 'retry-registration');
  expect(retried.statusCode, retried.body).toBe(200);
  expect(retried.json().lifecycle.phase).toBe('REGISTERING');
  const registers = (await h.publications(id)).filter((p) => p.kind === 'Register');
  expect(registers).toHaveLength(2);
  expect(registers.filter((p) => p.status === 'PENDING')).toHaveLength(1);
  if (peerAnswers) await peerAnswers();
  const registered = await h.phaseBecomes(id, 'REGISTERED');
  expect(registered.lifecycle.registration.failure).toBeNull();
  const started = await h.connectionEvents(id, 'OscpRegistrationStarted');
  expect(started.at(-1)!.data).toMatchObject({ by: expect.stringMatching(/^manager-/) });
  return registered;
}

describe('we register first (token exchange)', () => {
  it('persists our Register before any delivery, sends it with the initial token, and is REGISTERED when the peer registers back', async () => {
    const { id, peerId, initialToken } = await h.tokenExchange();
    expect(h.sim.messages()).toHaveLength(0);

    const enabled = await h.enable(id);
    expect(enabled.lifecycle.phase).toBe('REGISTERING');

    // Written in the enabling transaction: PENDING, nothing on the wire yet, no token in clear.
    const [row, ...others] = await h.outbox(id);
    expect(others).toHaveLength(0);
    expect(row).toMatchObject({
      kind: 'Register',
      status: 'PENDING',
      attempts: 0,
      correlation_id: null,
    });
    expect(row!.body).toEqual({
      token: { $secret: `oscp-${id}-token-for-peer` },
      version_url: [{ version: '2.0', base_url: h.fpBaseUrl }],
    });
    expect((await h.publications(id)).map((p) => [p.kind, p.status])).toEqual([
      ['Register', 'PENDING'],
    ]);
    expect(h.sim.messages({ endpoint: 'register', peerId })).toHaveLength(0);

    h.ctx.clock.advance(1_500);
    const registered = await h.phaseBecomes(id, 'REGISTERED');

    // What reached the peer: our request id, `Token <initial token>` (the simulator only accepts
    // the exact initial token it handed out, and records the scheme and first characters), a
    // fresh token of ours in clear, and our version URL.
    const [ours, ...more] = h.sim.messages({ endpoint: 'register', peerId });
    expect(more).toHaveLength(0);
    expect(ours).toMatchObject({ requestId: row!.request_id, status: 204, peerId });
    expect(ours!.headers.authorization).toBe(`Token ${initialToken.slice(0, 4)}…`);
    const body = ours!.body as { token: string; version_url: unknown };
    expect(body.version_url).toEqual([{ version: '2.0', base_url: h.fpBaseUrl }]);
    expect(body.token).toMatch(/^ovp_/);
    expect(body.token).not.toBe(initialToken);
    expect(JSON.stringify((await h.outbox(id))[0]!.body)).not.toContain(body.token);

    // The peer's Register back answered ours, and selected the version.
    // (Recorded by the simulator once our 204 reached it: possibly after our side moved on.)
    const back = await h.sim.waitForSent({ endpoint: 'register', peerId });
    expect(back.correlationId).toBe(row!.request_id);
    expect(back.outcome.status).toBe('delivered');
    expect(registered.lifecycle.registration).toEqual({
      mode: 'TOKEN_EXCHANGE',
      selectedVersion: '2.0',
      registeredAt: '2026-03-02T09:00:01.500Z',
      peerBaseUrl: h.sim.oscpBaseUrl,
      failure: null,
    });
    expect(registered.issuedCredentials).toEqual(['TOKEN']);
    expect((await h.publications(id)).map((p) => [p.kind, p.status, p.attempts])).toEqual([
      ['Register', 'DELIVERED', 1],
    ]);
    expect((await h.connectionEvents(id)).map((e) => e.type)).toEqual(
      expect.arrayContaining(['OscpRegistrationStarted', 'OscpPeerRegistered']),
    );
    // Delivery attempts are audit records, not decisions of the aggregate.
    expect((await h.auditEvents(id)).map((e) => e.type)).toContain('OscpOutboundAttempted');
    expect((await h.connectionEvents(id)).map((e) => e.type)).not.toContain(
      'OscpOutboundAttempted',
    );
    expect(h.sim.peer(peerId).registration.status).toBe('REGISTERED');
  });
});

describe('failed registrations are visible, kept, audited and retryable', () => {
  it('(a) network error: the peer URL is a closed port', async () => {
    const { id } = await h.tokenExchange({ connection: { peerBaseUrl: await closedPortUrl() } });
    await h.enable(id);
    await h.ctx.app.settle();
    expect((await h.detail(id)).lifecycle.phase).toBe('REGISTERING');
    expect((await h.publications(id))[0]).toMatchObject({ status: 'RETRYING', attempts: 1 });
    // Attempt 2 after at most 1 s, attempt 3 after at most 2 s more (base 1 s, 3 attempts).
    for (let i = 0; i < 2; i += 1) {
      h.ctx.clock.advance(2_000);
      await h.ctx.app.settle();
    }
    const { detail, register } = await expectRegistrationFailed(
      id,
      /^Our Register could not be delivered: /,
    );
    expect(register).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(register.lastError).toMatch(/^network: /);
    expect(detail.latestError).toMatchObject({
      source: 'DELIVERY',
      attempted: 'Register (attempt 3 of 3)',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/oscp\/cp\/2\.0\/register$/),
      status: 'failed',
      at: h.ctx.clock.now().toISOString(),
    });
    expect(await h.auditEvents(id, 'OscpOutboundAttempted')).toHaveLength(3);

    // Fixed by pointing at the real peer, then Retry.
    const fixed = await h.ctx.request({
      method: 'PATCH',
      url: `/api/oscp-connections/${id}`,
      cookie: h.manager,
      body: { peerBaseUrl: h.sim.oscpBaseUrl },
    });
    expect(fixed.statusCode, fixed.body).toBe(200);
    const registered = await retrySucceeds(id);
    // The delivery error is superseded by the later delivery.
    expect(registered.latestError?.clearedAt).toEqual(expect.any(String));
  });

  it('(b) the peer refuses our Register with 403', async () => {
    const { id, peerId } = await h.tokenExchange();
    h.sim.setFault({ endpoint: 'register', status: 403, message: 'not today' });
    await h.enable(id);
    await h.ctx.app.settle();
    const { detail, register } = await expectRegistrationFailed(
      id,
      /^Our Register could not be delivered: not today$/,
    );
    // A 4xx is final at once: one attempt.
    expect(register).toMatchObject({ status: 'FAILED', attempts: 1, lastHttpStatus: 403 });
    expect(detail.latestError).toMatchObject({
      source: 'DELIVERY',
      attempted: 'Register (attempt 1 of 3)',
      url: `${h.sim.oscpBaseUrl}/register`,
      status: '403',
      message: 'not today',
    });
    expect(h.sim.messages({ endpoint: 'register', peerId }).map((m) => m.status)).toEqual([403]);

    h.sim.clearFaults();
    await retrySucceeds(id);
  });

  it('(c) the peer answers after our request timeout', { timeout: 60_000 }, async () => {
    const { id } = await h.tokenExchange();
    // Too slow for our 2 s timeout, and refused when it finally answers, so the peer never acts
    // on a Register we gave up on.
    h.sim.setFault({ endpoint: 'register', delayMs: 2_500, status: 503 });
    await h.enable(id);
    await h.ctx.app.settle();
    expect((await h.detail(id)).latestError).toMatchObject({ status: 'timeout' });
    for (let i = 0; i < 2; i += 1) {
      h.ctx.clock.advance(2_000);
      await h.ctx.app.settle();
    }
    const { detail, register } = await expectRegistrationFailed(
      id,
      /^Our Register could not be delivered: no response within 2000 ms$/,
    );
    expect(register).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(register.lastError).toBe('timed out: no response within 2000 ms');
    expect(detail.latestError).toMatchObject({
      attempted: 'Register (attempt 3 of 3)',
      url: `${h.sim.oscpBaseUrl}/register`,
      status: 'timeout',
    });

    h.sim.clearFaults();
    await retrySucceeds(id);
  });

  it('(d) the peer does not register back within the configured time', async () => {
    const { id, peerId } = await h.tokenExchange({ peer: { autoRegisterBack: false } });
    await h.enable(id);
    await h.ctx.app.settle();
    const [delivered] = await h.publications(id);
    expect(delivered).toMatchObject({ kind: 'Register', status: 'DELIVERED' });

    // registrationReplyTimeoutMs is 30 s in the test app, counted from the delivery.
    h.ctx.clock.advance(29_999);
    await h.ctx.app.settle();
    expect((await h.detail(id)).lifecycle.phase).toBe('REGISTERING');
    h.ctx.clock.advance(1);
    await h.ctx.app.settle();
    const { detail } = await expectRegistrationFailed(
      id,
      /^No Register from the peer within 30 s of ours being delivered\.$/,
    );
    expect(detail.latestError).toMatchObject({
      source: 'REGISTRATION',
      attempted: 'Registration',
      status: 'timeout',
      at: h.ctx.clock.now().toISOString(),
    });

    // Retry: a new Register, which this peer answers when told to.
    const registered = await retrySucceeds(id, async () => {
      const fresh = await h.peerReceived(
        'the retried Register at the peer',
        (m) =>
          m.endpoint === 'register' && m.peerId === peerId && m.requestId !== delivered!.requestId,
      );
      const answer = await h.sim.register(peerId);
      expect(answer).toMatchObject({ status: 'delivered', httpStatus: 204 });
      expect(h.sim.sentMessages({ endpoint: 'register', peerId }).at(-1)!.correlationId).toBe(
        fresh.requestId,
      );
    });
    expect(registered.latestError).toMatchObject({
      attempted: 'Registration',
      clearedAt: h.ctx.clock.now().toISOString(),
    });
  });
});

describe('the peer registers first with an initial token we issued', () => {
  it('answers 204, registers back with a fresh token correlated to their Register, and retires the initial token', async () => {
    const group = h.nextGroup();
    // We hold no initial token of theirs (the secret is named but never set): our own Register
    // cannot be sent; the peer has to start.
    const id = await h.createConnection({
      groupId: group,
      authReferences: { initialToken: `never-set-${group}` },
    });
    const issued = await h.action(id, 'initial-token');
    expect(issued.statusCode, issued.body).toBe(201);
    const initialToken = issued.json().token as string;
    expect(initialToken).toMatch(/^ovi_/);
    await h.enable(id);
    await h.ctx.app.settle();
    expect((await h.detail(id)).lifecycle.registration.failure?.reason).toContain(
      `the initial token secret "never-set-${group}" is not set`,
    );

    const peerId = h.sim.addPeer({
      groupId: group,
      mode: 'OSCP_TOKEN',
      initialTokenFromFp: initialToken,
      fpBaseUrl: h.fpBaseUrl,
    });
    const outcome = await h.sim.register(peerId);
    expect(outcome).toMatchObject({ status: 'delivered', httpStatus: 204 });
    const theirs = h.sim.sentMessages({ endpoint: 'register', peerId }).at(-1)!;
    const theirToken = (theirs.body as { token: string }).token;

    const back = await h.peerReceived(
      'our Register back',
      (m) => m.endpoint === 'register' && m.correlationId === theirs.requestId,
    );
    expect(back.status).toBe(204);
    expect(back.headers.authorization).toBe(`Token ${theirToken.slice(0, 4)}…`);
    const ourToken = (back.body as { token: string }).token;
    expect(ourToken).toMatch(/^ovp_/);
    expect(ourToken).not.toBe(initialToken);

    const registered = await h.phaseBecomes(id, 'REGISTERED');
    expect(registered.lifecycle.registration).toMatchObject({
      selectedVersion: '2.0',
      peerBaseUrl: h.sim.oscpBaseUrl,
      registeredAt: h.ctx.clock.now().toISOString(),
    });
    expect(registered.issuedCredentials).toEqual(['TOKEN']);
    const reply = (await h.publications(id)).find((p) => p.correlationId === theirs.requestId);
    expect(reply).toMatchObject({ kind: 'Register', status: 'DELIVERED' });
    expect((await h.connectionEvents(id, 'OscpRegistrationStarted')).at(-1)!.data).toMatchObject({
      initiatedBy: 'CAPACITY_PROVIDER',
    });
    expect(h.sim.peer(peerId).registration.status).toBe('REGISTERED');

    // The initial token is spent; the fresh one works.
    const again = await h.post('/oscp/fp/2.0/register', {
      authorization: `Token ${initialToken}`,
      body: { token: 'x', version_url: [{ version: '2.0', base_url: h.sim.oscpBaseUrl }] },
    });
    expect(again.status).toBe(403);
    const handshake = await h.sim.sendHandshake(peerId, {
      heartbeatIntervalSeconds: 60,
      measurementConfiguration: ['CONTINUOUS'],
    });
    expect(handshake).toMatchObject({ status: 'delivered', httpStatus: 204 });
  });

  it('fails the registration when our Register answering theirs cannot be delivered', async () => {
    const group = h.nextGroup();
    const id = await h.createConnection({
      groupId: group,
      authReferences: { initialToken: `never-set-${group}` },
    });
    const initialToken = (await h.action(id, 'initial-token')).json().token as string;
    await h.enable(id);
    await h.ctx.app.settle();
    const peerId = h.sim.addPeer({
      groupId: group,
      mode: 'OSCP_TOKEN',
      initialTokenFromFp: initialToken,
      fpBaseUrl: h.fpBaseUrl,
    });
    // The peer will not take our answer.
    h.sim.setFault({ endpoint: 'register', peerId, status: 403, message: 'not with that token' });
    expect(await h.sim.register(peerId)).toMatchObject({ status: 'delivered', httpStatus: 204 });
    const theirs = h.sim.sentMessages({ endpoint: 'register', peerId }).at(-1)!;
    await h.ctx.app.settle();

    const reply = (await h.publications(id)).find((p) => p.correlationId === theirs.requestId)!;
    expect(reply).toMatchObject({ kind: 'Register', status: 'FAILED', lastHttpStatus: 403 });
    // The exchange did not complete: the peer never got our token, so we are not registered.
    const detail = await h.detail(id);
    expect(detail.lifecycle.phase).toBe('REGISTRATION_FAILED');
    expect(detail.lifecycle.registration.failure?.reason).toBe(
      'Our Register could not be delivered: not with that token',
    );
    expect((await h.connectionEvents(id, 'OscpRegistrationFailed')).at(-1)!.data).toMatchObject({
      requestId: reply.requestId,
    });
    expect(h.sim.peer(peerId).registration.status).not.toBe('REGISTERED');
  });

  it('answers 501 with a message when no version is common, and the initial token stays usable', async () => {
    const group = h.nextGroup();
    const id = await h.createConnection({
      groupId: group,
      authReferences: { initialToken: `never-set-${group}` },
    });
    const initialToken = (await h.action(id, 'initial-token')).json().token as string;
    await h.enable(id);
    await h.ctx.app.settle();

    const requestId = crypto.randomUUID();
    const response = await h.post('/oscp/fp/2.0/register', {
      authorization: `Token ${initialToken}`,
      requestId,
      body: {
        token: 'their-token',
        version_url: [{ version: '3.0', base_url: 'http://127.0.0.1:1/oscp/3.0' }],
      },
    });
    expect(response.status).toBe(501);
    expect(response.body).toEqual({
      message: 'No common OSCP version: you offered 3.0; we speak 2.0.',
    });
    const refused = await h.refusals(id);
    expect(refused).toEqual([
      expect.objectContaining({ endpoint: 'register', status: 501, requestId }),
    ]);
    const detail = await h.detail(id);
    expect(detail.lifecycle.phase).toBe('REGISTRATION_FAILED');
    expect(detail.issuedCredentials).toContain('INITIAL_TOKEN');
    expect((await h.publications(id)).filter((p) => p.kind === 'Register')).toHaveLength(1);
  });
});

describe('OAuth2 client credentials (Vector DERMS preset)', () => {
  it('is registered out of band on enabling (no Register) and, starting the handshake, sends it with a Bearer token and the static headers', async () => {
    const { id, peerId, outboundStatic } = await h.vector({ peer: { autoAcknowledge: false } });
    const enabled = await h.enable(id);
    expect(enabled.lifecycle.phase).toBe('REGISTERED');
    expect(enabled.lifecycle.registration).toMatchObject({
      mode: 'OUT_OF_BAND',
      selectedVersion: '2.0',
      registeredAt: h.ctx.clock.now().toISOString(),
    });
    expect(enabled.lifecycle.handshake.awaitingAcknowledgement).toBe(true);
    const rows = await h.outbox(id);
    expect(rows.map((r) => [r.kind, r.status])).toEqual([['Handshake', 'PENDING']]);
    expect(rows[0]!.body).toEqual({
      required_behaviour: { heartbeat_interval: 60, measurement_configuration: ['INTERMITTENT'] },
    });

    const handshake = await h.peerReceived(
      'our Handshake at the peer',
      (m) => m.endpoint === 'handshake' && m.peerId === peerId,
    );
    expect(handshake.status).toBe(204);
    expect(handshake.requestId).toBe(rows[0]!.request_id);
    expect(handshake.headers.authorization).toMatch(/^Bearer \S{4}…$/);
    for (const [name, value] of Object.entries(outboundStatic))
      expect(handshake.headers[name]).toBe(value);
    // The access token came from the simulator's token endpoint, with our client credentials.
    const tokenRequests = h.sim.messages({ endpoint: 'oauth_token' });
    expect(tokenRequests.map((m) => m.status)).toEqual([200]);
    expect(h.sim.peer(peerId).handshake.status).toBe('RECEIVED');
    expect((await h.publications(id)).map((p) => [p.kind, p.status])).toEqual([
      ['Handshake', 'DELIVERED'],
    ]);
  });
});
