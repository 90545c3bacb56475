import { randomUUID } from 'node:crypto';
import { receiveWithin, type InboundCall, type InboundDeps } from './receive';

/** The peer states what it requires; we acknowledge through the outbox, or refuse with 400. */
export function receiveHandshake(deps: InboundDeps, call: InboundCall, raw: unknown) {
  return receiveWithin(deps, call, 'Handshake', raw, async (trx, connection, body, now) => {
    const { decision } = await deps.handler.lifecycle(
      trx,
      connection,
      {
        type: 'ReceiveHandshake',
        requestId: call.requestId,
        body,
        acknowledgeRequestId: randomUUID(),
      },
      now,
    );
    return decision.refusal;
  });
}
