import { withSavepoint } from '../../../platform/db/savepoint';
import { AppError } from '../../../platform/errors';
import { readyForBusiness } from '../../domain/lifecycle';
import { refuse } from '../../domain/refusal';
import { freshControlIds } from '../connection-handler';
import { receiveWithin, type InboundCall, type InboundDeps } from './receive';

/**
 * A capacity forecast for the connection's group: translated, stored, and the operating mode and
 * the scope's envelope decided again, all in the message's transaction.
 */
export function receiveForecast(deps: InboundDeps, call: InboundCall, raw: unknown) {
  return receiveWithin(
    deps,
    call,
    'UpdateGroupCapacityForecast',
    raw,
    async (trx, connection, forecast, now) => {
      if (forecast.group_id !== connection.groupId)
        return refuse(
          'forbidden',
          `group_id ${forecast.group_id} is not bound to this connection.`,
        );
      if (!readyForBusiness(connection.lifecycle))
        return refuse(
          'forbidden',
          `Complete the handshake before business messages (this connection is ${connection.lifecycle.phase}).`,
        );
      try {
        const decision = await withSavepoint(trx, 'forecast', () =>
          deps.handler.control(
            trx,
            connection,
            {
              type: 'ReceiveForecast',
              requestId: call.requestId,
              forecast,
              ids: freshControlIds(),
            },
            now,
          ),
        );
        return decision.refusal;
      } catch (error) {
        // The depot refused what the forecast asks of it (a scope on several circuits, say): the
        // forecast is on record as not applied, with why, and the peer hears it (never a 500).
        if (!(error instanceof AppError)) throw error;
        const reason = `This forecast cannot be applied: ${error.detail ?? error.title}`;
        await deps.handler.control(
          trx,
          connection,
          { type: 'RecordUnappliedForecast', requestId: call.requestId, forecast, reason },
          now,
        );
        return refuse('forbidden', reason);
      }
    },
  );
}
