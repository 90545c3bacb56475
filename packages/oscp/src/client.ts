import { endpointUrl } from './endpoints';
import type { OscpMessage } from './endpoints';
import {
  AUTHORIZATION_HEADER,
  CORRELATION_ID_HEADER,
  ERROR_MESSAGE_HEADER,
  REQUEST_ID_HEADER,
  SEGMENT_COUNT_HEADER,
  SEGMENT_INDEX_HEADER,
  formatAuthorization,
} from './headers';
import type { AuthScheme } from './headers';
import { parseMessage } from './parse';

export interface OscpPeer {
  /** The peer's API root for the agreed version, e.g. `https://cp.example/oscp/cp/2.0`. */
  baseUrl: string;
  /** For `Token`, the token the *peer* issued to us. */
  authorization: { scheme: AuthScheme; token: string };
  /**
   * Extra headers a peer profile demands (e.g. an API key). They cannot replace the headers this
   * client owns (Content-Type, Authorization, X-Request-ID, X-Correlation-ID, segment headers):
   * entries with those names are ignored, so the request id we report is the one that was sent.
   */
  staticHeaders?: Readonly<Record<string, string>>;
}

export interface SendOptions {
  /** Unique per message; reuse it when retrying the same message so the peer can de-duplicate. */
  requestId: string;
  /** The X-Request-ID of the message this one answers (HandshakeAcknowledge, compliance error...). */
  correlationId?: string;
  /**
   * The path below the peer's base URL, when it is not OSCP's name for the message (a peer that
   * spells handshake_acknowledge differently).
   */
  endpoint?: string;
  /**
   * Send the body as given, unchecked: only for simulators that misbehave on purpose (a Capacity
   * Provider writing date-times without an offset, say).
   */
  unchecked?: boolean;
}

interface OutcomeBase {
  url: string;
  requestId: string;
}

/** The peer answered 2xx (OSCP expects 204). */
export interface DeliveredOutcome extends OutcomeBase {
  status: 'delivered';
  httpStatus: number;
  durationMs: number;
}

/** The peer answered 4xx: resending the same message will not help. */
export interface RejectedOutcome extends OutcomeBase {
  status: 'rejected';
  httpStatus: number;
  /** The peer's explanation, flattened to text whatever shape its error body had. */
  message: string;
  /** The start of the answer's body, as received, when it had one. */
  body?: string;
  durationMs: number;
}

export type FailureReason = 'server_error' | 'network' | 'timeout';

/**
 * No usable answer: 5xx (or a redirect, which we never follow), no connection, or no answer in
 * time. Worth retrying with the same request id; after a timeout the peer may have processed it.
 */
export interface FailedOutcome extends OutcomeBase {
  status: 'failed';
  reason: FailureReason;
  httpStatus?: number;
  message: string;
  /** The start of the answer's body, as received, when there was an answer with one. */
  body?: string;
  durationMs: number;
}

/** We refused to send (bad body, peer settings or options); nothing went over the wire. */
export interface InvalidOutcome extends OutcomeBase {
  status: 'invalid';
  message: string;
}

export type SendOutcome = DeliveredOutcome | RejectedOutcome | FailedOutcome | InvalidOutcome;

export interface OscpClientOptions {
  /** Defaults to the global fetch; injected by tests and by anything that needs a custom agent. */
  fetch?: typeof fetch;
  /** Whole request, body included. */
  timeoutMs: number;
  userAgent?: string;
}

export interface OscpClient {
  /** POSTs one message. Never throws: every result, including transport errors, is an outcome. */
  send(peer: OscpPeer, message: OscpMessage, options: SendOptions): Promise<SendOutcome>;
}

/** Longest peer-supplied message we keep; outcomes end up in logs and the UI. */
const MAX_MESSAGE_LENGTH = 500;

const OWN_HEADERS = new Set(
  [
    'Content-Type',
    AUTHORIZATION_HEADER,
    REQUEST_ID_HEADER,
    CORRELATION_ID_HEADER,
    SEGMENT_INDEX_HEADER,
    SEGMENT_COUNT_HEADER,
  ].map((name) => name.toLowerCase()),
);

