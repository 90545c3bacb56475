/** Secrets the lifecycle writes itself (tokens learned or issued during registration). */
export const peerTokenSecret = (connectionId: string) => `oscp-${connectionId}-peer-token`;
export const tokenForPeerSecret = (connectionId: string) => `oscp-${connectionId}-token-for-peer`;

/**
 * A body value `{ "$secret": name }` is replaced by the secret's value at send time, so no secret
 * sits in the outbox or in an event.
 */
export const secretPlaceholder = (name: string) => ({ $secret: name });
