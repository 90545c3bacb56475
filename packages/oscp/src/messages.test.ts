import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageBodyArbs } from './arbitraries';
import { MESSAGE_KINDS } from './endpoints';
import type { MessageKind } from './endpoints';
import { formatIssues, formatPath, parseMessage, parseWire } from './parse';
import { errorBodySchema, forecastedBlockSchema } from './types';

const block = {
  capacity: 11,
  phase: 'ALL',
  unit: 'KW',
  start_time: '2026-01-15T10:00:00Z',
  end_time: '2026-01-15T10:15:00Z',
};
const forecast = { group_id: 'depot-1', type: 'CONSUMPTION', forecasted_blocks: [block] };
const energy = {
  value: 12.5,
  phase: 'ALL',
  unit: 'KWH',
  direction: 'IMPORT',
  measure_time: '2026-01-15T10:15:00Z',
};

/** Asserts rejection and returns the message for exact comparison. */
function rejection(kind: MessageKind, body: unknown): string {
  const result = parseMessage(kind, body);
  if (result.ok) throw new Error(`expected ${kind} to be rejected: ${JSON.stringify(body)}`);
  return result.message;
}

describe('parseMessage', () => {
  it('accepts a minimal valid body of every kind and returns it unchanged', () => {
    const samples: Record<MessageKind, unknown> = {
      Register: {
        token: 't0k3n',
        version_url: [{ version: '2.0', base_url: 'https://cp.example/oscp/2.0' }],
      },
      Handshake: { required_behaviour: { measurement_configuration: [] } },
      HandshakeAcknowledge: {},
      Heartbeat: { offline_mode_at: '2026-01-15T10:05:00+13:00' },
      UpdateGroupCapacityForecast: forecast,
      AdjustGroupCapacityForecast: forecast,
      GroupCapacityComplianceError: { message: 'cannot meet block 1' },
      UpdateGroupMeasurements: { group_id: 'depot-1', measurements: [energy] },
      UpdateAssetMeasurements: {
        group_id: 'depot-1',
        measurements: [
          { asset_id: 'evse-1', asset_category: 'CHARGING', energy_measurement: energy },
        ],
      },
    };
    for (const kind of MESSAGE_KINDS) {
      expect(parseMessage(kind, samples[kind]), kind).toEqual({ ok: true, value: samples[kind] });
    }
  });

  it('accepts generated valid bodies of every kind, unchanged', () => {
    for (const kind of MESSAGE_KINDS) {
      fc.assert(
        fc.property(messageBodyArbs[kind], (body) => {
          const wire: unknown = JSON.parse(JSON.stringify(body));
          expect(parseMessage(kind, wire)).toEqual({ ok: true, value: wire });
        }),
        { numRuns: 100 },
      );
    }
  });

  it('never throws, whatever arrives', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MESSAGE_KINDS), fc.anything(), (kind, body) => {
        const result = parseMessage(kind, body);
        if (!result.ok) expect(result.message).not.toBe('');
      }),
      { numRuns: 300 },
    );
  });

  it('names the field path of a negative capacity', () => {
    const blocks = [block, block, { ...block, capacity: -0.5 }];
    expect(
      rejection('UpdateGroupCapacityForecast', { ...forecast, forecasted_blocks: blocks }),
    ).toBe('forecasted_blocks[2].capacity: must be >= 0');
  });

  it('reports missing required fields, enum values included', () => {
    expect(rejection('UpdateGroupCapacityForecast', { group_id: 'g' })).toBe(
      'type: is required; forecasted_blocks: is required',
    );
    const { phase: _phase, ...noPhase } = block;
    expect(
      rejection('AdjustGroupCapacityForecast', { ...forecast, forecasted_blocks: [noPhase] }),
    ).toBe('forecasted_blocks[0].phase: is required');
  });

  it('rejects unknown enum values, case included', () => {
    expect(rejection('UpdateGroupCapacityForecast', { ...forecast, type: 'consumption' })).toBe(
      'type: must be one of CONSUMPTION, GENERATION, FALLBACK_CONSUMPTION, FALLBACK_GENERATION, OPTIMUM (got "consumption")',
    );
  });

  it('rejects unknown properties, naming each one', () => {
    expect(
      rejection('UpdateGroupCapacityForecast', {
        ...forecast,
        extra: 1,
        forecasted_blocks: [{ ...block, colour: 'red', 'two words': true }],
      }),
    ).toBe(
      'forecasted_blocks[0].colour: unknown property; forecasted_blocks[0]["two words"]: unknown property; extra: unknown property',
    );
  });

  it('rejects timestamps without an offset and other non-RFC 3339 forms', () => {
    const expected =
      'offline_mode_at: must be an RFC 3339 date-time with seconds and an offset (Z or ±hh:mm)';
    for (const bad of [
      '2026-01-15T10:00:00',
      '2026-01-15T10:00Z',
      '2026-01-15 10:00:00Z',
      '2026-01-15t10:00:00z',
      '2026-01-15T10:00:00+0100',
      '2026-02-30T10:00:00Z',
      '1768471200000',
    ]) {
      expect(rejection('Heartbeat', { offline_mode_at: bad }), bad).toBe(expected);
    }
  });

  it('rejects heartbeat_interval below 1 and duplicate measurement configurations', () => {
    expect(
      rejection('Handshake', {
        required_behaviour: {
          heartbeat_interval: 0,
          measurement_configuration: ['CONTINUOUS', 'CONTINUOUS'],
        },
      }),
    ).toBe(
      'required_behaviour.heartbeat_interval: must be >= 1; required_behaviour.measurement_configuration: must not contain duplicates',
    );
  });

  it('requires required_behaviour on Handshake but not on HandshakeAcknowledge', () => {
    expect(rejection('Handshake', {})).toBe('required_behaviour: is required');
    expect(parseMessage('HandshakeAcknowledge', {}).ok).toBe(true);
  });

  it('rejects empty arrays where items are required', () => {
    expect(rejection('Register', { token: 't', version_url: [] })).toBe(
      'version_url: must contain at least 1 item',
    );
    expect(rejection('UpdateGroupCapacityForecast', { ...forecast, forecasted_blocks: [] })).toBe(
      'forecasted_blocks: must contain at least 1 item',
    );
    expect(rejection('GroupCapacityComplianceError', { message: 'm', forecasted_blocks: [] })).toBe(
      'forecasted_blocks: must contain at least 1 item',
    );
    expect(rejection('UpdateGroupMeasurements', { group_id: 'g', measurements: [] })).toBe(
      'measurements: must contain at least 1 item',
    );
    expect(rejection('UpdateAssetMeasurements', { group_id: 'g', measurements: [] })).toBe(
      'measurements: must contain at least 1 item',
    );
  });

  it('rejects empty identifiers and non-http base URLs', () => {
    expect(
      rejection('Register', {
        token: '',
        version_url: [{ version: '2.0', base_url: 'ftp://cp.example' }],
      }),
    ).toBe('token: must not be empty; version_url[0].base_url: must be an absolute http(s) URL');
    expect(rejection('UpdateGroupCapacityForecast', { ...forecast, group_id: '' })).toBe(
      'group_id: must not be empty',
    );
  });

  it('rejects blocks that do not end after they start, whatever the offsets', () => {
    const inverted = {
      ...block,
      start_time: '2026-01-15T10:15:00Z',
      end_time: '2026-01-15T11:00:00+01:00',
    };
    expect(
      rejection('UpdateGroupCapacityForecast', {
        ...forecast,
        forecasted_blocks: [block, inverted],
      }),
    ).toBe('forecasted_blocks[1].end_time: must be after start_time');
    const later = {
      ...block,
      start_time: '2026-01-15T10:15:00Z',
      end_time: '2026-01-15T11:30:00+01:00',
    };
    expect(
      parseMessage('UpdateGroupCapacityForecast', { ...forecast, forecasted_blocks: [later] }).ok,
    ).toBe(true);
  });

  it('rejects an initial_measure_time after measure_time', () => {
    const late = { ...energy, initial_measure_time: '2026-01-15T10:15:01Z' };
    expect(rejection('UpdateGroupMeasurements', { group_id: 'g', measurements: [late] })).toBe(
      'measurements[0].initial_measure_time: must not be after measure_time',
    );
    const same = { ...energy, initial_measure_time: energy.measure_time };
    expect(
      parseMessage('UpdateGroupMeasurements', { group_id: 'g', measurements: [same] }).ok,
    ).toBe(true);
  });

  it('rejects an asset measurement that carries no measurement', () => {
    const body = { group_id: 'g', measurements: [{ asset_id: 'a', asset_category: 'CHARGING' }] };
    expect(rejection('UpdateAssetMeasurements', body)).toBe(
      'measurements[0]: must carry energy_measurement, instantaneous_measurement or both',
    );
  });

  it('rejects a body that is not an object, and wrong JSON types', () => {
    expect(rejection('Heartbeat', null)).toBe('body: must be an object (got null)');
    expect(rejection('Heartbeat', [])).toBe('body: must be an object (got an array)');
    expect(rejection('Heartbeat', { offline_mode_at: 12 })).toBe(
      'offline_mode_at: must be a string (got 12)',
    );
  });

  it('summarises long issue lists', () => {
    const blocks = Array.from({ length: 25 }, () => ({ ...block, capacity: -1 }));
    const message = rejection('UpdateGroupCapacityForecast', {
      ...forecast,
      forecasted_blocks: blocks,
    });
    expect(message.split('; ')).toHaveLength(11);
    expect(message).toMatch(/^forecasted_blocks\[0\]\.capacity: must be >= 0; /);
    expect(message).toMatch(/; and 15 more$/);
  });
});

