/** Secrets the lifecycle writes itself (tokens learned or issued during registration). */
export const peerTokenSecret = (connectionId: string) => `oscp-${connectionId}-peer-token`;
export const tokenForPeerSecret = (connectionId: string) => `oscp-${connectionId}-token-for-peer`;
