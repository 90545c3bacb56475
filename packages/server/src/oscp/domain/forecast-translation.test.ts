import {
  CAPACITY_FORECAST_TYPES,
  PHASE_INDICATORS,
  type CapacityForecastType,
  type ForecastedBlock,
  type ForecastedBlockUnit,
  type PhaseIndicator,
} from '@openvelope/oscp';
import { describe, expect, it } from 'vitest';
import { effectiveCapacity, toAmpsPerPhase } from '../../microgrid/domain/capacity';
import {
  blockCovering,
  interpretBlock,
  replaceBlocks,
  roleOf,
  translateForecast,
  type StoredBlock,
  type TranslatedLimit,
} from './forecast-translation';

const block = (over: Partial<ForecastedBlock> = {}): ForecastedBlock => ({
  capacity: 100,
  unit: 'A',
  phase: 'ALL',
  start_time: '2026-03-02T09:00:00Z',
  end_time: '2026-03-02T09:15:00Z',
  ...over,
});

/** Block `n` of a run of contiguous 15-minute blocks from 09:00. */
const quarter = (n: number, over: Partial<ForecastedBlock> = {}): ForecastedBlock =>
  block({
    start_time: new Date(Date.parse('2026-03-02T09:00:00Z') + n * 900_000).toISOString(),
    end_time: new Date(Date.parse('2026-03-02T09:00:00Z') + (n + 1) * 900_000).toISOString(),
    ...over,
  });

const threePhase230 = { phaseCount: 3 as const, nominalVoltageV: 230, staticCapacityA: 400 };

describe('interpretBlock: every unit × every phase indicator', () => {
  const PHASES: readonly PhaseIndicator[] = PHASE_INDICATORS;

  // A: amps per phase whatever the indicator; W/KW: total for ALL/UNKNOWN, per phase for ONE/TWO/THREE.
  const expected: Record<'A' | 'W' | 'KW', Record<PhaseIndicator, TranslatedLimit>> = {
    A: {
      ALL: { value: 100, unit: 'A' },
      THREE: { value: 100, unit: 'A' },
      UNKNOWN: { value: 100, unit: 'A' },
      ONE: { value: 100, unit: 'A' },
      TWO: { value: 100, unit: 'A' },
    },
    W: {
      ALL: { value: 0.1, unit: 'KW' },
      UNKNOWN: { value: 0.1, unit: 'KW' },
      ONE: { value: 0.1, unit: 'KW_PER_PHASE' },
      TWO: { value: 0.1, unit: 'KW_PER_PHASE' },
      THREE: { value: 0.1, unit: 'KW_PER_PHASE' },
    },
    KW: {
      ALL: { value: 100, unit: 'KW' },
      UNKNOWN: { value: 100, unit: 'KW' },
      ONE: { value: 100, unit: 'KW_PER_PHASE' },
      TWO: { value: 100, unit: 'KW_PER_PHASE' },
      THREE: { value: 100, unit: 'KW_PER_PHASE' },
    },
  };
  const rows = (['A', 'W', 'KW'] as const).flatMap((unit) =>
    PHASES.map((phase) => [unit, phase, expected[unit][phase]] as const),
  );

  it.each(rows)('100 %s with phase %s → %o', (unit, phase, limit) => {
    expect(interpretBlock({ capacity: 100, unit, phase })).toEqual(limit);
  });

  it('divides W by 1000 exactly enough for the circuit (69 000 W = 69 kW)', () => {
    expect(interpretBlock({ capacity: 69_000, unit: 'W', phase: 'ALL' })).toEqual({
      value: 69,
      unit: 'KW',
    });
    expect(interpretBlock({ capacity: 23_000, unit: 'W', phase: 'TWO' })).toEqual({
      value: 23,
      unit: 'KW_PER_PHASE',
    });
  });

  it('keeps zero as a limit of zero (a protective forecast), in every unit', () => {
    for (const unit of ['A', 'W', 'KW'] as const)
      expect(interpretBlock({ capacity: 0, unit, phase: 'ALL' })).toMatchObject({ value: 0 });
  });

  const energy = (['WH', 'KWH'] as const).flatMap((unit) =>
    PHASES.map((phase) => [unit, phase] as const),
  );
  it.each(energy)('rejects the energy unit %s (phase %s)', (unit, phase) => {
    expect(interpretBlock({ capacity: 5, unit, phase })).toEqual({
      error: `unit ${unit} is energy, not a capacity limit (use A, W or KW)`,
    });
  });
});

