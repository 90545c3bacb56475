import { randomUUID } from 'node:crypto';
import { receiveWithin, type InboundCall, type InboundDeps } from './receive';

/**
 * A peer's Register: its reply to ours (authenticated with the token we sent), or its first move
 * (authenticated with an initial token we issued), which we answer by registering back.
 */
export function receiveRegister(deps: InboundDeps, call: InboundCall, raw: unknown) {
  return receiveWithin(deps, call, 'Register', raw, async (trx, connection, body, now) => {
    const { decision } = await deps.handler.lifecycle(
      trx,
      connection,
      {
        type: 'ReceiveRegister',
        credential: call.principal.credential,
        requestId: call.requestId,
        body,
        replyRequestId: randomUUID(),
        handshakeRequestId: randomUUID(),
      },
      now,
    );
    return decision.refusal;
  });
}
