import type {
  EnergyMeasurement,
  Handshake,
  HandshakeAcknowledge,
  Heartbeat,
  Register,
  UpdateAssetMeasurements,
  UpdateGroupMeasurements,
} from '@openvelope/oscp';
import type { InboundMessage, InboundVerdict } from './inbound';
import { energySeries, recordMeasurements } from './measurements';
import type { Peer } from './peer';
import type { SimClock } from './types';

/** The only OSCP version this Capacity Provider speaks. */
export const OSCP_VERSION = '2.0';

/** What inbound messages make the simulator do once the FP has its 204. */
export interface ProtocolActions {
  clock: SimClock;
  /** Our Register answering the FP's (FP-first flow). */
  registerBack(peer: Peer, correlationId: string): void;
  /** The exchange is complete: only our latest token stays valid. Synchronous. */
  registrationCompleted(peer: Peer): void;
  /** Follow-ups of a completed registration (the automatic Handshake). */
  afterRegistration(peer: Peer): void;
  acknowledgeHandshake(peer: Peer, correlationId: string): void;
  /** The FP asked for our heartbeats (its Handshake or acknowledgement). */
  heartbeatsRequested(peer: Peer, intervalSeconds: number): void;
  unregistered(peer: Peer): void;
  changed(peer: Peer): void;
}

const ok = (then?: () => void): InboundVerdict => (then ? { status: 204, then } : { status: 204 });
/** Answered 204 on purpose, with nothing done: the record says why. */
const ignore = (because: string): InboundVerdict => ({ status: 204, ignoredBecause: because });
const refuse = (status: number, message: string): InboundVerdict => ({ status, message });

/** The Capacity Provider's side of every inbound OSCP message (after auth and schema checks). */
export function handleInbound(message: InboundMessage, actions: ProtocolActions): InboundVerdict {
  const { peer, endpoint } = message;
  if (endpoint === 'register') return handleRegister(message, actions);
  if (peer.mode === 'OSCP_TOKEN' && peer.registration.status !== 'REGISTERED') {
    return refuse(
      403,
      `registration is not complete (${peer.registration.status}): register first`,
    );
  }
  const verdict = handleBusiness(message, actions);
  actions.changed(peer);
  return verdict;
}

function handleBusiness(message: InboundMessage, actions: ProtocolActions): InboundVerdict {
  const { peer, endpoint, requestId, correlationId } = message;
  const now = actions.clock.now();
  switch (endpoint) {
    case 'handshake': {
      const body = message.body as Handshake;
      peer.handshake.requiredByFp = body.required_behaviour;
      peer.handshake.lastFpHandshakeId = requestId;
      heartbeatsRequested(peer, body.required_behaviour.heartbeat_interval, actions);
      // A retried Handshake we already acknowledged needs no second acknowledgement.
      if (peer.followedUp.has(requestId))
        return ignore('a repeat of a Handshake we already acknowledged');
      peer.handshake.status = 'RECEIVED';
      return peer.switches.autoAcknowledge
        ? ok(() => actions.acknowledgeHandshake(peer, requestId))
        : ok();
    }
    case 'handshake_acknowledge': {
      if (!correlationId) {
        return refuse(400, 'X-Correlation-ID is required: the X-Request-ID of our Handshake');
      }
      if (!peer.sentHandshakes.has(correlationId)) {
        return refuse(400, `X-Correlation-ID ${correlationId} does not match a Handshake we sent`);
      }
      const body = message.body as HandshakeAcknowledge;
      if (body.required_behaviour) {
        peer.handshake.requiredByFp = body.required_behaviour;
        heartbeatsRequested(peer, body.required_behaviour.heartbeat_interval, actions);
      }
      peer.handshake.status = 'DONE';
      peer.handshake.completedAt = now.toISOString();
      return ok();
    }
    case 'heartbeat': {
      const body = message.body as Heartbeat;
      peer.fromFp.lastHeartbeatAt = now.toISOString();
      peer.fromFp.offlineModeAt = body.offline_mode_at;
      return ok();
    }
    case 'update_group_measurements': {
      if (peer.mode === 'VECTOR') {
        return refuse(
          400,
          'the VECTOR profile does not accept update_group_measurements: send update_asset_measurements',
        );
      }
      const body = message.body as UpdateGroupMeasurements;
      return (
        checkGroup(peer, body.group_id) ??
        checkHandshake(peer) ??
        checkIntermittent(
          peer,
          body.measurements.map((m, i) => [`measurements[${i}]`, m]),
        ) ??
        accepted(peer, message, now, energySeries(endpoint, body))
      );
    }
    case 'update_asset_measurements': {
      const body = message.body as UpdateAssetMeasurements;
      const energy = body.measurements.flatMap((m, i) =>
        m.energy_measurement
          ? [[`measurements[${i}].energy_measurement`, m.energy_measurement] as const]
          : [],
      );
      return (
        checkGroup(peer, body.group_id) ??
        checkHandshake(peer) ??
        checkVectorUnits(peer, body) ??
        checkIntermittent(peer, energy) ??
        accepted(peer, message, now, energySeries(endpoint, body))
      );
    }
    case 'adjust_group_capacity_forecast': {
      const body = message.body as { group_id: string };
      return checkGroup(peer, body.group_id) ?? checkHandshake(peer) ?? ok();
    }
    case 'group_capacity_compliance_error': {
      if (!correlationId) {
        return refuse(
          400,
          'X-Correlation-ID is required: the X-Request-ID of the forecast concerned',
        );
      }
      if (!peer.sentForecasts.has(correlationId)) {
        return refuse(400, `X-Correlation-ID ${correlationId} does not match a forecast we sent`);
      }
      return checkHandshake(peer) ?? ok();
    }
    default:
      return refuse(404, `${endpoint} is not served`);
  }
}

