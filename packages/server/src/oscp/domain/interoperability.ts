import type { MessageKind } from '@openvelope/oscp';
import type { ConnectionProfile } from './connection-profile';

/**
 * What a connection's interoperability settings tolerate in a peer's message, applied before the
 * message is checked against OSCP's schema. With every setting off (the default) the body is
 * returned unchanged, so a standard peer is held to the standard.
 */

/** A date-time without an offset, as some peers write them: 2026-03-02T09:00[:00[.000]]. */
const WITHOUT_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;

/** The date-time fields of the messages a Capacity Provider sends us. */
const DATE_TIME_FIELDS = new Set([
  'start_time',
  'end_time',
  'offline_mode_at',
  'measure_time',
  'initial_measure_time',
]);

function withUtcOffsets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withUtcOffsets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      DATE_TIME_FIELDS.has(key) && typeof v === 'string' && WITHOUT_OFFSET.test(v)
        ? `${v}Z`
        : withUtcOffsets(v),
    ]),
  );
}

/**
 * A relative base URL resolved against the peer's configured URL: a path from its origin when it
 * starts with a slash, else below the configured URL.
 */
export function resolvedBaseUrl(baseUrl: string, peerBaseUrl: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(baseUrl)) return baseUrl;
  try {
    const base = new URL(peerBaseUrl.endsWith('/') ? peerBaseUrl : `${peerBaseUrl}/`);
    return new URL(baseUrl, baseUrl.startsWith('/') ? base.origin : base)
      .toString()
      .replace(/\/+$/, '');
  } catch {
    return baseUrl;
  }
}

function withAbsoluteBaseUrls(body: unknown, peerBaseUrl: string): unknown {
  if (body === null || typeof body !== 'object' || !('version_url' in body)) return body;
  const register = body as { version_url: unknown };
  if (!Array.isArray(register.version_url)) return body;
  return {
    ...register,
    version_url: register.version_url.map((v: unknown) =>
      v !== null &&
      typeof v === 'object' &&
      typeof (v as { base_url?: unknown }).base_url === 'string'
        ? { ...v, base_url: resolvedBaseUrl((v as { base_url: string }).base_url, peerBaseUrl) }
        : v,
    ),
  };
}

export function toleratedBody(
  kind: MessageKind,
  body: unknown,
  profile: Pick<ConnectionProfile, 'interoperability' | 'peerBaseUrl'>,
): unknown {
  const { interoperability } = profile;
  let tolerated = body;
  if (interoperability.assumeUtcWithoutOffset) tolerated = withUtcOffsets(tolerated);
  if (interoperability.acceptRelativeBaseUrl && kind === 'Register')
    tolerated = withAbsoluteBaseUrls(tolerated, profile.peerBaseUrl);
  return tolerated;
}
