import type { HandshakeAcknowledge } from '@openvelope/oscp';
import { receiveWithin, type InboundCall, type InboundDeps } from './receive';

/** The peer acknowledges the handshake we sent (Vector: either side may start). */
export function receiveHandshakeAcknowledge(
  deps: InboundDeps,
  call: InboundCall,
  body: HandshakeAcknowledge,
) {
  return receiveWithin(deps, call, async (trx, connection, now) => {
    const { decision } = await deps.handler.lifecycle(
      trx,
      connection,
      { type: 'ReceiveHandshakeAcknowledge', correlationId: call.correlationId, body },
      now,
    );
    return decision.refusal;
  });
}
