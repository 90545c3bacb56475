import { describe, expect, it } from 'vitest';
import { PRESET_DEFAULTS, type ConnectionProfile } from './connection-profile';
import type { LifecycleEffect } from './effects';
import { evolveLifecycle, initialLifecycle, linkHealthy, type LifecycleEvent } from './lifecycle';
import {
  isRoutineDelivery,
  lifecycleDecider,
  type DeliveryFacts,
  type LifecycleCommand,
  type LifecycleDecision,
  type LifecycleState,
} from './lifecycle-decider';

/*
 * The OSCP lifecycle decider, as "given these events, when this command, then these events and
 * effects (or this refusal)". Pure: no database, no network, no clock of its own.
 */

const ID = 'c0ffee00-0000-4000-8000-000000000001';
const T0 = new Date('2026-03-02T09:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString();
const OUR_BASE_URL = 'https://fp.example.com/oscp/fp/2.0';

const { decide } = lifecycleDecider({
  ourBaseUrl: OUR_BASE_URL,
  registrationReplyTimeoutMs: 30_000,
  handshakeAcknowledgementTimeoutMs: 60_000,
});

function standard(overrides: Partial<ConnectionProfile> = {}): ConnectionProfile {
  return {
    ...PRESET_DEFAULTS.OSCP_STANDARD,
    displayName: 'Standard CP',
    groupId: 'GRP42',
    microgridId: 'm',
    scopeId: 's',
    peerBaseUrl: 'https://cp.example.com/oscp/cp/2.0',
    authReferences: { ...PRESET_DEFAULTS.OSCP_STANDARD.authReferences, initialToken: 'init' },
    ...overrides,
  };
}

/** Vector-like: OAuth, we start the handshake, a new handshake after offline. */
const vector = (overrides: Partial<ConnectionProfile> = {}) =>
  standard({
    authMode: 'OAUTH2_CLIENT_CREDENTIALS',
    handshakeInitiator: 'FLEXIBILITY_PROVIDER',
    rehandshakeAfterOffline: true,
    ...overrides,
  });

/** The state after `events`, on an enabled connection with `profile`. */
function given(profile: ConnectionProfile, ...events: LifecycleEvent[]): LifecycleState {
  return {
    id: ID,
    enabled: true,
    profile,
    lifecycle: events.reduce(evolveLifecycle, initialLifecycle),
  };
}

const when = (state: LifecycleState, command: LifecycleCommand, now = T0): LifecycleDecision =>
  decide(state, command, now);

const types = (d: LifecycleDecision) => d.events.map((e) => e.type);
const effect = <T extends LifecycleEffect['type']>(d: LifecycleDecision, type: T) =>
  d.effects.filter((e): e is Extract<LifecycleEffect, { type: T }> => e.type === type);

// Events as the stream would hold them.
const registrationStarted = (requestId = 'reg-1'): LifecycleEvent => ({
  type: 'OscpRegistrationStarted',
  data: { connectionId: ID, requestId, initiatedBy: 'FLEXIBILITY_PROVIDER', at: iso(0) },
});
const peerRegistered: LifecycleEvent = {
  type: 'OscpPeerRegistered',
  data: {
    connectionId: ID,
    requestId: 'peer-reg',
    version: '2.0',
    peerBaseUrl: 'https://cp.example.com/oscp/cp/2.0',
    at: iso(1),
  },
};
const outOfBand: LifecycleEvent = {
  type: 'OscpRegisteredOutOfBand',
  data: { connectionId: ID, at: iso(0) },
};
const handshakeSent = (requestId = 'hs-1', weAskEvery: number | null = 60): LifecycleEvent => ({
  type: 'OscpHandshakeSent',
  data: {
    connectionId: ID,
    requestId,
    requiredBehaviour: {
      heartbeatIntervalSeconds: weAskEvery,
      measurementConfiguration: ['CONTINUOUS'],
    },
    at: iso(1),
  },
});
const completed = (
  seconds = 2,
  heartbeatDeadline: string | null = null,
  peerInterval: number | null = 30,
): LifecycleEvent => ({
  type: 'OscpHandshakeCompleted',
  data: {
    connectionId: ID,
    peerRequires: { heartbeatIntervalSeconds: peerInterval, measurementConfiguration: [] },
    weRequire: { heartbeatIntervalSeconds: 60, measurementConfiguration: ['CONTINUOUS'] },
    via: 'ACKNOWLEDGEMENT_RECEIVED',
    correlationId: 'hs-1',
    heartbeatDeadline,
    at: iso(seconds),
  },
});
const online = (offlineModeAt: string): LifecycleEvent => ({
  type: 'OscpPeerOnline',
  data: { connectionId: ID, heartbeatAt: iso(3), offlineModeAt, at: iso(3) },
});
const offline = (handshakeRequired: boolean): LifecycleEvent => ({
  type: 'OscpPeerOffline',
  data: {
    connectionId: ID,
    lastHeartbeatAt: iso(3),
    offlineModeAt: iso(100),
    handshakeRequired,
    at: iso(101),
  },
});

function delivery(overrides: Partial<DeliveryFacts>): DeliveryFacts {
  return {
    kind: 'Heartbeat',
    requestId: 'r',
    correlationId: null,
    attempt: 1,
    maxAttempts: 5,
    status: 'DELIVERED',
    outcome: 'delivered',
    httpStatus: 204,
    url: 'https://cp.example.com/oscp/cp/2.0/x',
    message: null,
    responseBody: null,
    timedOut: false,
    nextAttemptAt: null,
    at: T0,
    ...overrides,
  };
}

describe('registration', () => {
  it('enabling a token-exchange connection writes our Register with a fresh token for the peer', () => {
    const then = when(given(standard()), {
      type: 'Start',
      registerRequestId: 'reg-1',
      handshakeRequestId: 'hs-unused',
    });
    expect(then.events).toEqual([
      {
        type: 'OscpRegistrationStarted',
        data: {
          connectionId: ID,
          requestId: 'reg-1',
          initiatedBy: 'FLEXIBILITY_PROVIDER',
          at: iso(0),
        },
      },
    ]);
    expect(then.effects).toEqual([
      { type: 'RevokeCredentials', kinds: ['TOKEN'] },
      { type: 'IssueTokenForPeer' },
      {
        type: 'Send',
        message: {
          kind: 'Register',
          requestId: 'reg-1',
          correlationId: null,
          body: {
            token: { $secret: `oscp-${ID}-token-for-peer` },
            version_url: [{ version: '2.0', base_url: OUR_BASE_URL }],
          },
        },
      },
    ]);
  });

  it('enabling an OAuth connection registers out of band and, where we start it, sends our handshake', () => {
    const ours = when(given(vector()), {
      type: 'Start',
      registerRequestId: 'unused',
      handshakeRequestId: 'hs-1',
    });
    expect(types(ours)).toEqual(['OscpRegisteredOutOfBand', 'OscpHandshakeSent']);
    expect(effect(ours, 'Send')[0]!.message).toMatchObject({
      kind: 'Handshake',
      requestId: 'hs-1',
      body: { required_behaviour: { heartbeat_interval: 60 } },
    });

    const theirs = when(given(vector({ handshakeInitiator: 'CAPACITY_PROVIDER' })), {
      type: 'Start',
      registerRequestId: 'unused',
      handshakeRequestId: 'unused',
    });
    expect(types(theirs)).toEqual(['OscpRegisteredOutOfBand']);
    expect(theirs.effects).toEqual([]);
  });

  it('the peer’s Register back completes the exchange: its token kept, the reply timeout cancelled', () => {
    const then = when(given(standard(), registrationStarted()), {
      type: 'ReceiveRegister',
      credential: 'TOKEN',
      requestId: 'peer-reg',
      body: {
        token: 'their-token',
        version_url: [{ version: '2.0', base_url: 'https://cp/2.0/' }],
      },
      replyRequestId: 'unused',
      handshakeRequestId: 'unused',
    });
    expect(then.refusal).toBeUndefined();
    expect(then.events).toEqual([
      {
        type: 'OscpPeerRegistered',
        data: {
          connectionId: ID,
          requestId: 'peer-reg',
          version: '2.0',
          peerBaseUrl: 'https://cp/2.0',
          at: iso(0),
        },
      },
    ]);
    expect(then.effects).toEqual([
      { type: 'StorePeerToken', token: 'their-token' },
      { type: 'Cancel', work: 'registration-timeout' },
      { type: 'ClearProblem', kind: 'REGISTRATION', subject: '', at: iso(0) },
    ]);
  });

  it('a peer registering first with our initial token gets our Register back, correlated, and the initial token is retired', () => {
    const then = when(given(standard()), {
      type: 'ReceiveRegister',
      credential: 'INITIAL_TOKEN',
      requestId: 'their-first',
      body: { token: 'their-token', version_url: [{ version: '2.0', base_url: 'https://cp/2.0' }] },
      replyRequestId: 'our-reply',
      handshakeRequestId: 'unused',
    });
    expect(types(then)).toEqual(['OscpRegistrationStarted', 'OscpPeerRegistered']);
    expect(then.events[0]!.data).toMatchObject({ initiatedBy: 'CAPACITY_PROVIDER' });
    expect(then.effects[0]).toEqual({ type: 'RevokeCredentials', kinds: ['INITIAL_TOKEN'] });
    expect(effect(then, 'Send')[0]!.message).toMatchObject({
      kind: 'Register',
      requestId: 'our-reply',
      correlationId: 'their-first',
    });
    // Their token replaces any earlier one; nothing drops it first.
    expect(then.effects).toContainEqual({ type: 'StorePeerToken', token: 'their-token' });
    expect(then.effects.map((e) => e.type)).not.toContain('ForgetPeerToken');
    expect(then.events.map((e) => e.type)).not.toContain('OscpHandshakeSent');
  });

  it('refuses a Register with no common version with 501-class unsupported-version, and the timeout says so', () => {
    const then = when(given(standard(), registrationStarted()), {
      type: 'ReceiveRegister',
      credential: 'TOKEN',
      requestId: 'x',
      body: { token: 't', version_url: [{ version: '2.1', base_url: 'https://cp' }] },
      replyRequestId: 'u',
      handshakeRequestId: 'u',
    });
    const reason = 'No common OSCP version: you offered 2.1; we speak 2.0.';
    expect(then).toEqual({
      // Waiting for the peer's Register, a refused one is noted: the timeout will say so.
      events: [
        {
          type: 'OscpPeerRegisterRefused',
          data: { connectionId: ID, requestId: 'x', reason, at: iso(0) },
        },
      ],
      effects: [],
      refusal: { code: 'unsupported-version', message: reason },
    });
    const waiting = given(standard(), registrationStarted(), ...then.events);
    expect(when(waiting, { type: 'RegistrationTimedOut' }, at(30)).events[0]!.data).toMatchObject({
      reason: `The peer's Register at ${iso(0)} was refused (${reason}); no acceptable Register within 30 s of ours being delivered.`,
    });
  });

  it('starts waiting for the peer’s Register once ours is delivered, and fails the registration at the timeout', () => {
    const waiting = given(standard(), registrationStarted());
    const delivered = when(waiting, {
      type: 'RecordDelivery',
      delivery: delivery({ kind: 'Register', requestId: 'reg-1' }),
    });
    expect(effect(delivered, 'Schedule')).toEqual([
      { type: 'Schedule', work: 'registration-timeout', dueAt: at(30) },
    ]);

    const timedOut = when(waiting, { type: 'RegistrationTimedOut' }, at(30));
    expect(timedOut.events).toEqual([
      {
        type: 'OscpRegistrationFailed',
        data: {
          connectionId: ID,
          reason: 'No Register from the peer within 30 s of ours being delivered.',
          requestId: 'reg-1',
          at: iso(30),
        },
      },
    ]);
    expect(effect(timedOut, 'OpenProblem')[0]!.problem).toMatchObject({
      kind: 'REGISTRATION',
      status: 'timeout',
    });
    // Registered in time: the timeout does nothing.
    const registered = given(standard(), registrationStarted(), peerRegistered);
    expect(when(registered, { type: 'RegistrationTimedOut' }, at(30))).toEqual({
      events: [],
      effects: [],
    });
  });

  it('a Register that could not be delivered fails the registration with the reason', () => {
    const then = when(given(standard(), registrationStarted()), {
      type: 'RecordDelivery',
      delivery: delivery({
        kind: 'Register',
        requestId: 'reg-1',
        status: 'FAILED',
        outcome: 'rejected',
        httpStatus: 403,
        message: 'not with that token',
      }),
    });
    expect(then.events).toEqual([
      {
        type: 'OscpRegistrationFailed',
        data: {
          connectionId: ID,
          reason: 'Our Register could not be delivered: not with that token',
          requestId: 'reg-1',
          at: iso(0),
        },
      },
    ]);
    expect(effect(then, 'Audit')[0]!.event).toMatchObject({
      type: 'OscpOutboundAttempted',
      data: { kind: 'Register', status: 'FAILED', httpStatus: 403 },
    });
  });

  it('lets an operator retry a failed registration only, with the peer’s newest token kept', () => {
    const failed = given(standard(), registrationStarted(), {
      type: 'OscpRegistrationFailed',
      data: { connectionId: ID, reason: 'no', requestId: 'reg-1', at: iso(5) },
    });
    const retried = when(failed, { type: 'RetryRegistration', by: 'mia', requestId: 'reg-2' });
    expect(retried.events[0]).toMatchObject({
      type: 'OscpRegistrationStarted',
      data: { requestId: 'reg-2', by: 'mia' },
    });
    expect(retried.effects.map((e) => e.type)).not.toContain('ForgetPeerToken');

    const registered = given(standard(), registrationStarted(), peerRegistered);
    expect(
      when(registered, { type: 'RetryRegistration', by: 'mia', requestId: 'r' }).refusal,
    ).toEqual({
      code: 'conflict',
      message: 'Registration can be retried after it failed; the connection is REGISTERED.',
    });
    expect(
      when(given(vector()), { type: 'RetryRegistration', by: 'x', requestId: 'r' }).refusal?.code,
    ).toBe('conflict');
    expect(
      when({ ...failed, enabled: false }, { type: 'RetryRegistration', by: 'x', requestId: 'r' })
        .refusal?.message,
    ).toBe('Enable the connection before retrying its registration.');
  });
});

describe('re-registration of a peer that forgot us', () => {
  const onlinePeer = given(
    standard(),
    registrationStarted(),
    peerRegistered,
    handshakeSent(),
    completed(),
    online(iso(100)),
  );
  const reregister = (
    credential: 'PEER_TOKEN' | 'INITIAL_TOKEN' | 'AWAIT_PEER',
    holdsPeerToken = true,
  ): LifecycleCommand => ({
    type: 'Reregister',
    by: 'mia',
    credential,
    requestId: 'reg-again',
    holdsPeerToken,
    initialTokenForPeer: 'ovi_fresh',
  });

  it('is allowed in any enabled phase and holds the phase control decides on until the new handshake', () => {
    const then = when(onlinePeer, reregister('PEER_TOKEN'), at(50));
    expect(then.events).toEqual([
      {
        type: 'OscpRegistrationStarted',
        data: {
          connectionId: ID,
          requestId: 'reg-again',
          initiatedBy: 'FLEXIBILITY_PROVIDER',
          by: 'mia',
          reregistration: { credential: 'PEER_TOKEN' },
          at: iso(50),
        },
      },
    ]);
    // The newest token the peer gave us stays: the Register goes out with it.
    expect(then.effects.map((e) => e.type)).toEqual([
      'RevokeCredentials',
      'IssueTokenForPeer',
      'Send',
    ]);
    const registering = then.events.reduce(evolveLifecycle, onlinePeer.lifecycle);
    expect(registering.phase).toBe('REGISTERING');
    expect(registering.reregistration).toEqual({ since: iso(50), heldPhase: 'ONLINE' });
    expect(linkHealthy(registering)).toBe(true);
    // Registered again, then handshaken: the hold ends.
    const handshaken = [peerRegistered, handshakeSent('hs-9'), completed(60)].reduce(
      evolveLifecycle,
      registering,
    );
    expect(handshaken.reregistration).toBeNull();
    expect(handshaken.phase).toBe('HANDSHAKEN');
  });

  it('with the initial token, drops the peer’s token first; awaiting the peer, sends nothing and issues a one-time token', () => {
    const initial = when(onlinePeer, reregister('INITIAL_TOKEN'));
    expect(initial.effects[0]).toEqual({ type: 'ForgetPeerToken' });
    const awaiting = when(onlinePeer, reregister('AWAIT_PEER'));
    expect(awaiting.events[0]!.data).toMatchObject({
      requestId: null,
      initiatedBy: 'CAPACITY_PROVIDER',
      reregistration: { credential: 'AWAIT_PEER' },
    });
    expect(awaiting.effects).toEqual([
      { type: 'Cancel', work: 'registration-timeout' },
      { type: 'IssueInitialToken', token: 'ovi_fresh' },
    ]);
  });

  it('refuses without a token from the peer, on OAuth connections and when disabled', () => {
    expect(when(onlinePeer, reregister('PEER_TOKEN', false)).refusal?.code).toBe('conflict');
    expect(when(given(vector()), reregister('INITIAL_TOKEN')).refusal?.code).toBe('conflict');
    expect(when({ ...onlinePeer, enabled: false }, reregister('INITIAL_TOKEN')).refusal).toEqual({
      code: 'conflict',
      message: 'Enable the connection before re-registering.',
    });
  });
});

describe('handshake', () => {
  const registered = given(
    standard({ handshakeInitiator: 'CAPACITY_PROVIDER' }),
    registrationStarted(),
    peerRegistered,
  );

  it('refuses a handshake before registration', () => {
    const then = when(given(standard()), {
      type: 'ReceiveHandshake',
      requestId: 'their-hs',
      body: { required_behaviour: { measurement_configuration: [] } },
      acknowledgeRequestId: 'ack',
    });
    expect(then.refusal).toEqual({
      code: 'forbidden',
      message: 'Register before the handshake (this connection is CONFIGURED).',
    });
    expect(then.events).toEqual([]);
  });

  it('rejects requirements we cannot meet with 400, recording the rejection', () => {
    const then = when(registered, {
      type: 'ReceiveHandshake',
      requestId: 'their-hs',
      body: { required_behaviour: { measurement_configuration: ['INTERMITTENT'] } },
      acknowledgeRequestId: 'ack',
    });
    expect(then.refusal?.code).toBe('invalid');
    expect(types(then)).toEqual(['OscpHandshakeRejected']);
    expect(then.effects).toEqual([]);
  });

  it('acknowledges a handshake through the outbox, correlated to it, and completes once that is delivered', () => {
    const received = when(registered, {
      type: 'ReceiveHandshake',
      requestId: 'their-hs',
      body: {
        required_behaviour: { heartbeat_interval: 30, measurement_configuration: ['CONTINUOUS'] },
      },
      acknowledgeRequestId: 'ack',
    });
    expect(types(received)).toEqual(['OscpHandshakeReceived']);
    expect(effect(received, 'Send')[0]!.message).toMatchObject({
      kind: 'HandshakeAcknowledge',
      requestId: 'ack',
      correlationId: 'their-hs',
      body: {
        required_behaviour: { heartbeat_interval: 60, measurement_configuration: ['CONTINUOUS'] },
      },
    });

    const afterReceive = given(
      standard({ handshakeInitiator: 'CAPACITY_PROVIDER' }),
      registrationStarted(),
      peerRegistered,
      ...received.events,
    );
    const done = when(
      afterReceive,
      {
        type: 'RecordDelivery',
        delivery: delivery({
          kind: 'HandshakeAcknowledge',
          requestId: 'ack',
          correlationId: 'their-hs',
          at: at(2),
        }),
      },
      at(2),
    );
    expect(types(done)).toEqual(['OscpHandshakeCompleted']);
    expect(done.events[0]!.data).toMatchObject({
      via: 'ACKNOWLEDGEMENT_DELIVERED',
      correlationId: 'their-hs',
      peerRequires: { heartbeatIntervalSeconds: 30 },
      heartbeatDeadline: iso(2 + 180),
    });
    expect(done.effects.filter((e) => e.type !== 'Audit' && e.type !== 'ClearProblem')).toEqual([
      { type: 'Schedule', work: 'heartbeat', dueAt: at(2) },
      { type: 'StartMeasurements' },
      { type: 'Cancel', work: 'handshake-acknowledgement' },
      { type: 'Schedule', work: 'liveness-check', dueAt: at(182) },
    ]);
  });

  it('takes the peer’s acknowledgement of our handshake only with our request id as correlation', () => {
    const waiting = given(vector(), outOfBand, handshakeSent('hs-1'));
    const body = { required_behaviour: { heartbeat_interval: 30, measurement_configuration: [] } };
    expect(
      when(waiting, { type: 'ReceiveHandshakeAcknowledge', correlationId: 'other', body }).refusal,
    ).toEqual({
      code: 'invalid',
      message: 'X-Correlation-ID must be the X-Request-ID of our handshake (hs-1).',
    });
    expect(
      when(given(vector(), outOfBand), {
        type: 'ReceiveHandshakeAcknowledge',
        correlationId: 'hs-1',
        body,
      }).refusal?.message,
    ).toBe('No handshake of ours is awaiting an acknowledgement.');
    const done = when(waiting, {
      type: 'ReceiveHandshakeAcknowledge',
      correlationId: 'hs-1',
      body,
    });
    expect(types(done)).toEqual(['OscpHandshakeCompleted']);
    expect(done.events[0]!.data).toMatchObject({ via: 'ACKNOWLEDGEMENT_RECEIVED' });
  });
});

describe('acknowledgement deadline for our handshake', () => {
  const waiting = given(vector(), outOfBand, handshakeSent('hs-1'));

  it('starts when our handshake is delivered, not when it is written', () => {
    const then = when(
      waiting,
      {
        type: 'RecordDelivery',
        delivery: delivery({ kind: 'Handshake', requestId: 'hs-1', at: at(1) }),
      },
      at(1),
    );
    expect(effect(then, 'Schedule')).toEqual([
      {
        type: 'Schedule',
        work: 'handshake-acknowledgement',
        dueAt: at(61),
        payload: { requestId: 'hs-1' },
      },
    ]);
    // Delivered is not acknowledged: nothing completes.
    expect(types(then)).toEqual([]);
  });

  it('unacknowledged at the deadline: a visible problem and the handshake sent again', () => {
    const then = when(
      waiting,
      { type: 'AcknowledgementDue', awaitedRequestId: 'hs-1', retryRequestId: 'hs-2' },
      at(61),
    );
    expect(types(then)).toEqual(['OscpHandshakeUnacknowledged', 'OscpHandshakeSent']);
    expect(then.events[0]!.data).toEqual({
      connectionId: ID,
      requestId: 'hs-1',
      waitedSeconds: 60,
      attempt: 1,
      at: iso(61),
    });
    expect(effect(then, 'OpenProblem')[0]!.problem).toMatchObject({
      kind: 'HANDSHAKE',
      status: 'timeout',
      message:
        'The Capacity Provider did not acknowledge our handshake hs-1 within 60 s of its delivery; sent it again as hs-2.',
    });
    expect(effect(then, 'Send')[0]!.message).toMatchObject({
      kind: 'Handshake',
      requestId: 'hs-2',
    });
  });

  it('backs off: each unacknowledged handshake in a row doubles the wait, up to 15 minutes', () => {
    let state = waiting;
    const waits: number[] = [];
    let requestId = 'hs-1';
    let now = 0;
    for (let round = 1; round <= 6; round += 1) {
      const delivered = when(
        state,
        {
          type: 'RecordDelivery',
          delivery: delivery({ kind: 'Handshake', requestId, at: at(now) }),
        },
        at(now),
      );
      const deadline = effect(delivered, 'Schedule')[0]!.dueAt;
      waits.push((deadline.getTime() - at(now).getTime()) / 1000);
      now = (deadline.getTime() - T0.getTime()) / 1000;
      const retry = `hs-${round + 1}`;
      const due = when(
        state,
        { type: 'AcknowledgementDue', awaitedRequestId: requestId, retryRequestId: retry },
        at(now),
      );
      state = { ...state, lifecycle: due.events.reduce(evolveLifecycle, state.lifecycle) };
      requestId = retry;
    }
    expect(waits).toEqual([60, 120, 240, 480, 900, 900]);
  });

  it('does nothing once the handshake was acknowledged or superseded, and completion clears the problem', () => {
    const acknowledged = given(vector(), outOfBand, handshakeSent('hs-1'), completed());
    expect(
      when(acknowledged, {
        type: 'AcknowledgementDue',
        awaitedRequestId: 'hs-1',
        retryRequestId: 'x',
      }),
    ).toEqual({ events: [], effects: [] });
    const superseded = given(vector(), outOfBand, handshakeSent('hs-1'), handshakeSent('hs-2'));
    expect(
      when(superseded, {
        type: 'AcknowledgementDue',
        awaitedRequestId: 'hs-1',
        retryRequestId: 'x',
      }).events,
    ).toEqual([]);
    const done = when(waiting, {
      type: 'ReceiveHandshakeAcknowledge',
      correlationId: 'hs-1',
      body: { required_behaviour: { measurement_configuration: [] } },
    });
    expect(done.effects).toContainEqual({ type: 'Cancel', work: 'handshake-acknowledgement' });
    expect(done.effects).toContainEqual({
      type: 'ClearProblem',
      kind: 'HANDSHAKE',
      subject: '',
      at: iso(0),
    });
  });
});

describe('heartbeat liveness', () => {
  const handshaken = given(vector(), outOfBand, handshakeSent(), completed(2, iso(182)));

  it('a heartbeat brings a handshaken peer ONLINE until its offline_mode_at', () => {
    const then = when(
      handshaken,
      { type: 'ReceiveHeartbeat', offlineModeAt: at(120), handshakeRequestId: 'unused' },
      at(10),
    );
    expect(then.events).toEqual([
      {
        type: 'OscpPeerOnline',
        data: { connectionId: ID, heartbeatAt: iso(10), offlineModeAt: iso(120), at: iso(10) },
      },
    ]);
    expect(then.effects).toEqual([
      { type: 'RecordHeartbeat', receivedAt: at(10), offlineModeAt: at(120) },
      { type: 'Schedule', work: 'liveness-check', dueAt: at(120) },
      { type: 'ClearProblem', kind: 'LIVENESS', subject: '', at: iso(10) },
    ]);
  });

  it('the routine beat of an online peer records it and moves the check, with no event', () => {
    const onlinePeer = given(vector(), outOfBand, handshakeSent(), completed(), online(iso(100)));
    const then = when(
      onlinePeer,
      { type: 'ReceiveHeartbeat', offlineModeAt: at(200), handshakeRequestId: 'unused' },
      at(50),
    );
    expect(then.events).toEqual([]);
    expect(then.effects).toEqual([
      { type: 'RecordHeartbeat', receivedAt: at(50), offlineModeAt: at(200) },
      { type: 'Schedule', work: 'liveness-check', dueAt: at(200) },
    ]);
  });

  it('goes OFFLINE when its offline_mode_at passes, not before', () => {
    const onlinePeer = given(vector(), outOfBand, handshakeSent(), completed(), online(iso(100)));
    expect(when(onlinePeer, { type: 'CheckLiveness' }, at(99)).events).toEqual([]);
    const then = when(onlinePeer, { type: 'CheckLiveness' }, at(100));
    expect(then.events).toEqual([
      {
        type: 'OscpPeerOffline',
        data: {
          connectionId: ID,
          lastHeartbeatAt: iso(3),
          offlineModeAt: iso(100),
          handshakeRequired: true,
          at: iso(100),
        },
      },
    ]);
    expect(effect(then, 'OpenProblem')[0]!.problem.message).toBe(
      `No heartbeat since ${iso(3)}; the peer's offline_mode_at ${iso(100)} passed.`,
    );
  });

  it('a peer we asked for heartbeats that never sends one goes OFFLINE at the first-heartbeat deadline', () => {
    expect(handshaken.lifecycle.heartbeat.peerOfflineAt).toBe(iso(182));
    expect(when(handshaken, { type: 'CheckLiveness' }, at(181)).events).toEqual([]);
    const then = when(handshaken, { type: 'CheckLiveness' }, at(182));
    expect(types(then)).toEqual(['OscpPeerOffline']);
    expect(then.events[0]!.data).toMatchObject({ lastHeartbeatAt: null, offlineModeAt: iso(182) });
    expect(effect(then, 'OpenProblem')[0]!.problem.message).toBe(
      `No heartbeat from the peer since the handshake completed at ${iso(2)}; we asked for one every 60 s and waited until ${iso(182)}.`,
    );
  });

  it('sets no first-heartbeat deadline when we asked for no heartbeats', () => {
    const noBeats = given(
      vector({ requestedHeartbeatIntervalSeconds: null }),
      outOfBand,
      handshakeSent('hs-1', null),
    );
    const done = when(noBeats, {
      type: 'ReceiveHandshakeAcknowledge',
      correlationId: 'hs-1',
      body: { required_behaviour: { measurement_configuration: [] } },
    });
    expect(done.events[0]!.data).toMatchObject({ heartbeatDeadline: null });
    expect(effect(done, 'Schedule').map((e) => e.work)).not.toContain('liveness-check');
  });

  it('after OFFLINE, a profile that needs a new handshake gets ours instead of going ONLINE', () => {
    const wentOffline = given(
      vector(),
      outOfBand,
      handshakeSent(),
      completed(),
      online(iso(100)),
      offline(true),
    );
    const then = when(
      wentOffline,
      { type: 'ReceiveHeartbeat', offlineModeAt: at(300), handshakeRequestId: 'hs-again' },
      at(200),
    );
    expect(types(then)).toEqual(['OscpHandshakeSent']);
    expect(effect(then, 'Send')[0]!.message).toMatchObject({
      kind: 'Handshake',
      requestId: 'hs-again',
    });

    const plain = given(
      vector({ rehandshakeAfterOffline: false }),
      outOfBand,
      handshakeSent(),
      completed(),
      online(iso(100)),
      offline(false),
    );
    expect(
      types(
        when(
          plain,
          { type: 'ReceiveHeartbeat', offlineModeAt: at(300), handshakeRequestId: 'u' },
          at(200),
        ),
      ),
    ).toEqual(['OscpPeerOnline']);
  });

  it('sends our heartbeats on the planned rhythm, catching up when late, and none when not asked', () => {
    const onlinePeer = given(vector(), outOfBand, handshakeSent(), completed(), online(iso(100)));
    const onTime = when(onlinePeer, { type: 'SendHeartbeat', dueAt: at(30) }, at(30.5));
    expect(onTime.events).toEqual([]);
    expect(onTime.effects).toEqual([
      {
        type: 'Send',
        message: {
          kind: 'Heartbeat',
          body: { offline_mode_at: iso(30.5 + 90) },
          dedupeKey: `heartbeat:${ID}:${iso(30)}`,
          maxAttempts: 1,
        },
      },
      { type: 'Schedule', work: 'heartbeat', dueAt: at(60) },
    ]);
    const late = when(onlinePeer, { type: 'SendHeartbeat', dueAt: at(30) }, at(75));
    expect(effect(late, 'Schedule')[0]!.dueAt).toEqual(at(105));
    const unasked = given(vector(), outOfBand, handshakeSent(), completed(2, null, null));
    expect(when(unasked, { type: 'SendHeartbeat', dueAt: at(30) }, at(30)).effects).toEqual([]);
    expect(
      when({ ...onlinePeer, enabled: false }, { type: 'SendHeartbeat', dueAt: at(30) }).effects,
    ).toEqual([]);
  });
});

describe('delivery outcomes and stopping', () => {
  it('a delivered periodic message is routine; anything else is recorded', () => {
    expect(isRoutineDelivery({ kind: 'Heartbeat', status: 'DELIVERED' })).toBe(true);
    expect(isRoutineDelivery({ kind: 'UpdateAssetMeasurements', status: 'DELIVERED' })).toBe(true);
    expect(isRoutineDelivery({ kind: 'Heartbeat', status: 'FAILED' })).toBe(false);
    expect(isRoutineDelivery({ kind: 'Handshake', status: 'DELIVERED' })).toBe(false);
  });

  it('a failed attempt is audited and opens a delivery problem naming the attempt', () => {
    const onlinePeer = given(vector(), outOfBand, handshakeSent(), completed(), online(iso(100)));
    const then = when(onlinePeer, {
      type: 'RecordDelivery',
      delivery: delivery({
        kind: 'Heartbeat',
        status: 'FAILED',
        outcome: 'failed',
        httpStatus: null,
        message: 'no response within 2000 ms',
        timedOut: true,
        attempt: 1,
        maxAttempts: 1,
      }),
    });
    expect(then.events).toEqual([]);
    expect(then.effects).toEqual([
      {
        type: 'Audit',
        event: {
          type: 'OscpOutboundAttempted',
          data: {
            connectionId: ID,
            kind: 'Heartbeat',
            requestId: 'r',
            correlationId: null,
            attempt: 1,
            status: 'FAILED',
            outcome: 'failed',
            httpStatus: null,
            url: 'https://cp.example.com/oscp/cp/2.0/x',
            error: 'no response within 2000 ms',
            response: null,
            nextAttemptAt: null,
            at: iso(0),
          },
        },
      },
      {
        type: 'OpenProblem',
        problem: {
          kind: 'DELIVERY',
          subject: 'Heartbeat',
          at: iso(0),
          attempted: 'Heartbeat (attempt 1 of 1)',
          url: 'https://cp.example.com/oscp/cp/2.0/x',
          status: 'timeout',
          message: 'no response within 2000 ms',
        },
      },
    ]);
  });

  it('stopping cancels what is unsent and every due work, and revokes what we issued', () => {
    expect(when(given(standard(), registrationStarted()), { type: 'Stop' })).toEqual({
      events: [],
      effects: [
        { type: 'CancelUnsent', reason: 'not sent: the connection was disabled' },
        { type: 'Cancel', work: 'heartbeat' },
        { type: 'StopMeasurements' },
        { type: 'Cancel', work: 'liveness-check' },
        { type: 'Cancel', work: 'registration-timeout' },
        { type: 'Cancel', work: 'handshake-acknowledgement' },
        { type: 'RevokeCredentials', kinds: ['INITIAL_TOKEN', 'TOKEN', 'ACCESS_TOKEN'] },
      ],
    });
  });
});
