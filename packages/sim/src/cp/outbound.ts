import { OSCP_MESSAGES, endpointUrl, newRequestId } from '@openvelope/oscp';
import type { OscpClient, OscpMessage, OscpPeer, SendOutcome } from '@openvelope/oscp';
import type { OAuthTokenSource } from './oauth';
import type { Peer } from './peer';
import type { Recorder } from './recorder';
import type { SimClock, SimLogger } from './types';

/** Every date-time written as local time, without its offset (`…T09:00:00`, not `…T09:00:00Z`). */
function withoutOffsets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutOffsets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(v)
        ? v.replace(/(Z|[+-]\d{2}:\d{2})$/, '')
        : withoutOffsets(v),
    ]),
  );
}

export interface OutboundOptions {
  requestId?: string;
  correlationId?: string;
  /** OSCP_TOKEN: use this token instead of the peer's current one (initial Register). */
  token?: string;
}

/**
 * Sends OSCP messages to FP peers through the wire library's client: the peer's base URL, the
 * right Authorization for its mode, its static headers. Every attempt is recorded with its outcome.
 */
export class OutboundSender {
  readonly #inFlight = new Set<Promise<SendOutcome>>();

  constructor(
    private readonly deps: {
      client: OscpClient;
      tokens: OAuthTokenSource;
      recorder: Recorder;
      clock: SimClock;
      log?: SimLogger;
    },
  ) {}

  send(peer: Peer, message: OscpMessage, options: OutboundOptions = {}): Promise<SendOutcome> {
    const promise = this.#send(peer, message, options);
    this.#inFlight.add(promise);
    void promise.finally(() => this.#inFlight.delete(promise));
    return promise;
  }

  /** Resolves once every send started so far has finished. */
  async settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #send(peer: Peer, given: OscpMessage, options: OutboundOptions): Promise<SendOutcome> {
    const requestId = options.requestId ?? newRequestId();
    const at = this.deps.clock.now();
    const message = peer.switches.localTimes
      ? ({ ...given, body: withoutOffsets(given.body) } as OscpMessage)
      : given;
    const outcome = await this.#attempt(peer, message, requestId, options);
    this.deps.recorder.outbound({
      at: at.toISOString(),
      endpoint: OSCP_MESSAGES[message.kind].endpoint,
      peerId: peer.id,
      requestId,
      ...(options.correlationId === undefined ? {} : { correlationId: options.correlationId }),
      body: message.body,
      outcome,
    });
    if (outcome.status !== 'delivered') {
      this.deps.log?.warn(
        { peer: peer.id, group: peer.groupId, kind: message.kind, outcome },
        'outbound OSCP message not delivered',
      );
    }
    return outcome;
  }

  async #attempt(
    peer: Peer,
    message: OscpMessage,
    requestId: string,
    options: OutboundOptions,
  ): Promise<SendOutcome> {
    const invalid = (why: string): SendOutcome => ({
      status: 'invalid',
      url: peer.fpBaseUrl ? endpointUrl(peer.fpBaseUrl, message.kind) : '',
      requestId,
      message: why,
    });
    if (!peer.fpBaseUrl) return invalid('the FP base URL is not known yet');

    let authorization: OscpPeer['authorization'];
    if (peer.mode === 'VECTOR') {
      const token = await this.deps.tokens.accessToken(peer, requestId);
      if (!token.ok) return token.outcome;
      authorization = { scheme: 'Bearer', token: token.token };
    } else {
      const token = options.token ?? peer.tokenFromFp;
      if (token === undefined) {
        return invalid('no token to call the FP with (no Register from it, no initialTokenFromFp)');
      }
      authorization = { scheme: 'Token', token };
    }

    const outcome = await this.deps.client.send(
      {
        baseUrl: peer.fpBaseUrl,
        authorization,
        ...(peer.config.staticHeadersToSend
          ? { staticHeaders: peer.config.staticHeadersToSend }
          : {}),
      },
      message,
      {
        requestId,
        ...(options.correlationId === undefined ? {} : { correlationId: options.correlationId }),
        // Local date-times and relative URLs break OSCP's schema on purpose: send them as they are.
        ...(peer.switches.localTimes || peer.switches.relativeBaseUrl ? { unchecked: true } : {}),
      },
    );
    // A refused access token may have been revoked early: get a new one next time.
    if (peer.mode === 'VECTOR' && outcome.status === 'rejected' && outcome.httpStatus === 401) {
      this.deps.tokens.invalidate(peer);
    }
    return outcome;
  }
}