describe('parseWire', () => {
  it('validates any wire object, e.g. a single block or an error body', () => {
    expect(parseWire(forecastedBlockSchema, { ...block, capacity: -1 })).toEqual({
      ok: false,
      message: 'capacity: must be >= 0',
    });
    expect(parseWire(errorBodySchema, {})).toEqual({ ok: true, value: {} });
    expect(parseWire(errorBodySchema, { message: 'no such group' })).toEqual({
      ok: true,
      value: { message: 'no such group' },
    });
    expect(parseWire(errorBodySchema, { message: 1 })).toEqual({
      ok: false,
      message: 'message: must be a string (got 1)',
    });
  });
});

describe('formatIssues / formatPath', () => {
  it('formats errors from schemas parsed without our wording too', () => {
    const result = forecastedBlockSchema.safeParse({ ...block, capacity: 'x', extra: true });
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(formatIssues(result.error)).toMatch(/^capacity: .+; extra: unknown property$/);
    }
  });

  it('renders paths the way a reader writes them', () => {
    expect(formatPath([])).toBe('body');
    expect(formatPath(['forecasted_blocks', 2, 'capacity'])).toBe('forecasted_blocks[2].capacity');
    expect(formatPath([0, 'a-b'])).toBe('[0]["a-b"]');
  });
});