export function createOscpClient(options: OscpClientOptions): OscpClient {
  const { timeoutMs, userAgent } = options;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive number (got ${timeoutMs})`);
  }
  const doFetch = options.fetch ?? globalThis.fetch;

  async function send(
    peer: OscpPeer,
    message: OscpMessage,
    { requestId, correlationId, endpoint, unchecked }: SendOptions,
  ): Promise<SendOutcome> {
    const url =
      endpoint === undefined
        ? endpointUrl(peer.baseUrl, message.kind)
        : `${peer.baseUrl.replace(/\/+$/, '')}/${endpoint}`;
    const invalid = (why: string): InvalidOutcome => ({
      status: 'invalid',
      url,
      requestId,
      message: why,
    });

    const parsed = unchecked
      ? ({ ok: true, value: message.body } as const)
      : parseMessage(message.kind, message.body);
    if (!parsed.ok) return invalid(`${message.kind} body is invalid: ${parsed.message}`);
    if (!isHttpUrl(url))
      return invalid(`peer base URL ${JSON.stringify(peer.baseUrl)} is not an http(s) URL`);
    if (requestId.trim() === '') return invalid('requestId must not be empty');
    if (correlationId !== undefined && correlationId.trim() === '') {
      return invalid('correlationId must not be empty when given');
    }

    let headers: Headers;
    try {
      headers = buildHeaders(peer, requestId, correlationId, userAgent);
    } catch (error) {
      // Headers/formatAuthorization throw TypeError for values that cannot be sent.
      return invalid(`cannot build request headers: ${errorText(error)}`);
    }

    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const signal = AbortSignal.timeout(timeoutMs);
    const failed = (reason: FailureReason, why: string, httpStatus?: number): FailedOutcome => ({
      status: 'failed',
      reason,
      ...(httpStatus === undefined ? {} : { httpStatus }),
      message: why,
      url,
      requestId,
      durationMs: elapsed(),
    });

    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(parsed.value),
        signal,
        // Following a redirect would re-send (or, for 301/302, silently drop) the body elsewhere.
        redirect: 'manual',
      });
    } catch (error) {
      return signal.aborted
        ? failed('timeout', `no response within ${timeoutMs} ms`)
        : failed('network', errorText(error));
    }

    const httpStatus = response.status;
    if (httpStatus >= 200 && httpStatus < 300) {
      await discardBody(response);
      return { status: 'delivered', httpStatus, url, requestId, durationMs: elapsed() };
    }
    if (httpStatus >= 300 && httpStatus < 400) {
      await discardBody(response);
      const location = response.headers.get('Location');
      return failed(
        'server_error',
        `redirect not followed${location ? ` (to ${location})` : ''}`,
        httpStatus,
      );
    }
    const { message: why, body } = await peerMessage(response);
    if (httpStatus >= 400 && httpStatus < 500) {
      return {
        status: 'rejected',
        httpStatus,
        message: why,
        ...(body !== undefined ? { body } : {}),
        url,
        requestId,
        durationMs: elapsed(),
      };
    }
    return { ...failed('server_error', why, httpStatus), ...(body !== undefined ? { body } : {}) };
  }

  return { send };
}

function buildHeaders(
  peer: OscpPeer,
  requestId: string,
  correlationId: string | undefined,
  userAgent: string | undefined,
): Headers {
  const headers = new Headers();
  if (userAgent !== undefined) headers.set('User-Agent', userAgent);
  for (const [name, value] of Object.entries(peer.staticHeaders ?? {})) {
    if (!OWN_HEADERS.has(name.toLowerCase())) headers.set(name, value);
  }
  headers.set('Content-Type', 'application/json');
  headers.set(
    AUTHORIZATION_HEADER,
    formatAuthorization(peer.authorization.scheme, peer.authorization.token),
  );
  headers.set(REQUEST_ID_HEADER, requestId);
  if (correlationId !== undefined) headers.set(CORRELATION_ID_HEADER, correlationId);
  return headers;
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The peer's explanation, whatever the shape of its error body: `{"message": "…"}` (OSCP), a list
 * of messages (NestJS: `{"message": ["base_url must be …"]}`), a nested object, an RFC 9457 problem
 * or OAuth error, or plain text; else X-Error-Message, else the status text. With the start of the
 * body as received, for the record.
 */
async function peerMessage(response: Response): Promise<{ message: string; body?: string }> {
  let text: string | undefined;
  try {
    text = await response.text();
  } catch {
    // The body could not be read before the timeout: fall back to headers.
  }
  const fromBody = text === undefined ? undefined : explanationIn(text);
  const message =
    nonBlank(fromBody) ??
    nonBlank(response.headers.get(ERROR_MESSAGE_HEADER)) ??
    nonBlank(response.statusText) ??
    `HTTP ${response.status}`;
  const body = nonBlank(text);
  return { message: cut(message), ...(body !== undefined ? { body: cut(body) } : {}) };
}

function explanationIn(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text.trim().startsWith('<') ? undefined : text;
  }
  if (typeof body === 'string') return body;
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  for (const key of ['message', 'error_description', 'detail', 'title', 'error']) {
    const flat = flatten(record[key]);
    if (flat) return flat;
  }
  return JSON.stringify(body);
}

/** A message that is a string, a list of them or a nested object, as one line of text. */
function flatten(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const parts = value.map(flatten).filter((p): p is string => !!p);
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  return JSON.stringify(value);
}

function cut(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : text;
}

/** Releases the connection; OSCP success responses carry nothing we need. */
async function discardBody(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Already closed or aborted: nothing to release.
  }
}

function nonBlank(text: string | null | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

/** `fetch failed: connect ECONNREFUSED 127.0.0.1:1234` rather than undici's bare "fetch failed". */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause ? `${error.message}: ${cause}` : error.message;
}
