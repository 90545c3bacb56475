import type { MessageKind } from '@openvelope/oscp';
import type { IncomingHttpHeaders } from 'node:http';
import type { SecretStore } from '../../../platform/secrets/secret-store';
import { refuse, type Refusal } from '../../domain/refusal';
import { authenticateInbound, type Authentication } from './authenticate';
import { receiveForecast } from './forecast';
import { receiveHandshake } from './handshake';
import { receiveHandshakeAcknowledge } from './handshake-acknowledge';
import { receiveHeartbeat } from './heartbeat';
import {
  recordRefusal,
  type CallFacts,
  type InboundAnswer,
  type InboundCall,
  type InboundDeps,
} from './receive';
import { receiveRegister } from './register';
import type { ConcurrencyLimit } from '../../../platform/concurrency-limit';

export type { CallFacts, InboundAnswer, InboundCall };
export { asPeer, type InboundPrincipal, type PeerPrincipal } from './authenticate';

/**
 * The inbound OSCP use cases, one per message kind, each in one transaction (see receive.ts). The
 * http edge authenticates through here, checks the headers, and hands the message over; refusals
 * it finds itself (no request id, segmentation) are recorded here too, so each is audited once.
 */
export class InboundService {
  constructor(
    private readonly deps: InboundDeps & {
      secrets: SecretStore;
      /**
       * Forecasts applied at once. Each holds a database connection for its whole transaction; at
       * the quarter hour every peer sends one, and without a limit they would take every pooled
       * connection and queue heartbeats and due work behind them until peers look offline.
       */
      forecastSlots: ConcurrencyLimit;
    },
  ) {}

  /** Who is calling; a refusal is recorded (against no connection) and returned. */
  async authenticate(
    request: {
      headers: IncomingHttpHeaders;
      endpoint: string;
      connectionHint: string | undefined;
      groupIdHint: string | undefined;
    },
    facts: CallFacts,
  ): Promise<Authentication & { answer?: InboundAnswer }> {
    const authentication = await authenticateInbound(this.deps, request);
    if ('refusal' in authentication)
      return {
        ...authentication,
        answer: await recordRefusal(this.deps, null, facts, authentication.refusal),
      };
    return authentication;
  }

  /** Records a refusal the edge decided and returns the answer for it. */
  refuse(connectionId: string | null, facts: CallFacts, refusal: Refusal): Promise<InboundAnswer> {
    return recordRefusal(this.deps, connectionId, facts, refusal);
  }

  /**
   * Applies one message (at most once per X-Request-ID) and returns the answer. The body is checked
   * in the message's transaction, against what the connection's interoperability settings tolerate.
   */
  receive(kind: MessageKind, call: InboundCall, body: unknown): Promise<InboundAnswer> {
    switch (kind) {
      case 'Register':
        return receiveRegister(this.deps, call, body);
      case 'Handshake':
        return receiveHandshake(this.deps, call, body);
      case 'HandshakeAcknowledge':
        return receiveHandshakeAcknowledge(this.deps, call, body);
      case 'Heartbeat':
        return receiveHeartbeat(this.deps, call, body);
      case 'UpdateGroupCapacityForecast':
        return this.deps.forecastSlots.run(() => receiveForecast(this.deps, call, body));
      default:
        return this.refuse(
          call.principal.connectionId,
          call,
          refuse('not-found', `No endpoint ${call.endpoint}.`),
        );
    }
  }
}