describe('bounds', () => {
  const now = new Date('2026-01-15T10:00:00Z');

  it('caps a capacity at what its unit can mean', () => {
    expect(
      rejection('UpdateGroupCapacityForecast', {
        ...forecast,
        forecasted_blocks: [{ ...block, capacity: 1.7e308 }],
      }),
    ).toBe('forecasted_blocks[0].capacity: must be at most 1000000 KW');
    expect(
      rejection('UpdateGroupCapacityForecast', {
        ...forecast,
        forecasted_blocks: [{ ...block, unit: 'A', capacity: 100_001 }],
      }),
    ).toBe('forecasted_blocks[0].capacity: must be at most 100000 A');
    expect(
      parseMessage('UpdateGroupCapacityForecast', {
        ...forecast,
        forecasted_blocks: [{ ...block, unit: 'W', capacity: 1e9 }],
      }).ok,
    ).toBe(true);
  });

  it('refuses NUL characters and overlong identifiers and tokens', () => {
    expect(rejection('UpdateGroupCapacityForecast', { ...forecast, group_id: 'a\u0000' })).toBe(
      'group_id: must not contain NUL characters',
    );
    expect(
      rejection('UpdateGroupCapacityForecast', { ...forecast, group_id: 'g'.repeat(256) }),
    ).toBe('group_id: must be at most 255 characters long');
    expect(
      rejection('Register', {
        token: 't'.repeat(1025),
        version_url: [{ version: '2.0', base_url: 'https://cp.example/oscp/2.0' }],
      }),
    ).toBe('token: must be at most 1024 characters long');
  });

  it('caps the heartbeat interval a peer may ask for at a day', () => {
    expect(
      rejection('Handshake', {
        required_behaviour: { heartbeat_interval: 86_401, measurement_configuration: [] },
      }),
    ).toBe('required_behaviour.heartbeat_interval: must be <= 86400');
  });

  it('refuses instants that cannot be written back, and with a now, those ten years away', () => {
    expect(rejection('Heartbeat', { offline_mode_at: '9999-12-31T23:59:59-01:00' })).toBe(
      'offline_mode_at: must fall in the years 0000 to 9999 (UTC)',
    );
    // Without a now only what cannot be written back is refused.
    expect(parseMessage('Heartbeat', { offline_mode_at: '0000-01-01T00:00:00Z' }).ok).toBe(true);
    const options = { now };
    expect(parseMessage('Heartbeat', { offline_mode_at: '0000-01-01T00:00:00Z' }, options)).toEqual(
      { ok: false, message: 'offline_mode_at: must be within 10 years of now' },
    );
    expect(parseMessage('Heartbeat', { offline_mode_at: '2036-01-15T10:00:00Z' }, options).ok).toBe(
      true,
    );
    expect(
      parseMessage('UpdateGroupCapacityForecast', forecast, {
        now: new Date('2040-01-01T00:00:00Z'),
      }),
    ).toEqual({
      ok: false,
      message:
        'forecasted_blocks[0].start_time: must be within 10 years of now; forecasted_blocks[0].end_time: must be within 10 years of now',
    });
  });
});
