import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  bearerAuthorization,
  formatAuthorization,
  getHeader,
  newRequestId,
  parseAuthorization,
  parseSegmentHeaders,
  readMessageId,
  secretsMatch,
  tokenAuthorization,
} from './headers';

describe('Authorization', () => {
  it('builds Token and Bearer headers', () => {
    expect(tokenAuthorization('abc123')).toBe('Token abc123');
    expect(bearerAuthorization('eyJ.x.y')).toBe('Bearer eyJ.x.y');
    expect(formatAuthorization('Token', 'a b')).toBe('Token a b');
  });

  it('refuses credentials that cannot be sent', () => {
    expect(() => tokenAuthorization('')).toThrow(TypeError);
    expect(() => tokenAuthorization('  ')).toThrow(TypeError);
    expect(() => bearerAuthorization('abc\r\nX-Evil: 1')).toThrow(TypeError);
  });

  it('parses what it builds, scheme case-insensitively', () => {
    expect(parseAuthorization(tokenAuthorization('abc123'))).toEqual({
      ok: true,
      value: { scheme: 'Token', credential: 'abc123' },
    });
    expect(parseAuthorization('  bearer   eyJ.x.y  ')).toEqual({
      ok: true,
      value: { scheme: 'Bearer', credential: 'eyJ.x.y' },
    });
    expect(parseAuthorization('TOKEN a b')).toEqual({
      ok: true,
      value: { scheme: 'Token', credential: 'a b' },
    });
  });

  it('tells missing, unsupported and empty apart', () => {
    for (const missing of [undefined, null, '', '   ']) {
      expect(parseAuthorization(missing)).toMatchObject({ ok: false, error: 'missing' });
    }
    expect(parseAuthorization('Basic dXNlcjpwdw==')).toEqual({
      ok: false,
      error: 'unsupported_scheme',
      message: 'Authorization scheme "Basic" is not supported (use Token or Bearer)',
    });
    expect(parseAuthorization('abc123')).toMatchObject({ ok: false, error: 'unsupported_scheme' });
    expect(parseAuthorization('Token')).toEqual({
      ok: false,
      error: 'empty_credential',
      message: 'Authorization Token credential is empty',
    });
    expect(parseAuthorization('Bearer   ')).toMatchObject({ ok: false, error: 'empty_credential' });
  });
});

describe('getHeader', () => {
  it('is case-insensitive on plain records, fetch Headers and Node requests', () => {
    const record = { 'x-request-id': 'r1', 'X-Segment-Index': '2' };
    expect(getHeader(record, 'X-Request-ID')).toBe('r1');
    expect(getHeader(record, 'x-segment-index')).toBe('2');
    expect(getHeader(record, 'X-Correlation-ID')).toBeUndefined();

    const fetchHeaders = new Headers({ 'X-Request-ID': 'r2' });
    expect(getHeader(fetchHeaders, 'x-request-id')).toBe('r2');
    expect(getHeader(fetchHeaders, 'x-correlation-id')).toBeUndefined();

    const nodeHeaders: IncomingHttpHeaders = { 'x-correlation-id': 'c3', 'set-cookie': ['a', 'b'] };
    expect(getHeader(nodeHeaders, 'X-Correlation-ID')).toBe('c3');
  });

  it('joins repeated values and skips undefined ones', () => {
    expect(getHeader({ 'X-A': ['1', '2'] }, 'x-a')).toBe('1, 2');
    expect(getHeader({ 'x-a': undefined, 'X-A': 'later' }, 'x-a')).toBe('later');
  });
});

describe('newRequestId', () => {
  it('returns distinct random UUIDs', () => {
    const ids = Array.from({ length: 100 }, newRequestId);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('parseSegmentHeaders', () => {
  it('returns null for an unsegmented message', () => {
    expect(parseSegmentHeaders({ 'x-request-id': 'r' })).toEqual({ ok: true, value: null });
  });

  it('reads both headers, whatever their case', () => {
    expect(parseSegmentHeaders({ 'x-segment-index': '1', 'X-SEGMENT-COUNT': ' 3 ' })).toEqual({
      ok: true,
      value: { index: 1, count: 3 },
    });
    expect(
      parseSegmentHeaders(new Headers({ 'X-Segment-Index': '3', 'X-Segment-Count': '3' })),
    ).toEqual({
      ok: true,
      value: { index: 3, count: 3 },
    });
  });

  it('requires both or neither', () => {
    expect(parseSegmentHeaders({ 'X-Segment-Index': '1' })).toEqual({
      ok: false,
      error: 'incomplete',
      message: 'X-Segment-Count is required when the other segment header is present',
    });
    expect(parseSegmentHeaders({ 'X-Segment-Count': '2' })).toMatchObject({
      ok: false,
      error: 'incomplete',
      message: expect.stringMatching(/^X-Segment-Index /),
    });
  });

  it('requires positive integers', () => {
    for (const bad of ['0', '-1', '1.5', '', 'one', '01', '1e3', '99999999999999999999']) {
      expect(
        parseSegmentHeaders({ 'X-Segment-Index': bad, 'X-Segment-Count': '5' }),
        bad,
      ).toMatchObject({
        ok: false,
        error: 'not_positive_integer',
        message: `X-Segment-Index must be a positive integer (got ${JSON.stringify(bad)})`,
      });
    }
    expect(parseSegmentHeaders({ 'X-Segment-Index': '1', 'X-Segment-Count': '0' })).toMatchObject({
      ok: false,
      error: 'not_positive_integer',
      message: expect.stringMatching(/^X-Segment-Count /),
    });
  });

  it('rejects an index beyond the count', () => {
    expect(parseSegmentHeaders({ 'X-Segment-Index': '4', 'X-Segment-Count': '3' })).toEqual({
      ok: false,
      error: 'index_exceeds_count',
      message: 'X-Segment-Index 4 exceeds X-Segment-Count 3',
    });
  });
});

describe('secretsMatch', () => {
  it('is true only for the same credential, whatever the lengths', () => {
    expect(secretsMatch('k-GRP1', 'k-GRP1')).toBe(true);
    expect(secretsMatch('k-GRP1', 'k-GRP2')).toBe(false);
    expect(secretsMatch('k-GRP1', 'k-GRP10')).toBe(false);
    expect(secretsMatch('', 'x')).toBe(false);
    expect(secretsMatch('ünïcode', 'ünïcode')).toBe(true);
  });
});

describe('readMessageId', () => {
  it('reads an id, treats an empty one as absent, and refuses one over 128 characters', () => {
    expect(readMessageId({ 'x-request-id': ' abc ' }, 'X-Request-ID')).toEqual({
      ok: true,
      value: 'abc',
    });
    expect(readMessageId({ 'x-request-id': '' }, 'X-Request-ID')).toEqual({
      ok: true,
      value: undefined,
    });
    expect(readMessageId({}, 'X-Correlation-ID')).toEqual({ ok: true, value: undefined });
    expect(readMessageId({ 'x-request-id': 'r'.repeat(128) }, 'X-Request-ID').ok).toBe(true);
    expect(readMessageId({ 'x-request-id': 'r'.repeat(3000) }, 'X-Request-ID')).toEqual({
      ok: false,
      error: 'too_long',
      message: 'X-Request-ID must be at most 128 characters (got 3000)',
    });
  });
});
