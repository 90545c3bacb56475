/** One line each: what the tolerance lets through, so it is switched on only for a peer that needs it. */
export const INTEROPERABILITY_EXPLAINED = {
  acceptRelativeBaseUrl:
    'Accept a relative base_url in the peer’s Register, resolved against its configured URL.',
  acknowledgementPath:
    'Where we send our HandshakeAcknowledge: OSCP’s handshake_acknowledge, or a spelling the peer uses instead.',
  assumeUtcWithoutOffset:
    'Read the peer’s date-times without an offset as UTC instead of refusing its message.',
  noPeerHeartbeats:
    'The peer never sends heartbeats by design: its liveness is not tracked, so it never counts as offline.',
} as const;
