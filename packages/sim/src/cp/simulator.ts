import { EventEmitter } from 'node:events';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { createOscpClient, newRequestId, toWireTime } from '@openvelope/oscp';
import type { SendOutcome } from '@openvelope/oscp';
import { PROTOCOL_HEADERS } from './auth';
import { controlRoutes } from './control';
import { SimError } from './errors';
import { FaultTable } from './faults';
import type { ActiveFault } from './faults';
import { alignDown, rollingForecast, toWireBlocks, zeroProtectiveForecast } from './forecasts';
import { OSCP_PREFIX, inboundRoutes } from './inbound';
import { OAuthTokenSource, TOKEN_PATH } from './oauth';
import { OutboundSender } from './outbound';
import { peerSnapshot, summarise } from './peer';
import type { Peer, PeerSnapshot } from './peer';
import { OSCP_VERSION, handleInbound } from './protocol';
import type { ProtocolActions } from './protocol';
import { Recorder } from './recorder';
import type { WaitOptions } from './recorder';
import { PeerRegistry, newToken } from './registry';
import { Sleeper, repeat } from './timers';
import { PEER_MODES } from './types';
import type {
  BehaviourSwitches,
  CapacityProviderSimulatorOptions,
  FaultSpec,
  ForecastInput,
  ForecastScheduleOptions,
  HandshakeOptions,
  InboundRecord,
  MessageFilter,
  OutboundRecord,
  PeerConfig,
  SimClock,
  SimLogger,
  StartOptions,
} from './types';

const DEFAULT_SWITCHES: Required<BehaviourSwitches> = {
  autoRegisterBack: true,
  autoAcknowledge: true,
  autoHandshakeAfterRegister: false,
  requireHandshake: false,
  autoHeartbeats: false,
  relativeBaseUrl: false,
  acknowledgementPath: 'handshake_acknowledge',
  localTimes: false,
  sendsHeartbeats: true,
};

/** A peer set never to send heartbeats refuses to be told to. */
function neverSilent(peer: Peer): void {
  if (!peer.switches.sendsHeartbeats)
    throw new SimError(
      409,
      `peer ${peer.id} is set never to send heartbeats (sendsHeartbeats: false)`,
    );
}

/** Each switch from the peer's configuration, else from the simulator's. */
function switchesFor(
  config: BehaviourSwitches,
  defaults: Required<BehaviourSwitches>,
): Required<BehaviourSwitches> {
  const chosen = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
  const keys = Object.keys(DEFAULT_SWITCHES) as (keyof BehaviourSwitches)[];
  return Object.fromEntries(
    keys.map((key) => [key, key in chosen ? chosen[key] : defaults[key]]),
  ) as Required<BehaviourSwitches>;
}

export interface HeartbeatOptions {
  /** Defaults to the running schedule's interval, else the interval the FP asked for. */
  intervalSeconds?: number;
  /** offline_mode_at = now + multiplier × interval. Defaults to the last one used (initially 2). */
  offlineMultiplier?: number;
}

/**
 * A Capacity Provider speaking OSCP 2.0 over real HTTP: serves the CP endpoints and an OAuth token
 * endpoint, calls FP peers through the wire library's client, records everything both ways, and
 * can misbehave on request. See `control.ts` for the HTTP control API and `../cli.ts` for the CLI.
 */
export class CapacityProviderSimulator {
  readonly #clock: SimClock;
  readonly #log: SimLogger | undefined;
  readonly #switches: Required<BehaviourSwitches>;
  readonly #options: CapacityProviderSimulatorOptions;
  readonly #registry = new PeerRegistry();
  readonly #recorder: Recorder;
  readonly #faults = new FaultTable();
  readonly #sleeper = new Sleeper();
  readonly #sender: OutboundSender;
  readonly #events = new EventEmitter();
  readonly #actions: ProtocolActions;
  #app: FastifyInstance | undefined;
  #url: string | undefined;
  #stopped = false;