describe('the microgrid conversion, end to end (translation, then amps per phase on the circuit)', () => {
  const amps = (unit: ForecastedBlockUnit, phase: PhaseIndicator, capacity: number) => {
    const result = translateForecast([block({ unit, phase, capacity })]);
    if (!result.ok) throw new Error(result.message);
    const limit = result.blocks[0]!.limit;
    return {
      raw: toAmpsPerPhase(limit, threePhase230),
      effective: effectiveCapacity(threePhase230, [
        {
          envelopeId: 'e',
          description: 'OSCP forecast',
          origin: { kind: 'ADAPTER', adapter: 'oscp', reference: {} },
          submittedAt: '2026-03-02T09:00:00.000Z',
          blockIndex: 0,
          blockEndsAt: '2026-03-02T09:15:00.000Z',
          limit,
        },
      ]).amps,
    };
  };

  it.each([
    ['69 kW ALL on a 3-phase 230 V circuit', 'KW', 'ALL', 69],
    ['69 kW UNKNOWN (a total, like ALL)', 'KW', 'UNKNOWN', 69],
    ['69 000 W ALL', 'W', 'ALL', 69_000],
    ['23 kW ONE → KW_PER_PHASE', 'KW', 'ONE', 23],
    ['23 kW THREE → KW_PER_PHASE', 'KW', 'THREE', 23],
    ['23 000 W TWO → KW_PER_PHASE', 'W', 'TWO', 23_000],
    ['100 A ONE, applied to every phase', 'A', 'ONE', 100],
  ] as const)('%s = 100 A per phase', (_name, unit, phase, capacity) => {
    const { raw, effective } = amps(unit, phase, capacity);
    expect(raw).toBeCloseTo(100, 9);
    // Binary noise (99.9999…) must not cost the depot 0.1 A.
    expect(effective).toBe(100);
  });

  it('a per-phase kW limit is three times the amps of the same total kW on three phases', () => {
    expect(amps('KW', 'ONE', 23).raw).toBeCloseTo(3 * amps('KW', 'ALL', 23).raw, 9);
  });
});

