import { describe, expect, it } from 'vitest';
import { registerIncrements, secondEnd } from './energy-register';

const at = (iso: string) => new Date(`2026-03-02T${iso}Z`);
const reading = (sessionId: string | null, time: string, energyWh: number, chargerId = 'c1') => ({
  chargerId,
  sessionId,
  measuredAt: at(time),
  energyWh,
});

describe('register increments', () => {
  it('counts how far each reading moves its session beyond what it had reached', () => {
    const increments = registerIncrements(
      [reading('s1', '09:00:10', 150), reading('s1', '09:00:20', 400)],
      new Map([['s1', 100]]),
    );
    expect(increments).toEqual([
      { chargerId: 'c1', secondEnd: at('09:00:10'), energyWh: 50 },
      { chargerId: 'c1', secondEnd: at('09:00:20'), energyWh: 250 },
    ]);
  });

  it('adds nothing for a late, repeated or lower reading, nor outside a session', () => {
    const increments = registerIncrements(
      [
        reading('s1', '09:00:20', 400),
        // Measured earlier, arriving in the same batch: ordered by measurement, so it counts first.
        reading('s1', '09:00:10', 300),
        reading('s1', '09:00:30', 400),
        reading('s1', '09:00:40', 0),
        reading(null, '09:00:50', 999),
        reading('unknown', '09:00:50', 999),
      ],
      new Map([['s1', 350]]),
    );
    expect(increments).toEqual([{ chargerId: 'c1', secondEnd: at('09:00:20'), energyWh: 50 }]);
  });

  it('keeps sessions apart: a new session counts from its own zero', () => {
    const increments = registerIncrements(
      [reading('old', '09:00:01', 5_000, 'c1'), reading('new', '09:00:01.5', 30, 'c1')],
      new Map([
        ['old', 4_990],
        ['new', 0],
      ]),
    );
    // 09:00:01 exactly ends its own second; 09:00:01.5 belongs to the second ending 09:00:02.
    expect(increments).toEqual([
      { chargerId: 'c1', secondEnd: at('09:00:01'), energyWh: 10 },
      { chargerId: 'c1', secondEnd: at('09:00:02'), energyWh: 30 },
    ]);
  });

  it('puts a reading in the second that ends at or after it', () => {
    expect(secondEnd(at('09:15:00'))).toEqual(at('09:15:00'));
    expect(secondEnd(at('09:14:59.001'))).toEqual(at('09:15:00'));
    expect(secondEnd(at('09:15:00.001'))).toEqual(at('09:15:01'));
  });
});
