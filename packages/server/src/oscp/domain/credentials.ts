/**
 * Credentials WE issue to Capacity Providers (stored as hashes only):
 * - INITIAL_TOKEN: handed over out of band so the peer can Register first (register only);
 * - TOKEN: the token we sent in our Register; the peer calls us with `Token <it>`;
 * - OAUTH_CLIENT: client id + secret for our client-credentials token endpoint;
 * - ACCESS_TOKEN: issued by that endpoint, short-lived, presented as `Bearer <it>`.
 */
export type PeerCredentialKind = 'INITIAL_TOKEN' | 'TOKEN' | 'OAUTH_CLIENT' | 'ACCESS_TOKEN';
