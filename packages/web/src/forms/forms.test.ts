import { createTokenBody, createUserBody, loginBody } from '@openvelope/server/auth-contract';
import {
  breachSettingsBody,
  createChargerBody,
  createCircuitBody,
  createMicrogridBody,
  createScopeBody,
  startSessionBody,
} from '@openvelope/server/contract';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { adjustmentRequestBody, complianceErrorBody } from '@openvelope/server/oscp-contract';
import { breachSettingsRequest } from '../components/breaches/BreachSettingsModal';
import { circuitRequest } from '../components/model/CircuitModal';
import { chargerRequest } from '../components/model/ChargerModal';
import { sessionRequest } from '../components/StartSessionModal';
import { adjustmentRequest } from '../components/oscp/AdjustmentModal';
import { setSecretRequest } from '../components/secrets/SetSecretModal';
import {
  blockRules,
  envelopeRequest,
  toEnvelopeRequest,
  type EnvelopeValues,
} from '../components/envelopes/envelope-request';
import {
  connectionRequest,
  fromProfile,
  profileRules,
  toConnectionRequest,
} from '../components/connection-form/connection-values';
import { schemaErrors, serverFieldErrors } from './schema-form';

// Each form is checked by the server's own schema (and rules) before a request is sent; these
// tests pin what an operator sees for typical mistakes, field by field.

const SCOPE = '7d3c9a52-65f4-4a55-9d59-3f0c1f3f0a11';

describe('depot model forms', () => {
  it('microgrid: a name and an IANA time zone', () => {
    expect(schemaErrors(createMicrogridBody, { name: '', timezone: 'Mars/Olympus' })).toEqual({
      name: 'is required',
      timezone: 'must be an IANA time zone such as Pacific/Auckland',
    });
    expect(schemaErrors(createMicrogridBody, { name: 'Depot', timezone: 'UTC' })).toEqual({});
  });

  it('circuit: an empty capacity is required, a voltage must be positive', () => {
    const request = circuitRequest({
      name: 'Main',
      phaseCount: '3',
      nominalVoltageV: 0,
      staticCapacityA: '',
    });
    expect(schemaErrors(createCircuitBody, request)).toEqual({
      nominalVoltageV: 'must be more than 0',
      staticCapacityA: 'is required',
    });
  });

  it('scope: a name is required, circuits are optional', () => {
    expect(schemaErrors(createScopeBody, { name: '  '.trim(), circuitIds: [] })).toEqual({
      name: 'is required',
    });
  });

  it('charger: the maximum must reach the minimum, and 1 or 3 phases', () => {
    const request = chargerRequest({
      name: 'Bay 1',
      phases: ['L2', 'L1'],
      minCurrentA: 16,
      maxCurrentA: 10,
      priority: 0,
    });
    expect(request.phases).toEqual(['L1', 'L2']);
    expect(schemaErrors(createChargerBody, request)).toEqual({
      maxCurrentA: 'must be at least minCurrentA',
      phases: 'a charger draws on 1 or 3 phases',
    });
  });

  it('session: both fields optional, a vehicle maximum must be positive', () => {
    expect(
      schemaErrors(startSessionBody, sessionRequest({ vehicleLabel: '', vehicleMaxCurrentA: '' })),
    ).toEqual({});
    expect(
      schemaErrors(
        startSessionBody,
        sessionRequest({ vehicleLabel: 'Bus', vehicleMaxCurrentA: 0 }),
      ),
    ).toEqual({ vehicleMaxCurrentA: 'must be more than 0' });
  });
});

describe('envelope form', () => {
  const values = (blocks: EnvelopeValues['blocks']): EnvelopeValues => ({
    scopeId: SCOPE,
    source: 'Manual',
    blocks,
  });
  const block = (start: string, end: string, value: number | string) => ({
    key: 1,
    start,
    end,
    importLimit: { value, unit: 'A' as const },
  });

  it('turns wall times in the microgrid’s zone into instants', () => {
    const request = toEnvelopeRequest(
      values([block('2026-03-02T10:00', '2026-03-02T11:00', 100)]),
      'Pacific/Auckland',
    );
    expect(request.blocks[0]).toEqual({
      start: '2026-03-01T21:00:00.000Z',
      end: '2026-03-01T22:00:00.000Z',
      importLimit: { value: 100, unit: 'A' },
    });
  });

  it('names an empty limit and a time that is none, on their block', () => {
    const request = toEnvelopeRequest(values([block('2026-03-02T10:00', 'soon', '')]), 'UTC');
    expect(schemaErrors(envelopeRequest, request)).toEqual({
      'blocks.0.end': 'must be an ISO 8601 instant with an offset',
      'blocks.0.importLimit.value': 'is required',
    });
  });

  it('applies the server’s block rules: end after start, no overlap', () => {
    const request = envelopeRequest.parse(
      toEnvelopeRequest(
        values([
          block('2026-03-02T10:00', '2026-03-02T12:00', 50),
          block('2026-03-02T11:00', '2026-03-02T13:00', 40),
          block('2026-03-02T15:00', '2026-03-02T14:00', 40),
        ]),
        'UTC',
      ),
    );
    expect(blockRules(request)).toEqual({
      'blocks.1.start': 'overlaps block 1',
      'blocks.2.end': 'must be after start (2026-03-02T15:00:00.000Z)',
    });
  });
});

