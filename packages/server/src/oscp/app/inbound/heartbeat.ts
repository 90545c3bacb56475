import { randomUUID } from 'node:crypto';
import { receiveWithin, type InboundCall, type InboundDeps } from './receive';

/** A heartbeat keeps the peer ONLINE until its offline_mode_at, when a liveness check is due. */
export function receiveHeartbeat(deps: InboundDeps, call: InboundCall, raw: unknown) {
  return receiveWithin(deps, call, 'Heartbeat', raw, async (trx, connection, body, now) => {
    const { decision } = await deps.handler.lifecycle(
      trx,
      connection,
      {
        type: 'ReceiveHeartbeat',
        offlineModeAt: new Date(body.offline_mode_at),
        handshakeRequestId: randomUUID(),
      },
      now,
    );
    return decision.refusal;
  });
}
