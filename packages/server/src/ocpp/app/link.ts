/**
 * How the app reaches a charger connected to this instance: the WebSocket edge implements it.
 * Only the instance that holds a charger's socket can call it; everything else goes through the
 * database (ADR 0023).
 */
export type CallOutcome =
  | { kind: 'RESULT'; result: Record<string, unknown> }
  | { kind: 'ERROR'; code: string; message: string }
  | { kind: 'TIMEOUT' }
  | { kind: 'NOT_CONNECTED' };

export interface ChargePointLink {
  call(
    chargerId: string,
    connectionId: string,
    action: string,
    payload: Record<string, unknown>,
  ): Promise<CallOutcome>;
}