describe('roleOf: every CapacityForecastType', () => {
  const expected: Record<CapacityForecastType, ReturnType<typeof roleOf>> = {
    CONSUMPTION: { role: 'PRIMARY', direction: 'IMPORT' },
    GENERATION: { role: 'PRIMARY', direction: 'EXPORT' },
    FALLBACK_CONSUMPTION: { role: 'FALLBACK', direction: 'IMPORT' },
    FALLBACK_GENERATION: { role: 'FALLBACK', direction: 'EXPORT' },
    OPTIMUM: { role: 'OPTIMUM', direction: 'IMPORT' },
  };

  it('covers the whole enum of the wire library', () => {
    expect([...CAPACITY_FORECAST_TYPES].sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(CAPACITY_FORECAST_TYPES.map((t) => [t, expected[t]] as const))('%s → %o', (t, role) =>
    expect(roleOf(t)).toEqual(role),
  );
});

describe('translateForecast', () => {
  it('translates every block, ordered by start, keeping its index and the wire values', () => {
    const result = translateForecast([
      quarter(1, { capacity: 50, unit: 'KW', phase: 'ONE' }),
      quarter(0, { capacity: 40 }),
    ]);
    expect(result).toEqual({
      ok: true,
      blocks: [
        {
          index: 1,
          start: new Date('2026-03-02T09:00:00Z'),
          end: new Date('2026-03-02T09:15:00Z'),
          limit: { value: 40, unit: 'A' },
          wire: { capacity: 40, unit: 'A', phase: 'ALL' },
        },
        {
          index: 0,
          start: new Date('2026-03-02T09:15:00Z'),
          end: new Date('2026-03-02T09:30:00Z'),
          limit: { value: 50, unit: 'KW_PER_PHASE' },
          wire: { capacity: 50, unit: 'KW', phase: 'ONE' },
        },
      ],
    });
  });

  it('accepts blocks that touch, in any order', () => {
    const result = translateForecast([quarter(2), quarter(0), quarter(1)]);
    expect(result.ok && result.blocks.map((b) => b.index)).toEqual([1, 2, 0]);
  });

  it('accepts blocks with a gap between them', () => {
    expect(translateForecast([quarter(0), quarter(4)]).ok).toBe(true);
  });

  it.each(['WH', 'KWH'] as const)('rejects %s naming the block index', (unit) => {
    const result = translateForecast([quarter(0), quarter(1), quarter(2, { unit })]);
    expect(result).toEqual({
      ok: false,
      message: `forecasted_blocks[2]: unit ${unit} is energy, not a capacity limit (use A, W or KW)`,
    });
  });

  it.each([
    ['end equal to start', '2026-03-02T09:15:00Z'],
    ['end before start', '2026-03-02T09:10:00Z'],
  ])('rejects %s, naming the block', (_name, end) => {
    const result = translateForecast([
      quarter(0),
      block({ start_time: '2026-03-02T09:15:00Z', end_time: end }),
    ]);
    expect(result).toEqual({
      ok: false,
      message: 'forecasted_blocks[1]: end_time must be after start_time',
    });
  });

  it('rejects overlapping blocks naming both', () => {
    const result = translateForecast([
      block({ end_time: '2026-03-02T10:00:00Z' }),
      block({ start_time: '2026-03-02T09:30:00Z', end_time: '2026-03-02T09:45:00Z' }),
    ]);
    expect(result).toEqual({
      ok: false,
      message: 'forecasted_blocks[1]: overlaps forecasted_blocks[0]',
    });
  });

  it('names the earlier-starting block of an overlap whatever the message order', () => {
    const result = translateForecast([
      block({ start_time: '2026-03-02T09:30:00Z', end_time: '2026-03-02T09:45:00Z' }),
      block({ end_time: '2026-03-02T10:00:00Z' }),
    ]);
    expect(result).toEqual({
      ok: false,
      message: 'forecasted_blocks[0]: overlaps forecasted_blocks[1]',
    });
  });

  it('rejects identical blocks as overlapping', () => {
    expect(translateForecast([quarter(0), quarter(0)])).toEqual({
      ok: false,
      message: 'forecasted_blocks[1]: overlaps forecasted_blocks[0]',
    });
  });

  it('rejects a block inside a long one, even when it is not next to it', () => {
    const result = translateForecast([
      block({ end_time: '2026-03-02T12:00:00Z' }),
      quarter(1),
      quarter(4),
    ]);
    expect(result).toEqual({
      ok: false,
      message:
        'forecasted_blocks[1]: overlaps forecasted_blocks[0]; forecasted_blocks[2]: overlaps forecasted_blocks[0]',
    });
  });

  it('joins several problems, each naming its block, in block order', () => {
    const result = translateForecast([
      quarter(0, { unit: 'KWH' }),
      block({ start_time: '2026-03-02T10:00:00Z', end_time: '2026-03-02T09:00:00Z' }),
      quarter(1, { unit: 'WH', end_time: '2026-03-02T09:15:00Z' }),
    ]);
    expect(result).toEqual({
      ok: false,
      message: [
        'forecasted_blocks[0]: unit KWH is energy, not a capacity limit (use A, W or KW)',
        'forecasted_blocks[1]: end_time must be after start_time',
        'forecasted_blocks[2]: unit WH is energy, not a capacity limit (use A, W or KW)',
        'forecasted_blocks[2]: end_time must be after start_time',
      ].join('; '),
    });
  });

  it('reports an overlap among the good blocks together with a bad block', () => {
    const result = translateForecast([
      quarter(0),
      quarter(0, { capacity: 5 }),
      quarter(3, { unit: 'KWH' }),
    ]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain('forecasted_blocks[2]: unit KWH');
      expect(result.message).toContain('forecasted_blocks[1]: overlaps forecasted_blocks[0]');
    }
  });
});

describe('replaceBlocks: a new forecast replaces exactly the time it spans', () => {
  const t = (h: number, m = 0) => new Date(Date.UTC(2026, 2, 2, h, m));
  const b = (from: Date, to: Date, value: number, requestId = 'old'): StoredBlock => ({
    start: from,
    end: to,
    limit: { value, unit: 'A' },
    requestId,
  });
  const simplify = (blocks: StoredBlock[]) =>
    blocks.map((x) => [
      `${x.start.getUTCHours()}:${String(x.start.getUTCMinutes()).padStart(2, '0')}`,
      `${x.end.getUTCHours()}:${String(x.end.getUTCMinutes()).padStart(2, '0')}`,
      x.limit.value,
      x.requestId,
    ]);

  it.each([
    {
      name: 'blocks outside the span stay, those inside it go',
      stored: [b(t(8), t(9), 10), b(t(9), t(10), 20), b(t(12), t(13), 30)],
      incoming: [b(t(9), t(11), 99, 'new')],
      expected: [
        ['8:00', '9:00', 10, 'old'],
        ['9:00', '11:00', 99, 'new'],
        ['12:00', '13:00', 30, 'old'],
      ],
    },
    {
      name: 'a long stored block only partly overlapped keeps its part before the span',
      stored: [b(t(6), t(12), 10)],
      incoming: [b(t(11), t(13), 50, 'new')],
      expected: [
        ['6:00', '11:00', 10, 'old'],
        ['11:00', '13:00', 50, 'new'],
      ],
    },
    {
      name: 'a long stored block overlapped by one minute at its start keeps the rest',
      stored: [b(t(10), t(20), 10), b(t(20), t(21), 15)],
      incoming: [b(t(9), t(10, 1), 50, 'new')],
      expected: [
        ['9:00', '10:01', 50, 'new'],
        ['10:01', '20:00', 10, 'old'],
        ['20:00', '21:00', 15, 'old'],
      ],
    },
    {
      name: 'an emergency 13 minutes inside a 90-minute forecast changes those 13 minutes only',
      stored: [b(t(9), t(10, 30), 200)],
      incoming: [b(t(9, 20), t(9, 33), 50, 'emergency')],
      expected: [
        ['9:00', '9:20', 200, 'old'],
        ['9:20', '9:33', 50, 'emergency'],
        ['9:33', '10:30', 200, 'old'],
      ],
    },
    {
      name: 'a gap inside the new span clears what was there',
      stored: [b(t(9), t(10), 10), b(t(10), t(11), 10)],
      incoming: [b(t(9), t(10), 70, 'new'), b(t(11), t(12), 80, 'new')],
      expected: [
        ['9:00', '10:00', 70, 'new'],
        ['11:00', '12:00', 80, 'new'],
      ],
    },
    {
      name: 'touching the span is not overlapping',
      stored: [b(t(8), t(9), 10), b(t(12), t(13), 20)],
      incoming: [b(t(9), t(12), 60, 'new')],
      expected: [
        ['8:00', '9:00', 10, 'old'],
        ['9:00', '12:00', 60, 'new'],
        ['12:00', '13:00', 20, 'old'],
      ],
    },
    {
      name: 'nothing incoming keeps everything',
      stored: [b(t(8), t(9), 10), b(t(9), t(10), 20)],
      incoming: [],
      expected: [
        ['8:00', '9:00', 10, 'old'],
        ['9:00', '10:00', 20, 'old'],
      ],
    },
    {
      name: 'nothing stored takes the new blocks',
      stored: [],
      incoming: [b(t(9), t(10), 5, 'new')],
      expected: [['9:00', '10:00', 5, 'new']],
    },
    {
      name: 'the result is ordered by start, whatever the input order',
      stored: [b(t(14), t(15), 40), b(t(6), t(7), 10)],
      incoming: [b(t(10), t(11), 30, 'new'), b(t(8), t(9), 20, 'new')],
      expected: [
        ['6:00', '7:00', 10, 'old'],
        ['8:00', '9:00', 20, 'new'],
        ['10:00', '11:00', 30, 'new'],
        ['14:00', '15:00', 40, 'old'],
      ],
    },
    {
      name: 'a rolling 24 h horizon sent 15 minutes later replaces all but the first quarter',
      stored: Array.from({ length: 4 }, (_, i) => b(t(9, i * 15), t(9, i * 15 + 15), i, 'r1')),
      incoming: Array.from({ length: 4 }, (_, i) =>
        b(t(9, (i + 1) * 15), t(9, (i + 2) * 15), 10 + i, 'r2'),
      ),
      expected: [
        ['9:00', '9:15', 0, 'r1'],
        ['9:15', '9:30', 10, 'r2'],
        ['9:30', '9:45', 11, 'r2'],
        ['9:45', '10:00', 12, 'r2'],
        ['10:00', '10:15', 13, 'r2'],
      ],
    },
  ])('$name', ({ stored, incoming, expected }) => {
    const before = simplify(stored);
    expect(simplify(replaceBlocks(stored, incoming))).toEqual(expected);
    // Pure: the stored list is not changed in place.
    expect(simplify(stored)).toEqual(before);
  });
});

describe('blockCovering', () => {
  const t = (h: number, m = 0) => new Date(Date.UTC(2026, 2, 2, h, m));
  const blocks = [
    { start: t(8), end: t(9), v: 1 },
    { start: t(9), end: t(10), v: 2 },
    { start: t(11), end: t(12), v: 3 },
  ];

  it.each([
    ['start is inclusive', t(9), 2],
    ['just before the end', new Date(t(9).getTime() - 1), 1],
    ['the end is exclusive (in a gap)', t(10), undefined],
    ['inside a gap', t(10, 30), undefined],
    ['before everything', t(7), undefined],
    ['after everything', t(12), undefined],
  ])('%s', (_name, now, v) => {
    expect(blockCovering(blocks, now)?.v).toBe(v);
  });
});
