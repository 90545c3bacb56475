import { randomUUID, timingSafeEqual } from 'node:crypto';
import { MAX_MESSAGE_ID_LENGTH } from './bounds';

export const AUTHORIZATION_HEADER = 'Authorization';
/** Unique per message; a retry of the same message reuses it so the receiver can de-duplicate. */
export const REQUEST_ID_HEADER = 'X-Request-ID';
/** On a message that answers another: the answered message's X-Request-ID. */
export const CORRELATION_ID_HEADER = 'X-Correlation-ID';
export const SEGMENT_INDEX_HEADER = 'X-Segment-Index';
export const SEGMENT_COUNT_HEADER = 'X-Segment-Count';
/** Non-standard human-readable error some peers (SolarNetwork) send instead of a JSON body. */
export const ERROR_MESSAGE_HEADER = 'X-Error-Message';

/** `Token` is OSCP's scheme; `Bearer` carries OAuth 2.0 access tokens for peers that use OAuth. */
export type AuthScheme = 'Token' | 'Bearer';

export interface Authorization {
  scheme: AuthScheme;
  credential: string;
}

/** Fetch `Headers`, Node's `IncomingHttpHeaders`, or a plain record. */
export type HeaderSource =
  Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export type HeaderResult<T, E extends string> =
  { ok: true; value: T } | { ok: false; error: E; message: string };

export function newRequestId(): string {
  return randomUUID();
}

/** `Token <token>` or `Bearer <token>`. Throws on a credential that cannot go in a header. */
export function formatAuthorization(scheme: AuthScheme, credential: string): string {
  if (credential.trim() === '') throw new TypeError(`${scheme} credential must not be empty`);
  // CR/LF would split the header; other control characters are refused by HTTP stacks anyway.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(credential)) {
    throw new TypeError(`${scheme} credential contains control characters`);
  }
  return `${scheme} ${credential}`;
}

export const tokenAuthorization = (token: string): string => formatAuthorization('Token', token);
export const bearerAuthorization = (token: string): string => formatAuthorization('Bearer', token);

export type AuthorizationError = 'missing' | 'unsupported_scheme' | 'empty_credential';

/**
 * Reads an Authorization header. The scheme is matched case-insensitively (RFC 9110) and returned in
 * its canonical spelling. Servers answer `missing` with 401 and the other errors with 403.
 */
export function parseAuthorization(
  value: string | null | undefined,
): HeaderResult<Authorization, AuthorizationError> {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') {
    return { ok: false, error: 'missing', message: 'Authorization header is missing' };
  }
  const space = trimmed.search(/\s/);
  const word = space === -1 ? trimmed : trimmed.slice(0, space);
  const credential = space === -1 ? '' : trimmed.slice(space).trim();
  const scheme = canonicalScheme(word);
  if (scheme === undefined) {
    return {
      ok: false,
      error: 'unsupported_scheme',
      message: `Authorization scheme ${JSON.stringify(word)} is not supported (use Token or Bearer)`,
    };
  }
  if (credential === '') {
    return {
      ok: false,
      error: 'empty_credential',
      message: `Authorization ${scheme} credential is empty`,
    };
  }
  return { ok: true, value: { scheme, credential } };
}

function canonicalScheme(word: string): AuthScheme | undefined {
  switch (word.toLowerCase()) {
    case 'token':
      return 'Token';
    case 'bearer':
      return 'Bearer';
    default:
      return undefined;
  }
}

/** Case-insensitive header lookup; repeated values are joined with `, ` as Node does. */
export function getHeader(headers: HeaderSource, name: string): string | undefined {
  if (isFetchHeaders(headers)) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return typeof value === 'string' ? value : value.join(', ');
  }
  return undefined;
}

function isFetchHeaders(headers: HeaderSource): headers is Headers {
  return typeof (headers as Headers).get === 'function';
}

/**
 * Reads X-Request-ID or X-Correlation-ID: `undefined` when absent or empty. An id longer than
 * MAX_MESSAGE_ID_LENGTH is refused before anyone stores or quotes it.
 */
export function readMessageId(
  headers: HeaderSource,
  name: typeof REQUEST_ID_HEADER | typeof CORRELATION_ID_HEADER,
): HeaderResult<string | undefined, 'too_long'> {
  const value = getHeader(headers, name)?.trim();
  if (!value) return { ok: true, value: undefined };
  if (value.length > MAX_MESSAGE_ID_LENGTH)
    return {
      ok: false,
      error: 'too_long',
      message: `${name} must be at most ${MAX_MESSAGE_ID_LENGTH} characters (got ${value.length})`,
    };
  return { ok: true, value };
}

export interface Segment {
  /** 1-based position of this segment. */
  index: number;
  count: number;
}

export type SegmentError = 'incomplete' | 'not_positive_integer' | 'index_exceeds_count';

/**
 * Reads X-Segment-Index / X-Segment-Count. `value: null` means the message is not segmented. We
 * never split messages ourselves; a receiver uses this to reject or reassemble segmented ones.
 */
export function parseSegmentHeaders(
  headers: HeaderSource,
): HeaderResult<Segment | null, SegmentError> {
  const rawIndex = getHeader(headers, SEGMENT_INDEX_HEADER);
  const rawCount = getHeader(headers, SEGMENT_COUNT_HEADER);
  if (rawIndex === undefined && rawCount === undefined) return { ok: true, value: null };
  if (rawIndex === undefined || rawCount === undefined) {
    const missing = rawIndex === undefined ? SEGMENT_INDEX_HEADER : SEGMENT_COUNT_HEADER;
    return {
      ok: false,
      error: 'incomplete',
      message: `${missing} is required when the other segment header is present`,
    };
  }
  const index = positiveInteger(rawIndex);
  const count = positiveInteger(rawCount);
  if (index === undefined || count === undefined) {
    const [name, raw] =
      index === undefined ? [SEGMENT_INDEX_HEADER, rawIndex] : [SEGMENT_COUNT_HEADER, rawCount];
    return {
      ok: false,
      error: 'not_positive_integer',
      message: `${name} must be a positive integer (got ${JSON.stringify(raw)})`,
    };
  }
  if (index > count) {
    return {
      ok: false,
      error: 'index_exceeds_count',
      message: `${SEGMENT_INDEX_HEADER} ${index} exceeds ${SEGMENT_COUNT_HEADER} ${count}`,
    };
  }
  return { ok: true, value: { index, count } };
}

function positiveInteger(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^[1-9]\d*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Compares a presented credential (a token, a static header's value, a client secret) with the
 * expected one in constant time, so response times do not reveal how much of it was right.
 */
export function secretsMatch(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
