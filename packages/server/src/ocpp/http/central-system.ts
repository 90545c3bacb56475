import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createRPCError, RPCError, RPCServer, TimeoutError } from './rpc';
import type RPCServerClient from 'ocpp-rpc/lib/server-client';
import type { Logger } from '../../platform/logging';
import type { ConnectionService } from '../app/connections';
import { OcppCallRefused } from '../app/errors';
import type { CallerContext, InboundCall, InboundService } from '../app/inbound';
import type { CallOutcome, ChargePointLink } from '../app/link';
import type { LimitSender } from '../app/limits';
import type {
  AuthorizeRequest,
  BootNotificationRequest,
  MeterValuesRequest,
  StartTransactionRequest,
  StatusNotificationRequest,
  StopTransactionRequest,
} from '../domain/messages';
import { OCPP_SUBPROTOCOL } from '../domain/messages';
import type { LogEntry } from '../store/message-log-store';
import type { Clock } from '../../platform/clock';

/** Chargers connect to `ws(s)://host/ocpp/{chargePointId}`. */
export const OCPP_PATH = '/ocpp';

export interface CentralSystemOptions {
  clock: Clock;
  log: Logger;
  connections: ConnectionService;
  inbound: InboundService;
  /** Set once the sender exists (it needs this link to reach chargers). */
  sender: () => LimitSender;
  /** How long a call to a charger may stay unanswered. */
  callTimeoutMs: number;
  /** WebSocket pings, which also drop half-open TCP connections. */
  pingIntervalMs: number;
}

interface Session {
  chargerId: string;
  connectionId: string;
}

type ChargerDefaults = { minCurrentA: number; numberPhases: number };

type Handler = (caller: CallerContext, call: InboundCall) => Promise<object>;

/**
 * The OCPP 1.6-J central system on the server's own port: WebSocket upgrades under /ocpp/ are
 * authenticated (Basic auth against the charger's stored password), every call and answer is
 * validated against the official JSON schemas by the RPC library (strict mode), and calls are
 * handed to the app. Frames that are not OCPP-J get the CALLERROR the library's framing rules
 * give; nothing a charger sends can throw out of here.
 */
export class CentralSystem implements ChargePointLink {
  readonly #rpc: RPCServer;
  readonly #clients = new Map<string, { connectionId: string; client: RPCServerClient }>();
  /** Disconnects still being recorded. */
  readonly #closing = new Set<Promise<void>>();