  constructor(options: CapacityProviderSimulatorOptions = {}) {
    this.#options = options;
    // Wall time unless given a clock.
    this.#clock = options.clock ?? { now: () => new Date() };
    this.#log = options.log;
    this.#switches = switchesFor(options, DEFAULT_SWITCHES);
    this.#recorder = new Recorder(options.maxRecordedMessages ?? 10_000);
    this.#events.setMaxListeners(0);
    const timeoutMs = options.requestTimeoutMs ?? 5000;
    const doFetch = options.fetch ?? globalThis.fetch;
    this.#sender = new OutboundSender({
      client: createOscpClient({
        timeoutMs,
        fetch: doFetch,
        userAgent: 'openvelope-cp-simulator',
      }),
      tokens: new OAuthTokenSource({ fetch: doFetch, timeoutMs, clock: this.#clock }),
      recorder: this.#recorder,
      clock: this.#clock,
      ...(this.#log ? { log: this.#log } : {}),
    });
    this.#actions = {
      clock: this.#clock,
      registerBack: (peer, correlationId) =>
        this.#followUp(() => this.#register(peer, correlationId)),
      registrationCompleted: (peer) => this.#completeRegistration(peer),
      afterRegistration: (peer) => this.#followUp(async () => this.#afterRegistration(peer)),
      acknowledgeHandshake: (peer, correlationId) =>
        this.#followUp(() => this.#acknowledge(peer, correlationId)),
      heartbeatsRequested: (peer, interval) => this.#heartbeatsRequested(peer, interval),
      unregistered: (peer) => this.#stopTimers(peer),
      changed: (peer) => this.#changed(peer),
    };
  }

  // --- lifecycle -------------------------------------------------------------------------------

