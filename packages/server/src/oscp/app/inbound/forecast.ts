import type { UpdateGroupCapacityForecast } from '@openvelope/oscp';
import { readyForBusiness } from '../../domain/lifecycle';
import { refuse } from '../../domain/refusal';
import { freshControlIds } from '../connection-handler';
import { receiveWithin, type InboundCall, type InboundDeps } from './receive';

/**
 * A capacity forecast for the connection's group: translated, stored, and the operating mode and
 * the scope's envelope decided again, all in the message's transaction.
 */
export function receiveForecast(
  deps: InboundDeps,
  call: InboundCall,
  forecast: UpdateGroupCapacityForecast,
) {
  return receiveWithin(deps, call, async (trx, connection, now) => {
    if (forecast.group_id !== connection.groupId)
      return refuse('forbidden', `group_id ${forecast.group_id} is not bound to this connection.`);
    if (!readyForBusiness(connection.lifecycle))
      return refuse(
        'forbidden',
        `Complete the handshake before business messages (this connection is ${connection.lifecycle.phase}).`,
      );
    const decision = await deps.handler.control(
      trx,
      connection,
      { type: 'ReceiveForecast', requestId: call.requestId, forecast, ids: freshControlIds() },
      now,
    );
    return decision.refusal;
  });
}
