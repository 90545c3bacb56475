import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedDemo } from '../../testing/demo';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { insertEnvelope, openEnvelopesAt, setEnvelopeStatus } from './envelope-store';

// What a circuit refresh reads: each open envelope's block in force and next boundary, worked out
// by the database (start inclusive, end exclusive).

let ctx: TestContext;
let ids: Awaited<ReturnType<typeof seedDemo>>;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T08:00:00Z');
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.reset();
  ids = await seedDemo(ctx);
});

const instant = (hhmm: string) => new Date(`2026-03-02T${hhmm}:00.000Z`);

/** Blocks given out of order on purpose: 12–13, 09–10, 10–11. */
async function envelope(): Promise<string> {
  const id = randomUUID();
  const block = (index: number, from: string, to: string, value: number) => ({
    index,
    startsAt: instant(from),
    endsAt: instant(to),
    importLimit: { value, unit: 'A' as const },
  });
  await insertEnvelope(ctx.db, {
    id,
    role: 'LIMIT',
    scopeId: ids.scopeId,
    circuitId: ids.circuitId,
    source: 'Test',
    origin: { kind: 'MANUAL', by: 'test' },
    status: 'SCHEDULED',
    startsAt: instant('09:00'),
    endsAt: instant('13:00'),
    submittedAt: instant('08:00'),
    submittedBy: 'test',
    withdrawnAt: null,
    withdrawnBy: null,
    blocks: [
      block(2, '12:00', '13:00', 30),
      block(0, '09:00', '10:00', 10),
      block(1, '10:00', '11:00', 20),
    ],
  });
  return id;
}

async function at(hhmm: string) {
  const [open] = await openEnvelopesAt(ctx.db, ids.circuitId, instant(hhmm));
  return {
    block: open?.inForce?.index,
    limit: open?.inForce?.importLimit.value,
    next: open?.nextBoundary,
  };
}

describe('open envelopes at an instant', () => {
  it('finds the block in force: start inclusive, end exclusive, nothing between or outside blocks', async () => {
    await envelope();
    expect(await at('08:59')).toMatchObject({ block: undefined });
    expect(await at('09:00')).toMatchObject({ block: 0, limit: 10 });
    expect(await at('09:59')).toMatchObject({ block: 0 });
    expect(await at('10:00')).toMatchObject({ block: 1, limit: 20 });
    expect(await at('11:00')).toMatchObject({ block: undefined });
    expect(await at('11:30')).toMatchObject({ block: undefined });
    expect(await at('12:30')).toMatchObject({ block: 2, limit: 30 });
    expect(await at('13:00')).toMatchObject({ block: undefined });
  });

  it('gives the nearest block start or end strictly after the instant, until every block has ended', async () => {
    await envelope();
    expect((await at('08:00')).next).toEqual(instant('09:00'));
    expect((await at('09:00')).next).toEqual(instant('10:00'));
    expect((await at('09:30')).next).toEqual(instant('10:00'));
    expect((await at('10:00')).next).toEqual(instant('11:00'));
    expect((await at('11:00')).next).toEqual(instant('12:00'));
    expect((await at('12:59')).next).toEqual(instant('13:00'));
    expect((await at('13:00')).next).toBeUndefined();
  });

  it('leaves out withdrawn and expired envelopes', async () => {
    const id = await envelope();
    expect(await openEnvelopesAt(ctx.db, ids.circuitId, instant('09:00'))).toHaveLength(1);
    await setEnvelopeStatus(ctx.db, id, 'WITHDRAWN', { at: instant('09:00'), by: 'test' });
    expect(await openEnvelopesAt(ctx.db, ids.circuitId, instant('09:00'))).toHaveLength(0);
    const expired = await envelope();
    await setEnvelopeStatus(ctx.db, expired, 'EXPIRED');
    expect(await openEnvelopesAt(ctx.db, ids.circuitId, instant('09:00'))).toHaveLength(0);
  });
});