  constructor(private readonly options: CentralSystemOptions) {
    this.#rpc = new RPCServer({
      protocols: [OCPP_SUBPROTOCOL],
      strictMode: true,
      callTimeoutMs: options.callTimeoutMs,
      pingIntervalMs: options.pingIntervalMs,
      // Unknown messages after a burst of garbage still get answers; the socket is kept.
      maxBadMessages: Number.POSITIVE_INFINITY,
    });
    this.#rpc.auth((accept, reject, handshake) => {
      void this.#authenticate(handshake, accept, reject);
    });
    this.#rpc.on('client', (client: RPCServerClient) => {
      void this.#onClient(client);
    });
  }

  /** The Node HTTP server's 'upgrade' listener: only /ocpp/… is ours. */
  readonly handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!path.startsWith(`${OCPP_PATH}/`)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    void this.#rpc.handleUpgrade(request, socket as never, head);
  };

  async #authenticate(
    handshake: {
      identity: string;
      endpoint: string;
      password: Buffer | undefined;
      protocols: Set<string>;
      remoteAddress: string | undefined;
    },
    accept: (session?: Record<string, unknown>) => void,
    reject: (code: number, message: string) => void,
  ): Promise<void> {
    try {
      if (handshake.endpoint !== OCPP_PATH || handshake.identity === '') {
        reject(404, `Connect to ${OCPP_PATH}/{chargePointId}`);
        return;
      }
      if (!handshake.protocols.has(OCPP_SUBPROTOCOL)) {
        reject(400, `Offer the WebSocket subprotocol ${OCPP_SUBPROTOCOL}`);
        return;
      }
      const outcome = await this.options.connections.authenticate(
        handshake.identity,
        handshake.password,
        handshake.remoteAddress,
      );
      if (!outcome.ok) {
        this.options.log.warn(
          {
            'ocpp.charge_point_id': handshake.identity.slice(0, 100),
            reason: outcome.reason,
            'client.address': handshake.remoteAddress,
          },
          'OCPP connection refused',
        );
        reject(401, 'Unknown charge point or wrong password');
        return;
      }
      const session: Session = { chargerId: outcome.chargerId, connectionId: randomUUID() };
      accept(session as unknown as Record<string, unknown>);
    } catch (error) {
      this.options.log.error({ err: error }, 'OCPP authentication failed');
      reject(500, 'Try again later');
    }
  }

  async #onClient(client: RPCServerClient): Promise<void> {
    const session = client.session as unknown as Session;
    const { chargerId, connectionId } = session;
    const previous = this.#clients.get(chargerId);
    this.#clients.set(chargerId, { connectionId, client });
    if (previous)
      void previous.client.close({ code: 4000, reason: 'Replaced by a newer connection' });
    client.once('close', () => {
      if (this.#clients.get(chargerId)?.connectionId === connectionId)
        this.#clients.delete(chargerId);
      const recorded = this.options.connections
        .disconnected(chargerId, connectionId)
        .catch((error: unknown) =>
          this.options.log.error(
            { err: error, 'ocpp.charger_id': chargerId },
            'recording an OCPP disconnect failed',
          ),
        )
        .finally(() => this.#closing.delete(recorded));
      this.#closing.add(recorded);
    });
    // Calls wait until the connection is on record: a charger sends its boot at once.
    const ready = this.options.connections.connected(chargerId, connectionId);
    this.#logBadFrames(client, chargerId);
    this.#registerHandlers(client, session, ready);
    try {
      if (!(await ready)) await client.close({ code: 4001, reason: 'Charger removed' });
    } catch (error) {
      this.options.log.error(
        { err: error, 'ocpp.charger_id': chargerId },
        'recording an OCPP connection failed',
      );
      await client.close({ code: 1011, reason: 'Try again later' });
    }
  }

  #registerHandlers(
    client: RPCServerClient,
    caller: CallerContext,
    ready: Promise<ChargerDefaults | undefined>,
  ): void {
    const { inbound } = this.options;
    const handlers: Record<string, Handler> = {
      BootNotification: async (c, call) => {
        const answer = await inbound.boot(
          c,
          call,
          call.params as unknown as BootNotificationRequest,
        );
        // After the answer is on the wire: a charger takes no profile before it is accepted.
        const defaults = await ready;
        if (defaults) setImmediate(() => void this.#sendDefaultProfile(c, defaults));
        return answer;
      },
      Heartbeat: (c, call) => inbound.heartbeat(c, call),
      StatusNotification: (c, call) =>
        inbound.statusNotification(c, call, call.params as unknown as StatusNotificationRequest),
      Authorize: (c, call) =>
        inbound.authorize(c, call, call.params as unknown as AuthorizeRequest),
      StartTransaction: (c, call) =>
        inbound.startTransaction(c, call, call.params as unknown as StartTransactionRequest),
      StopTransaction: (c, call) =>
        inbound.stopTransaction(c, call, call.params as unknown as StopTransactionRequest),
      MeterValues: (c, call) =>
        inbound.meterValues(c, call, call.params as unknown as MeterValuesRequest),
    };
    for (const [action, handler] of Object.entries(handlers)) {
      client.handle(action, async ({ params, messageId }) => {
        const call: InboundCall = { action, messageId: messageId ?? '', params: params ?? {} };
        try {
          await ready;
          return (await handler(caller, call)) as Record<string, unknown>;
        } catch (error) {
          throw this.#toRpcError(client, caller, action, error);
        }
      });
    }
    // The other charger-to-central-system actions of OCPP 1.6 are acknowledged as the spec allows;
    // an action OCPP 1.6 does not have gets NotImplemented from the library.
    const acknowledged: Record<string, object> = {
      DataTransfer: { status: 'UnknownVendorId' },
      DiagnosticsStatusNotification: {},
      FirmwareStatusNotification: {},
    };
    for (const [action, answer] of Object.entries(acknowledged)) {
      client.handle(action, async () => answer as Record<string, unknown>);
    }
  }

  #toRpcError(client: RPCServerClient, caller: CallerContext, action: string, error: unknown) {
    const refusal =
      error instanceof OcppCallRefused
        ? error
        : new OcppCallRefused('InternalError', 'The call could not be processed; try again.');
    if (refusal.code === 'InternalError') {
      this.options.log.error(
        { err: refusal.cause ?? error, 'ocpp.charger_id': caller.chargerId, 'ocpp.action': action },
        'OCPP call failed',
      );
    }
    if (refusal.message.startsWith('This connection was replaced')) {
      setImmediate(
        () => void client.close({ code: 4000, reason: 'Replaced by a newer connection' }),
      );
    }
    return createRPCError(refusal.code, refusal.message);
  }

  /** Frames the library answered itself (not OCPP-J, or failing the schema) go to the charger's log. */
  #logBadFrames(client: RPCServerClient, chargerId: string): void {
    const at = () => this.options.clock.now();
    const record = (entries: LogEntry[]) =>
      this.options.inbound
        .logAnsweredByLibrary(entries)
        .catch((error: unknown) =>
          this.options.log.warn({ err: error }, 'logging an OCPP frame failed'),
        );
    client.on(
      'badMessage',
      ({
        buffer,
        error,
        response,
      }: {
        buffer: Buffer;
        error: Error;
        response: unknown[] | null;
      }) => {
        const now = at();
        void record([
          {
            chargerId,
            at: now,
            direction: 'IN',
            kind: 'CALL',
            action: '(malformed frame)',
            messageId: String(response?.[1] ?? ''),
            payload: { frame: buffer.toString('utf8').slice(0, 2000) },
          },
          ...(response
            ? [
                {
                  chargerId,
                  at: now,
                  direction: 'OUT' as const,
                  kind: 'ERROR' as const,
                  action: '(malformed frame)',
                  messageId: String(response[1] ?? ''),
                  payload: { code: String(response[2]), message: error.message },
                },
              ]
            : []),
        ]);
      },
    );
    client.on(
      'strictValidationFailure',
      (event: {
        messageId: string;
        method: string;
        params: unknown;
        error: Error & { rpcErrorCode?: string };
        outbound: boolean;
        isCall: boolean;
      }) => {
        if (event.outbound || !event.isCall) return;
        const now = at();
        void record([
          {
            chargerId,
            at: now,
            direction: 'IN',
            kind: 'CALL',
            action: event.method,
            messageId: event.messageId,
            payload: { params: event.params as Record<string, unknown> },
          },
          {
            chargerId,
            at: now,
            direction: 'OUT',
            kind: 'ERROR',
            action: event.method,
            messageId: event.messageId,
            payload: {
              code: event.error.rpcErrorCode ?? 'FormationViolation',
              message: event.error.message,
            },
          },
        ]);
      },
    );
  }

  async #sendDefaultProfile(caller: CallerContext, defaults: ChargerDefaults): Promise<void> {
    try {
      await this.options.sender().sendDefaultProfile(caller.chargerId, caller.connectionId, {
        limitA: defaults.minCurrentA,
        numberPhases: defaults.numberPhases,
      });
    } catch (error) {
      this.options.log.warn(
        { err: error, 'ocpp.charger_id': caller.chargerId },
        'sending the default profile failed',
      );
    }
  }

  async call(
    chargerId: string,
    connectionId: string,
    action: string,
    payload: Record<string, unknown>,
  ): Promise<CallOutcome> {
    const entry = this.#clients.get(chargerId);
    if (!entry || entry.connectionId !== connectionId) return { kind: 'NOT_CONNECTED' };
    try {
      const result = await entry.client.call(action, payload);
      return { kind: 'RESULT', result: (result ?? {}) as Record<string, unknown> };
    } catch (error) {
      if (error instanceof TimeoutError) return { kind: 'TIMEOUT' };
      if (error instanceof RPCError) {
        return { kind: 'ERROR', code: error.rpcErrorCode, message: error.message };
      }
      return {
        kind: 'ERROR',
        code: 'ConnectionLost',
        message: error instanceof Error ? error.message : String(error),
      };
    }
  }

  /** Connected chargers on this instance. */
  get connectedCount(): number {
    return this.#clients.size;
  }

  /** Resolves once every closed connection has been recorded (tests, shutdown). */
  async disconnectsRecorded(): Promise<void> {
    while (this.#closing.size > 0) await Promise.all([...this.#closing]);
  }

  async close(): Promise<void> {
    await this.#rpc.close({ code: 1001, reason: 'Server shutting down' });
    await this.disconnectsRecorded();
  }
}
