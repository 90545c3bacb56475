import { describe, expect, it } from 'vitest';
import {
  ENDPOINT_ALIASES,
  MESSAGE_KINDS,
  OSCP_MESSAGES,
  endpointUrl,
  kindForEndpoint,
} from './endpoints';

describe('OSCP_MESSAGES', () => {
  it('maps each message to its snake_case endpoint', () => {
    expect(Object.fromEntries(MESSAGE_KINDS.map((k) => [k, OSCP_MESSAGES[k].endpoint]))).toEqual({
      Register: 'register',
      Handshake: 'handshake',
      HandshakeAcknowledge: 'handshake_acknowledge',
      Heartbeat: 'heartbeat',
      UpdateGroupCapacityForecast: 'update_group_capacity_forecast',
      AdjustGroupCapacityForecast: 'adjust_group_capacity_forecast',
      GroupCapacityComplianceError: 'group_capacity_compliance_error',
      UpdateGroupMeasurements: 'update_group_measurements',
      UpdateAssetMeasurements: 'update_asset_measurements',
    });
  });
});

describe('kindForEndpoint', () => {
  it('finds every message by its endpoint', () => {
    for (const kind of MESSAGE_KINDS)
      expect(kindForEndpoint(OSCP_MESSAGES[kind].endpoint)).toBe(kind);
  });

  it('accepts the known misspellings of handshake_acknowledge', () => {
    expect(Object.keys(ENDPOINT_ALIASES)).toHaveLength(2);
    expect(kindForEndpoint('handshake_acknowledgment')).toBe('HandshakeAcknowledge');
    expect(kindForEndpoint('handshake_acknowledgement')).toBe('HandshakeAcknowledge');
  });

  it('knows nothing else, prototype names included', () => {
    for (const name of ['Register', 'registers', '', 'constructor', 'toString', '__proto__']) {
      expect(kindForEndpoint(name), name).toBeUndefined();
    }
  });
});

describe('endpointUrl', () => {
  it('joins with exactly one slash', () => {
    expect(endpointUrl('https://cp.example/oscp/cp/2.0', 'Heartbeat')).toBe(
      'https://cp.example/oscp/cp/2.0/heartbeat',
    );
    expect(endpointUrl('https://cp.example/oscp/cp/2.0//', 'HandshakeAcknowledge')).toBe(
      'https://cp.example/oscp/cp/2.0/handshake_acknowledge',
    );
  });
});