  async start({ port = 0, host = '127.0.0.1', publicUrl }: StartOptions = {}): Promise<{
    url: string;
  }> {
    if (this.#app) throw new Error('the simulator is already started');
    const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
    app.setErrorHandler((error, _request, reply) => {
      const status =
        error instanceof SimError
          ? error.status
          : typeof (error as { statusCode?: unknown }).statusCode === 'number'
            ? (error as { statusCode: number }).statusCode
            : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (status >= 500) this.#log?.warn({ err: message }, 'CP simulator request failed');
      return reply.code(status).send({ message });
    });
    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ message: `no route ${request.method} ${request.url.split('?')[0]}` }),
    );
    await inboundRoutes(app, {
      registry: this.#registry,
      recorder: this.#recorder,
      faults: this.#faults,
      clock: this.#clock,
      accessTokenTtlSeconds: this.#options.accessTokenTtlSeconds ?? 3600,
      handle: (message) => handleInbound(message, this.#actions),
      sleep: (ms) => this.#sleeper.sleep(ms),
    });
    await app.register(controlRoutes, {
      prefix: '/control',
      sim: this,
      allowRemote: this.#options.allowRemoteControl ?? false,
    });
    await app.listen({ port, host });
    const address = app.server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    this.#app = app;
    this.#url = (publicUrl ?? `http://${urlHost(host)}:${actualPort}`).replace(/\/+$/, '');
    this.#log?.info({ url: this.#url, oscp: this.oscpBaseUrl }, 'CP simulator listening');
    return { url: this.#url };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sleeper.abort();
    for (const peer of this.#registry.all()) this.#stopTimers(peer);
    await this.#app?.close();
    await this.#sender.settle();
  }

  /** `http://host:port` of the running simulator. */
  get url(): string {
    if (this.#url === undefined) throw new Error('the simulator is not started');
    return this.#url;
  }

  /** Our OSCP 2.0 API root, as sent in our Register. */
  get oscpBaseUrl(): string {
    return `${this.url}${OSCP_PREFIX}`;
  }

  /** Our OAuth 2.0 client-credentials token endpoint (VECTOR peers). */
  get tokenUrl(): string {
    return `${this.url}${TOKEN_PATH}`;
  }

  // --- peers -----------------------------------------------------------------------------------

  /** Adds an FP peer (one per group) and returns its id. */
  addPeer(config: PeerConfig): string {
    validatePeerConfig(config);
    const switches = switchesFor(config, this.#switches);
    const peer = this.#registry.add(structuredClone(config), switches);
    this.#log?.info({ peer: peer.id, group: peer.groupId, mode: peer.mode }, 'peer added');
    return peer.id;
  }

  removePeer(peerId: string): void {
    const peer = this.#peer(peerId);
    this.#stopTimers(peer);
    this.#registry.remove(peer);
  }

  /** One peer's state (secrets redacted, except the initial token while it is still accepted). */
  peer(peerId: string): PeerSnapshot {
    return peerSnapshot(this.#peer(peerId), this.#clock.now());
  }

  state() {
    const now = this.#clock.now();
    return {
      url: this.#url ?? null,
      oscpBaseUrl: this.#url === undefined ? null : this.oscpBaseUrl,
      tokenUrl: this.#url === undefined ? null : this.tokenUrl,
      now: now.toISOString(),
      switches: this.#switches,
      peers: this.#registry.all().map((peer) => peerSnapshot(peer, now)),
      faults: this.#faults.list(),
      recorded: {
        inbound: this.#recorder.messages().length,
        outbound: this.#recorder.sent().length,
      },
    };
  }

  /** Resolves with the peer's state once `predicate` holds (checked now and after each change). */
  waitForPeer(
    peerId: string,
    predicate: (peer: PeerSnapshot) => boolean,
    timeoutMs = 5000,
  ): Promise<PeerSnapshot> {
    const peer = this.#peer(peerId);
    const current = this.peer(peer.id);
    if (predicate(current)) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const onChange = (changed: Peer) => {
        if (changed !== peer) return;
        const snapshot = this.peer(peer.id);
        if (!predicate(snapshot)) return;
        clearTimeout(timer);
        this.#events.off('change', onChange);
        resolve(snapshot);
      };
      const timer = setTimeout(() => {
        this.#events.off('change', onChange);
        reject(new Error(`peer ${peerId} did not reach the expected state within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#events.on('change', onChange);
    });
  }

  // --- registration and handshake --------------------------------------------------------------

  /**
   * Sends our Register (fresh token, our base URL) to the FP. If the FP registered first this
   * answers it and completes the exchange; otherwise the FP's Register is expected back.
   */
  register(peerId: string): Promise<SendOutcome> {
    const peer = this.#peer(peerId);
    if (peer.mode !== 'OSCP_TOKEN') {
      throw new SimError(
        400,
        'VECTOR peers do not register: credentials are exchanged out of band',
      );
    }
    return this.#register(peer, peer.registration.fpRegisterRequestId);
  }

  sendHandshake(peerId: string, options: HandshakeOptions = {}): Promise<SendOutcome> {
    return this.#sendHandshake(this.#peer(peerId), options);
  }

  /** Acknowledges the FP's latest Handshake (for peers with `autoAcknowledge: false`). */
  acknowledgeHandshake(
    peerId: string,
    options: { correlationId?: string } = {},
  ): Promise<SendOutcome> {
    const peer = this.#peer(peerId);
    const correlationId = options.correlationId ?? peer.handshake.lastFpHandshakeId;
    if (correlationId === undefined) throw new SimError(400, 'the FP has not sent a Handshake');
    return this.#acknowledge(peer, correlationId);
  }

  // --- heartbeats ------------------------------------------------------------------------------

  sendHeartbeat(peerId: string, options: HeartbeatOptions = {}): Promise<SendOutcome> {
    const peer = this.#peer(peerId);
    neverSilent(peer);
    const interval =
      options.intervalSeconds ??
      peer.heartbeats.intervalSeconds ??
      peer.handshake.requiredByFp?.heartbeat_interval;
    if (interval === undefined) {
      throw new SimError(
        400,
        'no heartbeat interval: pass intervalSeconds or start heartbeats first',
      );
    }
    positive('intervalSeconds', interval);
    const multiplier = options.offlineMultiplier ?? peer.heartbeats.offlineMultiplier;
    positive('offlineMultiplier', multiplier);
    return this.#sendHeartbeat(peer, interval, multiplier);
  }

  /** Heartbeats now and every `intervalSeconds` (real timers) until stopped. */
  startHeartbeats(peerId: string, intervalSeconds: number, offlineMultiplier = 2): void {
    const peer = this.#peer(peerId);
    neverSilent(peer);
    positive('intervalSeconds', intervalSeconds);
    positive('offlineMultiplier', offlineMultiplier);
    peer.heartbeats.intervalSeconds = intervalSeconds;
    peer.heartbeats.offlineMultiplier = offlineMultiplier;
    this.#startHeartbeatTimer(peer);
  }

  stopHeartbeats(peerId: string): void {
    const peer = this.#peer(peerId);
    peer.heartbeats.timer?.stop();
    peer.heartbeats.timer = undefined;
    this.#changed(peer);
  }

  /** Restarts heartbeats with the last interval and multiplier. */
  resumeHeartbeats(peerId: string): void {
    const peer = this.#peer(peerId);
    if (peer.heartbeats.intervalSeconds === undefined) {
      throw new SimError(400, 'heartbeats were never started for this peer');
    }
    this.#startHeartbeatTimer(peer);
  }

  // --- forecasts -------------------------------------------------------------------------------

  sendForecast(peerId: string, forecast: ForecastInput): Promise<SendOutcome> {
    return this.#sendForecast(this.#peer(peerId), forecast);
  }

  /**
   * Rolling forecasts now and every `everyMinutes` (real timers): `hours` ahead from the start of
   * the current block, optionally with a FALLBACK_CONSUMPTION forecast and a deliberate gap.
   */
  startForecastSchedule(peerId: string, options: ForecastScheduleOptions): void {
    const peer = this.#peer(peerId);
    const checked = checkSchedule(options);
    peer.forecasts.schedule?.timer.stop();
    const schedule = {
      options: checked,
      runs: 0,
      timer: { stop: () => {} },
    };
    peer.forecasts.schedule = schedule;
    schedule.timer = repeat(
      (checked.everyMinutes ?? 15) * 60_000,
      () => this.#runSchedule(peer, checked),
      (error) => this.#log?.warn({ peer: peer.id, err: String(error) }, 'forecast schedule failed'),
    );
    this.#changed(peer);
  }

  stopForecastSchedule(peerId: string): void {
    const peer = this.#peer(peerId);
    peer.forecasts.schedule?.timer.stop();
    peer.forecasts.schedule = undefined;
    this.#changed(peer);
  }

  /** One round of the peer's forecast schedule, now (tests with a manual clock). */
  runForecastSchedule(peerId: string): Promise<SendOutcome[]> {
    const peer = this.#peer(peerId);
    const schedule = peer.forecasts.schedule;
    if (!schedule) throw new SimError(400, 'no forecast schedule for this peer');
    return this.#runSchedule(peer, schedule.options);
  }

  // --- faults ----------------------------------------------------------------------------------

  setFault(fault: FaultSpec): ActiveFault {
    if (fault.peerId !== undefined) fault = { ...fault, peerId: this.#peer(fault.peerId).id };
    if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times >= 1)) {
      throw new SimError(400, 'fault times must be an integer >= 1');
    }
    return this.#faults.set(fault);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  faults(): ActiveFault[] {
    return this.#faults.list();
  }

  // --- recording -------------------------------------------------------------------------------

  /** Inbound requests, oldest first. `peerId` may also be a group id. */
  messages(filter: MessageFilter = {}): InboundRecord[] {
    return this.#recorder.messages(this.#filter(filter));
  }

  /** Messages we sent, with their outcomes. */
  sentMessages(filter: MessageFilter = {}): OutboundRecord[] {
    return this.#recorder.sent(this.#filter(filter));
  }

  uniqueRequestIds(endpoint: string): string[] {
    return this.#recorder.uniqueRequestIds(endpoint);
  }

  clearMessages(): void {
    this.#recorder.clear();
  }

  /** Sequence number of the latest record: pass as `since` to wait for newer ones only. */
  get lastSeq(): number {
    return this.#recorder.lastSeq;
  }

  waitForMessage(options: WaitOptions<InboundRecord> = {}): Promise<InboundRecord> {
    return this.#recorder.waitForInbound(this.#filter(options));
  }

  waitForSent(options: WaitOptions<OutboundRecord> = {}): Promise<OutboundRecord> {
    return this.#recorder.waitForOutbound(this.#filter(options));
  }

  // --- internals -------------------------------------------------------------------------------

  #peer(peerId: string): Peer {
    return this.#registry.get(peerId);
  }

  #filter<T extends MessageFilter>(filter: T): T {
    if (filter.peerId === undefined) return filter;
    const peer = this.#registry.find(filter.peerId);
    return peer ? { ...filter, peerId: peer.id } : filter;
  }

  #changed(peer: Peer): void {
    this.#events.emit('change', peer);
  }

  /** Work that follows a 204; dropped once the simulator stops. */
  #followUp(work: () => Promise<unknown>): void {
    if (this.#stopped) return;
    work().catch((error: unknown) =>
      this.#log?.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'follow-up failed',
      ),
    );
  }

  async #register(peer: Peer, answering: string | undefined): Promise<SendOutcome> {
    const token = newToken();
    // Valid before the FP can possibly hold it; older tokens go once the exchange completes.
    this.#registry.grantToken(peer, token);
    peer.currentTokenForFp = token;
    if (answering === undefined) peer.registration.status = 'AWAITING_FP_REGISTER';
    this.#changed(peer);
    const outcome = await this.#sender.send(
      peer,
      {
        kind: 'Register',
        body: {
          token,
          version_url: [
            {
              version: OSCP_VERSION,
              // Some peers give a path only; the FP must resolve it (or refuse it).
              base_url: peer.switches.relativeBaseUrl
                ? new URL(this.oscpBaseUrl).pathname
                : this.oscpBaseUrl,
            },
          ],
        },
      },
      answering === undefined ? {} : { correlationId: answering },
    );
    peer.registration.lastOutcome = summarise(this.#clock.now(), outcome);
    if (outcome.status === 'delivered') {
      if (answering !== undefined) {
        peer.followedUp.add(answering);
        this.#completeRegistration(peer);
        this.#afterRegistration(peer);
      }
      // Otherwise the FP's Register completes the exchange (it may already have).
    } else if (
      peer.registration.status ===
      (answering === undefined ? 'AWAITING_FP_REGISTER' : 'FP_REGISTERED')
    ) {
      peer.registration.status = 'FAILED';
    }
    this.#changed(peer);
    return outcome;
  }

  #completeRegistration(peer: Peer): void {
    peer.registration.status = 'REGISTERED';
    peer.registration.completedAt = this.#clock.now().toISOString();
    peer.registration.fpRegisterRequestId = undefined;
    if (peer.currentTokenForFp !== undefined) {
      this.#registry.revokeTokensExcept(peer, peer.currentTokenForFp);
    }
    this.#log?.info({ peer: peer.id, group: peer.groupId }, 'registration complete');
  }

  #afterRegistration(peer: Peer): void {
    if (peer.switches.autoHandshakeAfterRegister) {
      this.#followUp(() => this.#sendHandshake(peer, {}));
    }
  }

  async #sendHandshake(peer: Peer, options: HandshakeOptions): Promise<SendOutcome> {
    if (options.heartbeatIntervalSeconds !== undefined) {
      positive('heartbeatIntervalSeconds', options.heartbeatIntervalSeconds);
    }
    const required = peer.requiredBehaviour(options);
    const requestId = newRequestId();
    // Known before sending: the acknowledgement can overtake our own outcome.
    peer.sentHandshakes.add(requestId);
    peer.handshake.requiredFromFp = required;
    peer.handshake.status = 'AWAITING_ACK';
    this.#changed(peer);
    const outcome = await this.#sender.send(
      peer,
      { kind: 'Handshake', body: { required_behaviour: required } },
      { requestId },
    );
    peer.handshake.lastOutcome = summarise(this.#clock.now(), outcome);
    if (outcome.status !== 'delivered' && peer.handshake.status === 'AWAITING_ACK') {
      peer.handshake.status = 'FAILED';
    }
    this.#changed(peer);
    return outcome;
  }

  async #acknowledge(peer: Peer, correlationId: string): Promise<SendOutcome> {
    const required = peer.requiredBehaviour();
    peer.handshake.requiredFromFp = required;
    const outcome = await this.#sender.send(
      peer,
      { kind: 'HandshakeAcknowledge', body: { required_behaviour: required } },
      { correlationId },
    );
    peer.handshake.lastOutcome = summarise(this.#clock.now(), outcome);
    if (outcome.status === 'delivered') {
      peer.followedUp.add(correlationId);
      peer.handshake.status = 'DONE';
      peer.handshake.completedAt = this.#clock.now().toISOString();
    } else {
      peer.handshake.status = 'FAILED';
    }
    this.#changed(peer);
    return outcome;
  }

  #heartbeatsRequested(peer: Peer, intervalSeconds: number): void {
    if (!peer.switches.autoHeartbeats || !peer.switches.sendsHeartbeats) return;
    if (peer.heartbeats.timer && peer.heartbeats.intervalSeconds === intervalSeconds) return;
    peer.heartbeats.intervalSeconds = intervalSeconds;
    // Start after the 204 has gone out, like every other follow-up.
    setImmediate(() => {
      if (!this.#stopped && this.#registry.find(peer.id) === peer) this.#startHeartbeatTimer(peer);
    });
  }

  #startHeartbeatTimer(peer: Peer): void {
    const interval = peer.heartbeats.intervalSeconds;
    if (interval === undefined || this.#stopped) return;
    const multiplier = peer.heartbeats.offlineMultiplier;
    peer.heartbeats.timer?.stop();
    peer.heartbeats.timer = repeat(
      interval * 1000,
      () => this.#sendHeartbeat(peer, interval, multiplier),
      (error) => this.#log?.warn({ peer: peer.id, err: String(error) }, 'heartbeat failed'),
    );
    this.#changed(peer);
  }

  async #sendHeartbeat(
    peer: Peer,
    intervalSeconds: number,
    multiplier: number,
  ): Promise<SendOutcome> {
    const offlineAt = new Date(this.#clock.now().getTime() + multiplier * intervalSeconds * 1000);
    const outcome = await this.#sender.send(peer, {
      kind: 'Heartbeat',
      body: { offline_mode_at: toWireTime(offlineAt) },
    });
    peer.heartbeats.sent += 1;
    if (outcome.status === 'delivered') peer.heartbeats.delivered += 1;
    peer.heartbeats.lastOutcome = summarise(this.#clock.now(), outcome);
    this.#changed(peer);
    return outcome;
  }

  async #sendForecast(peer: Peer, forecast: ForecastInput): Promise<SendOutcome> {
    const requestId = newRequestId();
    // Known before sending: a compliance error may refer to it before our outcome is in.
    peer.sentForecasts.add(requestId);
    const outcome = await this.#sender.send(
      peer,
      {
        kind: 'UpdateGroupCapacityForecast',
        body: {
          group_id: peer.groupId,
          type: forecast.type,
          forecasted_blocks: toWireBlocks(forecast.blocks),
        },
      },
      { requestId },
    );
    peer.forecasts.sent += 1;
    if (outcome.status === 'delivered') peer.forecasts.delivered += 1;
    peer.forecasts.lastOutcome = summarise(this.#clock.now(), outcome);
    this.#changed(peer);
    return outcome;
  }

  async #runSchedule(peer: Peer, options: ForecastScheduleOptions): Promise<SendOutcome[]> {
    const blockMinutes = options.blockMinutes ?? 15;
    const horizon = {
      from: alignDown(this.#clock.now(), blockMinutes),
      hours: options.hours ?? 24,
      blockMinutes,
      unit: options.unit ?? 'KW',
      phase: options.phase ?? 'ALL',
    };
    const gap =
      options.gapAfterHours === undefined
        ? {}
        : { gap: { afterHours: options.gapAfterHours, minutes: options.gapMinutes ?? 60 } };
    const main = options.zero
      ? zeroProtectiveForecast({ ...horizon, ...gap, type: options.type ?? 'CONSUMPTION' })
      : rollingForecast({
          ...horizon,
          ...gap,
          capacity: options.capacity ?? 0,
          type: options.type ?? 'CONSUMPTION',
        });
    const outcomes = [await this.#sendForecast(peer, main)];
    if (options.includeFallback) {
      const fallback = rollingForecast({
        ...horizon,
        capacity: options.includeFallback.capacity,
        type: 'FALLBACK_CONSUMPTION',
      });
      outcomes.push(await this.#sendForecast(peer, fallback));
    }
    if (peer.forecasts.schedule) peer.forecasts.schedule.runs += 1;
    this.#changed(peer);
    return outcomes;
  }

  #stopTimers(peer: Peer): void {
    peer.heartbeats.timer?.stop();
    peer.heartbeats.timer = undefined;
    peer.forecasts.schedule?.timer.stop();
    peer.forecasts.schedule = undefined;
  }
}

function validatePeerConfig(config: PeerConfig): void {
  const bad = (message: string) => new SimError(400, message);
  if (typeof config.groupId !== 'string' || config.groupId.trim() === '') {
    throw bad('groupId must not be empty');
  }
  if (!PEER_MODES.includes(config.mode)) {
    throw bad(`mode must be one of ${PEER_MODES.join(', ')}`);
  }
  if (config.fpBaseUrl !== undefined && !isHttpUrl(config.fpBaseUrl)) {
    throw bad('fpBaseUrl must be an absolute http(s) URL');
  }
  if (config.mode === 'VECTOR') {
    if (!config.oauth?.clientId || !config.oauth.clientSecret) {
      throw bad('VECTOR peers need oauth.clientId and oauth.clientSecret');
    }
    if (config.initialTokenForFp !== undefined || config.initialTokenFromFp !== undefined) {
      throw bad('VECTOR peers have no Register tokens: use oauth');
    }
    if (config.oauth.fpTokenUrl !== undefined && !isHttpUrl(config.oauth.fpTokenUrl)) {
      throw bad('oauth.fpTokenUrl must be an absolute http(s) URL');
    }
  } else if (config.oauth !== undefined) {
    throw bad('oauth is only used by VECTOR peers');
  }
  for (const token of [config.initialTokenForFp, config.initialTokenFromFp]) {
    if (token !== undefined && (token.trim() === '' || /\s/.test(token))) {
      throw bad('tokens must be non-empty and contain no whitespace');
    }
  }
  for (const [field, headers] of [
    ['expectedStaticHeaders', config.expectedStaticHeaders],
    ['staticHeadersToSend', config.staticHeadersToSend],
  ] as const) {
    for (const name of Object.keys(headers ?? {})) {
      if (PROTOCOL_HEADERS.has(name.toLowerCase())) {
        throw bad(`${field}: ${name} is set by the OSCP protocol and cannot be a static header`);
      }
    }
  }
  if (config.heartbeatIntervalSeconds !== undefined) {
    if (!(
      Number.isFinite(config.heartbeatIntervalSeconds) && config.heartbeatIntervalSeconds >= 1
    )) {
      throw bad('heartbeatIntervalSeconds must be >= 1');
    }
  }
}

function checkSchedule(options: ForecastScheduleOptions): ForecastScheduleOptions {
  positive('everyMinutes', options.everyMinutes ?? 15);
  positive('hours', options.hours ?? 24);
  positive('blockMinutes', options.blockMinutes ?? 15);
  if (
    !options.zero &&
    !(options.capacity !== undefined && Number.isFinite(options.capacity) && options.capacity >= 0)
  ) {
    throw new SimError(400, 'capacity must be a number >= 0');
  }
  if (options.includeFallback && !(options.includeFallback.capacity >= 0)) {
    throw new SimError(400, 'includeFallback.capacity must be a number >= 0');
  }
  if (options.gapAfterHours !== undefined && !(options.gapAfterHours >= 0)) {
    throw new SimError(400, 'gapAfterHours must be >= 0');
  }
  return structuredClone(options);
}

function positive(name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new SimError(400, `${name} must be a number > 0 (got ${value})`);
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** A listening host as it goes in a URL: wildcard addresses become loopback, IPv6 in brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