function handleRegister(message: InboundMessage, actions: ProtocolActions): InboundVerdict {
  const { peer, requestId, method } = message;
  if (peer.mode === 'VECTOR') {
    return refuse(403, 'the VECTOR profile has no Register: credentials are exchanged out of band');
  }
  if (method === 'DELETE') {
    peer.registration = { status: 'UNREGISTERED' };
    peer.tokenFromFp = undefined;
    peer.handshake = { status: 'NONE' };
    actions.unregistered(peer);
    actions.changed(peer);
    return ok();
  }
  const body = message.body as Register;
  const common = body.version_url.find((v) => v.version === OSCP_VERSION);
  if (!common) {
    const offered = body.version_url.map((v) => v.version).join(', ');
    return refuse(
      501,
      `no common OSCP version: we support ${OSCP_VERSION}, you offered ${offered}`,
    );
  }
  peer.fpBaseUrl = common.base_url;
  peer.tokenFromFp = body.token;
  peer.registration.fpVersion = OSCP_VERSION;

  if (method === 'PUT') {
    // An update of the FP's token or URL: nothing to answer.
    actions.changed(peer);
    return ok();
  }
  // A retry of a Register we already answered.
  if (peer.followedUp.has(requestId)) return ignore('a repeat of a Register we already answered');

  if (peer.registration.status === 'AWAITING_FP_REGISTER') {
    // The FP's answer to our Register: the exchange is complete.
    peer.followedUp.add(requestId);
    actions.registrationCompleted(peer);
    actions.changed(peer);
    return ok(() => actions.afterRegistration(peer));
  }
  peer.registration.status = 'FP_REGISTERED';
  peer.registration.fpRegisterRequestId = requestId;
  actions.changed(peer);
  return peer.switches.autoRegisterBack ? ok(() => actions.registerBack(peer, requestId)) : ok();
}

function heartbeatsRequested(
  peer: Peer,
  intervalSeconds: number | undefined,
  actions: ProtocolActions,
): void {
  if (intervalSeconds !== undefined) actions.heartbeatsRequested(peer, intervalSeconds);
}

/** An accepted measurement message: judged against the series so far (once per request id). */
function accepted(
  peer: Peer,
  message: InboundMessage,
  now: Date,
  measurements: ReturnType<typeof energySeries>,
): InboundVerdict {
  if (!peer.measurementRequests.has(message.requestId)) {
    peer.measurementRequests.add(message.requestId);
    recordMeasurements(peer.measurements, {
      requestId: message.requestId,
      asked:
        peer.handshake.requiredFromFp?.measurement_configuration ?? peer.measurementConfiguration,
      measurements,
      now,
    });
  }
  return ok();
}

function checkGroup(peer: Peer, groupId: string): InboundVerdict | undefined {
  return groupId === peer.groupId
    ? undefined
    : refuse(403, `group_id ${groupId} is not the group of this credential (${peer.groupId})`);
}

function checkHandshake(peer: Peer): InboundVerdict | undefined {
  return peer.switches.requireHandshake && !peer.handshaken
    ? refuse(403, 'handshake not completed: no business messages before the handshake')
    : undefined;
}

/** Only W and KW instantaneous readings in the VECTOR profile. */
function checkVectorUnits(peer: Peer, body: UpdateAssetMeasurements): InboundVerdict | undefined {
  if (peer.mode !== 'VECTOR') return undefined;
  for (const [i, m] of body.measurements.entries()) {
    const unit = m.instantaneous_measurement?.unit;
    if (unit !== undefined && unit !== 'W' && unit !== 'KW') {
      return refuse(
        400,
        `measurements[${i}].instantaneous_measurement.unit: must be W or KW in the VECTOR profile (got ${unit})`,
      );
    }
  }
  return undefined;
}

/** initial_measure_time must be present when we asked for INTERMITTENT only. */
function checkIntermittent(
  peer: Peer,
  measurements: readonly (readonly [string, EnergyMeasurement])[],
): InboundVerdict | undefined {
  const asked = peer.handshake.requiredFromFp?.measurement_configuration ?? [];
  if (asked.length !== 1 || asked[0] !== 'INTERMITTENT') return undefined;
  const missing = measurements.find(([, m]) => m.initial_measure_time === undefined);
  return missing
    ? refuse(400, `${missing[0]}.initial_measure_time: is required (INTERMITTENT was requested)`)
    : undefined;
}