describe('account forms', () => {
  it('user: the server’s username and password rules', () => {
    expect(
      schemaErrors(createUserBody, { username: 'a b', password: 'short', role: 'VIEWER' }),
    ).toEqual({
      username: 'may contain letters, digits, dot, dash and underscore only',
      password: 'must be at least 8 characters',
    });
  });

  it('token and sign-in: names and credentials are required', () => {
    expect(schemaErrors(createTokenBody, { name: '' })).toEqual({ name: 'is required' });
    expect(schemaErrors(loginBody, { username: '', password: '' })).toEqual({
      username: 'is required',
      password: 'is required',
    });
  });

  it('secret: a name the store accepts and a value', () => {
    expect(schemaErrors(setSecretRequest, { name: 'has space', value: '' })).toEqual({
      name: 'may contain letters, digits, dot, dash and underscore',
      value: 'is required',
    });
  });
});

describe('messages to the Capacity Provider', () => {
  it('adjustment: a period and a capacity', () => {
    const request = adjustmentRequest({
      forecastRequestId: 'f-1',
      blocks: [{ start: '', end: '2026-03-02T11:00', capacity: -1, unit: 'A' }],
    });
    expect(schemaErrors(adjustmentRequestBody, request)).toEqual({
      'blocks.0.start': 'must be an ISO 8601 instant',
      'blocks.0.capacity': 'must be zero or more',
    });
  });

  it('compliance error: says what cannot be met', () => {
    expect(schemaErrors(complianceErrorBody, { message: '   ' })).toEqual({
      message: 'say what cannot be met',
    });
  });
});

describe('breach settings', () => {
  it('a hold time in whole seconds and tolerances that are not negative', () => {
    const request = breachSettingsRequest({
      tolerancePercent: -1,
      toleranceA: '',
      holdSeconds: 2.5,
      worseningPercent: 10,
    });
    expect(schemaErrors(breachSettingsBody, request)).toEqual({
      tolerancePercent: 'must be zero or more',
      toleranceA: expect.any(String),
      holdSeconds: 'must be whole seconds',
    });
  });
});

describe('connection form', () => {
  const values = () => ({
    ...fromProfile({ preset: 'OSCP_STANDARD' }),
    displayName: 'Link',
    groupId: 'GROUP1',
    microgridId: SCOPE,
    scopeId: SCOPE,
    peerBaseUrl: 'https://cp.example.com/oscp/cp/2.0',
  });

  it('asks for the binding the schema requires', () => {
    const request = toConnectionRequest({ ...values(), microgridId: '', displayName: '' });
    expect(schemaErrors(connectionRequest, request)).toEqual({
      displayName: 'is required',
      microgridId: 'choose a microgrid',
    });
  });

  it('applies the server’s profile rules to a valid request', () => {
    const request = connectionRequest.parse(
      toConnectionRequest({
        ...values(),
        groupId: 'group\u00071',
        peerBaseUrl: 'https://cp.example.com/',
        requestedHeartbeatIntervalSeconds: 0,
        authReferences: { ...values().authReferences, initialToken: 'bad name' },
      }),
    );
    expect(profileRules(request)).toEqual({
      groupId: 'must be printable characters only',
      peerBaseUrl: 'must not end with a slash: message names are appended to it',
      requestedHeartbeatIntervalSeconds:
        'must be a whole number of seconds from 1 to 86400, or empty for none',
      'authReferences.initialToken':
        'a secret name may contain letters, digits, dot, dash and underscore',
    });
    expect(profileRules(connectionRequest.parse(toConnectionRequest(values())))).toEqual({});
  });

  it('keeps every interoperability tolerance off unless the profile turns it on', () => {
    expect(values().interoperability).toEqual({
      acceptRelativeBaseUrl: false,
      acknowledgementPath: 'handshake_acknowledge',
      assumeUtcWithoutOffset: false,
      expectPeerHeartbeats: true,
    });
    const stored = fromProfile({
      preset: 'OSCP_STANDARD',
      interoperability: { assumeUtcWithoutOffset: true },
    });
    const request = connectionRequest.parse(
      toConnectionRequest({ ...values(), ...{ interoperability: stored.interoperability } }),
    );
    expect(request.interoperability).toEqual({
      acceptRelativeBaseUrl: false,
      acknowledgementPath: 'handshake_acknowledge',
      assumeUtcWithoutOffset: true,
      expectPeerHeartbeats: true,
    });
    expect(
      schemaErrors(
        connectionRequest,
        toConnectionRequest({
          ...values(),
          interoperability: { ...stored.interoperability, acknowledgementPath: 'ack' as never },
        }),
      ),
    ).toHaveProperty(['interoperability.acknowledgementPath']);
  });
});

describe('the server’s answer', () => {
  it('puts a 400’s field errors and a 409’s named field on the form', () => {
    const invalid = new ApiError({
      type: 'urn:openvelope:problem:validation',
      title: 'Request is not valid',
      status: 400,
      errors: [
        { field: 'blocks.0.start', message: 'is not a valid instant' },
        { field: 'blocks.0.start', message: 'a second message' },
      ],
    });
    expect(serverFieldErrors(invalid)).toEqual({ 'blocks.0.start': 'is not a valid instant' });
    const taken = new ApiError({
      type: 'urn:openvelope:problem:conflict',
      title: 'Conflicts with the current state',
      status: 409,
      detail: 'A user named ops already exists.',
      field: 'username',
    });
    expect(serverFieldErrors(taken)).toEqual({ username: 'A user named ops already exists.' });
    expect(serverFieldErrors(new Error('network'))).toEqual({});
  });
});
