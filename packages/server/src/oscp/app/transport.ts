import {
  createOscpClient,
  type MessageKind,
  type OscpClient,
  type OscpMessage,
} from '@openvelope/oscp';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db/database';
import type { DeliveryOutcome, Transport } from '../../platform/outbox/dispatcher';
import type { OutboundMessage } from '../../platform/outbox/outbox';
import type { SecretStore } from '../../platform/secrets/secret-store';
import type { ConnectionProfile } from '../domain/connection-profile';
import * as projection from '../store/connection-projection';
import { OAuthTokenCache } from './oauth-client';
import { peerTokenSecret } from '../domain/secret-names';

class MissingSecret extends Error {}

async function resolveSecrets(
  value: unknown,
  reveal: (name: string) => Promise<string | undefined>,
): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveSecrets(v, reveal)));
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.$secret === 'string' && Object.keys(record).length === 1) {
      const secret = await reveal(record.$secret);
      if (secret === undefined) throw new MissingSecret(`secret "${record.$secret}" is not set`);
      return secret;
    }
    const entries = await Promise.all(
      Object.entries(record).map(async ([k, v]) => [k, await resolveSecrets(v, reveal)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

function parseHeaders(json: string | undefined, name: string): Record<string, string> {
  if (!json) return {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
    }
  } catch {
    // fall through to the error below
  }
  throw new MissingSecret(`secret "${name}" must be a JSON object of header names to values`);
}

/** A peer that takes our acknowledgement at another spelling of its path (interoperability). */
function endpointFor(kind: string, profile: ConnectionProfile): { endpoint?: string } {
  const path = profile.interoperability.acknowledgementPath;
  return kind === 'HandshakeAcknowledge' && path !== 'handshake_acknowledge'
    ? { endpoint: path }
    : {};
}

/**
 * The dispatcher's transport for OSCP: finds the connection's peer (the base URL learned at
 * registration, else the configured one) and its credentials (token exchange: the peer's token,
 * or the initial token before registration; OAuth: a cached access token plus static headers),
 * fills secrets into the body, and sends with the shared OSCP client.
 */
export function createOscpTransport(deps: {
  db: Db;
  secrets: SecretStore;
  clock: Clock;
  timeoutMs: number;
  fetch?: typeof fetch;
}): Transport & { client: OscpClient; oauth: OAuthTokenCache } {
  const client = createOscpClient({
    timeoutMs: deps.timeoutMs,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const oauth = new OAuthTokenCache(deps.clock, deps.timeoutMs, deps.fetch);
  const reveal = (name: string) => deps.secrets.reveal(deps.db, name);

  async function authorization(connectionId: string, profile: ConnectionProfile) {
    const refs = profile.authReferences;
    if (profile.authMode === 'OSCP_TOKEN') {
      const token =
        (await reveal(peerTokenSecret(connectionId))) ??
        (refs.initialToken ? await reveal(refs.initialToken) : undefined);
      if (!token)
        throw new MissingSecret(
          `the initial token secret "${refs.initialToken ?? '(no name set)'}" is not set`,
        );
      return { authorization: { scheme: 'Token' as const, token }, staticHeaders: {} };
    }
    const names = {
      tokenUrl: refs.tokenUrl,
      clientId: refs.clientId,
      clientSecret: refs.clientSecret,
    };
    const values: Record<string, string> = {};
    for (const [key, name] of Object.entries(names)) {
      const value = name ? await reveal(name) : undefined;
      if (!value)
        throw new MissingSecret(`the ${key} secret "${name ?? '(no name set)'}" is not set`);
      values[key] = value;
    }
    const staticHeaders = refs.staticHeaders
      ? parseHeaders(await reveal(refs.staticHeaders), refs.staticHeaders)
      : {};
    const token = await oauth.token(connectionId, {
      tokenUrl: values.tokenUrl!,
      clientId: values.clientId!,
      clientSecret: values.clientSecret!,
    });
    return { authorization: { scheme: 'Bearer' as const, token }, staticHeaders };
  }

  const transport = async (message: OutboundMessage): Promise<DeliveryOutcome> => {
    const row = await projection.findConnection(deps.db, message.connectionId);
    if (!row)
      return { status: 'invalid', message: `connection ${message.connectionId} no longer exists` };
    const baseUrl = row.lifecycle.registration.peerBaseUrl ?? row.profile.peerBaseUrl;
    let peer;
    let body: unknown;
    try {
      const auth = await authorization(row.id, row.profile);
      peer = { baseUrl, ...auth };
      body = await resolveSecrets(message.body, reveal);
    } catch (error) {
      if (error instanceof MissingSecret)
        return { status: 'invalid', message: error.message, url: baseUrl };
      const text = error instanceof Error ? error.message : String(error);
      return {
        status: 'failed',
        reason: 'network',
        message: `obtaining an access token failed: ${text}`,
        url: baseUrl,
      };
    }
    const outcome = await client.send(
      peer,
      { kind: message.kind as MessageKind, body } as OscpMessage,
      {
        requestId: message.requestId,
        ...(message.correlationId ? { correlationId: message.correlationId } : {}),
        ...endpointFor(message.kind, row.profile),
      },
    );
    if (
      outcome.status === 'rejected' &&
      outcome.httpStatus === 401 &&
      row.profile.authMode === 'OAUTH2_CLIENT_CREDENTIALS'
    ) {
      oauth.forget(row.id);
    }
    switch (outcome.status) {
      case 'delivered':
        return { status: 'delivered', httpStatus: outcome.httpStatus, url: outcome.url };
      case 'rejected':
        return {
          status: 'rejected',
          httpStatus: outcome.httpStatus,
          message: outcome.message,
          url: outcome.url,
          ...(outcome.body !== undefined ? { body: outcome.body } : {}),
        };
      case 'failed':
        return {
          status: 'failed',
          reason: outcome.reason,
          message: outcome.message,
          url: outcome.url,
          ...(outcome.httpStatus !== undefined ? { httpStatus: outcome.httpStatus } : {}),
          ...(outcome.body !== undefined ? { body: outcome.body } : {}),
        };
      case 'invalid':
        return { status: 'invalid', message: outcome.message, url: outcome.url };
    }
  };
  return Object.assign(transport, { client, oauth });
}
