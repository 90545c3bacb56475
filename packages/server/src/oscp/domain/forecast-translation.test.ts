import type { ForecastedBlock } from '@openvelope/oscp';
import { describe, expect, it } from 'vitest';
import { toAmpsPerPhase } from '../../microgrid/domain/capacity';
import {
  blockCovering,
  interpretBlock,
  replaceBlocks,
  roleOf,
  translateForecast,
  type StoredBlock,
} from './forecast-translation';

const block = (over: Partial<ForecastedBlock> = {}): ForecastedBlock => ({
  capacity: 100,
  unit: 'A',
  phase: 'ALL',
  start_time: '2026-03-02T09:00:00Z',
  end_time: '2026-03-02T09:15:00Z',
  ...over,
});

const circuit = { phaseCount: 3 as const, nominalVoltageV: 230, staticCapacityA: 400 };

describe('interpretBlock: units × phase indicators', () => {
  it.each([
    ['A', 'ALL', { value: 100, unit: 'A' }],
    ['A', 'THREE', { value: 100, unit: 'A' }],
    ['A', 'UNKNOWN', { value: 100, unit: 'A' }],
    ['A', 'ONE', { value: 100, unit: 'A' }],
    ['A', 'TWO', { value: 100, unit: 'A' }],
    ['KW', 'ALL', { value: 100, unit: 'KW' }],
    ['KW', 'UNKNOWN', { value: 100, unit: 'KW' }],
    ['KW', 'ONE', { value: 100, unit: 'KW_PER_PHASE' }],
    ['KW', 'TWO', { value: 100, unit: 'KW_PER_PHASE' }],
    ['KW', 'THREE', { value: 100, unit: 'KW_PER_PHASE' }],
    ['W', 'ALL', { value: 0.1, unit: 'KW' }],
    ['W', 'ONE', { value: 0.1, unit: 'KW_PER_PHASE' }],
  ] as const)('%s with phase %s → %o', (unit, phase, expected) => {
    expect(interpretBlock({ capacity: 100, unit, phase })).toEqual(expected);
  });

  it.each(['WH', 'KWH'] as const)('rejects the energy unit %s', (unit) => {
    const result = interpretBlock({ capacity: 5, unit, phase: 'ALL' });
    expect(result).toEqual({ error: expect.stringContaining(`unit ${unit} is energy`) });
  });

  it('gives the microgrid limits it converts with the circuit voltage and phases', () => {
    const total = interpretBlock({ capacity: 69, unit: 'KW', phase: 'ALL' });
    const perPhase = interpretBlock({ capacity: 23, unit: 'KW', phase: 'ONE' });
    if ('error' in total || 'error' in perPhase) throw new Error('unexpected rejection');
    // 69 kW over three phases at 230 V, and 23 kW on one phase at 230 V: both 100 A per phase.
    expect(toAmpsPerPhase(total, circuit)).toBeCloseTo(100, 9);
    expect(toAmpsPerPhase(perPhase, circuit)).toBeCloseTo(100, 9);
  });
});

describe('roleOf', () => {
  it.each([
    ['CONSUMPTION', { role: 'PRIMARY', direction: 'IMPORT' }],
    ['GENERATION', { role: 'PRIMARY', direction: 'EXPORT' }],
    ['FALLBACK_CONSUMPTION', { role: 'FALLBACK', direction: 'IMPORT' }],
    ['FALLBACK_GENERATION', { role: 'FALLBACK', direction: 'EXPORT' }],
    ['OPTIMUM', { role: 'OPTIMUM', direction: 'IMPORT' }],
  ] as const)('%s', (type, expected) => expect(roleOf(type)).toEqual(expected));
});

