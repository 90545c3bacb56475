import { randomBytes } from 'node:crypto';
import { SimError } from './errors';
import { Peer } from './peer';
import type { BehaviourSwitches, PeerConfig } from './types';

/** A fresh unguessable token: the OSCP digest leaves the format to the issuer. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

interface AccessToken {
  peer: Peer;
  expiresAt: number;
}

/**
 * The simulator's peers and every credential that leads to one: OSCP tokens we issued, OAuth
 * client ids, and access tokens from our token endpoint. All lookups are O(1) so a benchmark with
 * thousands of groups costs nothing per request.
 */
export class PeerRegistry {
  readonly #byId = new Map<string, Peer>();
  readonly #byGroup = new Map<string, Peer>();
  readonly #byToken = new Map<string, Peer>();
  readonly #byClientId = new Map<string, Peer>();
  readonly #accessTokens = new Map<string, AccessToken>();
  #seq = 0;

  add(config: PeerConfig, switches: Required<BehaviourSwitches>): Peer {
    if (this.#byGroup.has(config.groupId)) {
      throw new SimError(409, `a peer for group ${config.groupId} already exists`);
    }
    const initial =
      config.mode === 'OSCP_TOKEN' ? (config.initialTokenForFp ?? newToken()) : undefined;
    if (initial !== undefined && this.#byToken.has(initial)) {
      throw new SimError(409, 'initialTokenForFp is already used by another peer');
    }
    const clientId = config.oauth?.clientId;
    if (clientId !== undefined && this.#byClientId.has(clientId)) {
      throw new SimError(409, `OAuth client ${clientId} is already used by another peer`);
    }
    this.#seq += 1;
    const peer = new Peer(`peer-${this.#seq}`, config, switches, initial);
    this.#byId.set(peer.id, peer);
    this.#byGroup.set(peer.groupId, peer);
    if (initial !== undefined) this.grantToken(peer, initial);
    if (clientId !== undefined) this.#byClientId.set(clientId, peer);
    return peer;
  }

  remove(peer: Peer): void {
    this.#byId.delete(peer.id);
    this.#byGroup.delete(peer.groupId);
    for (const token of peer.validTokens) this.#byToken.delete(token);
    peer.validTokens.clear();
    if (peer.config.oauth) this.#byClientId.delete(peer.config.oauth.clientId);
    for (const [token, grant] of this.#accessTokens) {
      if (grant.peer === peer) this.#accessTokens.delete(token);
    }
  }

  /** By peer id, or by group id when no peer has that id. */
  find(idOrGroup: string): Peer | undefined {
    return this.#byId.get(idOrGroup) ?? this.#byGroup.get(idOrGroup);
  }

  get(idOrGroup: string): Peer {
    const peer = this.find(idOrGroup);
    if (!peer) throw new SimError(404, `no peer ${idOrGroup}`);
    return peer;
  }

  all(): Peer[] {
    return [...this.#byId.values()];
  }

  get size(): number {
    return this.#byId.size;
  }

  peerForToken(token: string): Peer | undefined {
    return this.#byToken.get(token);
  }

  grantToken(peer: Peer, token: string): void {
    peer.validTokens.add(token);
    this.#byToken.set(token, peer);
  }

  /** After a completed exchange only the latest token we issued is accepted. */
  revokeTokensExcept(peer: Peer, keep: string): void {
    for (const token of peer.validTokens) {
      if (token === keep) continue;
      peer.validTokens.delete(token);
      this.#byToken.delete(token);
    }
  }

  peerForClient(clientId: string): Peer | undefined {
    return this.#byClientId.get(clientId);
  }

  issueAccessToken(peer: Peer, now: Date, ttlSeconds: number): string {
    const token = newToken();
    this.#accessTokens.set(token, { peer, expiresAt: now.getTime() + ttlSeconds * 1000 });
    if (this.#accessTokens.size > 4 * this.#byId.size + 100) this.#pruneAccessTokens(now);
    return token;
  }

  peerForAccessToken(token: string, now: Date): Peer | undefined {
    const grant = this.#accessTokens.get(token);
    if (!grant) return undefined;
    if (grant.expiresAt <= now.getTime()) {
      this.#accessTokens.delete(token);
      return undefined;
    }
    return grant.peer;
  }

  #pruneAccessTokens(now: Date): void {
    for (const [token, grant] of this.#accessTokens) {
      if (grant.expiresAt <= now.getTime()) this.#accessTokens.delete(token);
    }
  }
}
