import { receiveWithin, type InboundCall, type InboundDeps } from './receive';

/** The peer acknowledges the handshake we sent (Vector: either side may start). */
export function receiveHandshakeAcknowledge(deps: InboundDeps, call: InboundCall, raw: unknown) {
  return receiveWithin(
    deps,
    call,
    'HandshakeAcknowledge',
    raw,
    async (trx, connection, body, now) => {
      const { decision } = await deps.handler.lifecycle(
        trx,
        connection,
        { type: 'ReceiveHandshakeAcknowledge', correlationId: call.correlationId, body },
        now,
      );
      return decision.refusal;
    },
  );
}