describe('translateForecast', () => {
  it('translates every block, ordered by start', () => {
    const result = translateForecast([
      block({ start_time: '2026-03-02T09:15:00Z', end_time: '2026-03-02T09:30:00Z', capacity: 50 }),
      block({ capacity: 40 }),
    ]);
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.blocks.map((b) => [b.index, b.limit.value])).toEqual([
        [1, 40],
        [0, 50],
      ]);
  });

  it('accepts blocks that touch', () => {
    expect(
      translateForecast([
        block(),
        block({ start_time: '2026-03-02T09:15:00Z', end_time: '2026-03-02T09:30:00Z' }),
      ]).ok,
    ).toBe(true);
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

  it('rejects a block inside a long one, even when it is not next to it', () => {
    const result = translateForecast([
      block({ end_time: '2026-03-02T12:00:00Z' }),
      block({ start_time: '2026-03-02T09:15:00Z', end_time: '2026-03-02T09:30:00Z' }),
      block({ start_time: '2026-03-02T10:00:00Z', end_time: '2026-03-02T10:15:00Z' }),
    ]);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.message).toContain('forecasted_blocks[2]: overlaps forecasted_blocks[0]');
  });

  it('rejects end not after start, naming the block', () => {
    const result = translateForecast([block({ end_time: '2026-03-02T09:00:00Z' })]);
    expect(result).toEqual({
      ok: false,
      message: 'forecasted_blocks[0]: end_time must be after start_time',
    });
  });

  it('joins several problems', () => {
    const result = translateForecast([
      block({ unit: 'KWH' }),
      block({ start_time: '2026-03-02T10:00:00Z', end_time: '2026-03-02T09:00:00Z' }),
    ]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain('forecasted_blocks[0]: unit KWH');
      expect(result.message).toContain('forecasted_blocks[1]: end_time must be after start_time');
    }
  });
});

describe('replaceBlocks: a new forecast replaces what overlaps its span', () => {
  const t = (h: number, m = 0) => new Date(Date.UTC(2026, 2, 2, h, m));
  const b = (from: Date, to: Date, value: number, requestId = 'old'): StoredBlock => ({
    start: from,
    end: to,
    limit: { value, unit: 'A' },
    requestId,
  });
  const simplify = (blocks: StoredBlock[]) =>
    blocks.map((x) => [x.start.getUTCHours(), x.end.getUTCHours(), x.limit.value, x.requestId]);

  it.each([
    {
      name: 'blocks outside the span stay, overlapping ones go',
      stored: [b(t(8), t(9), 10), b(t(9), t(10), 20), b(t(12), t(13), 30)],
      incoming: [b(t(9), t(11), 99, 'new')],
      expected: [
        [8, 9, 10, 'old'],
        [9, 11, 99, 'new'],
        [12, 13, 30, 'old'],
      ],
    },
    {
      name: 'a long stored block only partly overlapped goes whole',
      stored: [b(t(6), t(12), 10)],
      incoming: [b(t(11), t(13), 50, 'new')],
      expected: [[11, 13, 50, 'new']],
    },
    {
      name: 'a gap inside the new span clears what was there',
      stored: [b(t(9), t(10), 10), b(t(10), t(11), 10)],
      incoming: [b(t(9), t(10), 70, 'new'), b(t(11), t(12), 80, 'new')],
      expected: [
        [9, 10, 70, 'new'],
        [11, 12, 80, 'new'],
      ],
    },
    {
      name: 'touching the span is not overlapping',
      stored: [b(t(8), t(9), 10), b(t(12), t(13), 20)],
      incoming: [b(t(9), t(12), 60, 'new')],
      expected: [
        [8, 9, 10, 'old'],
        [9, 12, 60, 'new'],
        [12, 13, 20, 'old'],
      ],
    },
    {
      name: 'nothing incoming keeps everything',
      stored: [b(t(8), t(9), 10)],
      incoming: [],
      expected: [[8, 9, 10, 'old']],
    },
  ])('$name', ({ stored, incoming, expected }) => {
    expect(simplify(replaceBlocks(stored, incoming))).toEqual(expected);
  });

  it('finds the block covering an instant, start inclusive and end exclusive', () => {
    const blocks = [b(t(8), t(9), 1), b(t(9), t(10), 2)];
    expect(blockCovering(blocks, t(9))?.limit.value).toBe(2);
    expect(blockCovering(blocks, t(8, 59))?.limit.value).toBe(1);
    expect(blockCovering(blocks, t(10))).toBeUndefined();
  });
});
