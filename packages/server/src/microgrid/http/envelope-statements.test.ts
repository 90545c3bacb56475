import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../testing/demo';
import { StatementCounter } from '../../testing/statement-counter';
import { startTestApp, type TestContext } from '../../testing/test-app';

/*
 * The envelope path in SQL statements (round trips; BEGIN and COMMIT are not counted): what the
 * envelope cost benchmark measures against its one-INSERT floor (ADR 0062). A change that adds a
 * statement must say why here. Runs on PGlite, and on PostgreSQL with DATABASE_URL.
 */

/**
 * Session, scope, circuit lock, the envelope with its blocks, its events, the circuit's refresh
 * (envelopes in force, capacity with history, sessions with their allocations, the allocations
 * written, its next boundary).
 */
const SUBMIT_STATEMENTS = 10;
/**
 * Session, circuit lock found by the envelope, the withdrawal, its event, the refresh (envelopes in
 * force, capacity with history, sessions with their allocations, the allocations written, its
 * boundary cancelled), the envelope and its blocks read back for the answer.
 */
const WITHDRAW_STATEMENTS = 11;

const START = '2026-03-02T09:00:00Z';
const statements = new StatementCounter();
let ctx: TestContext;
let manager: string;
let scopeId: string;

beforeAll(async () => {
  ctx = await startTestApp(START, {}, [statements]);
  scopeId = (await seedDemo(ctx)).scopeId;
  manager = await ctx.signIn('MANAGER');
});
afterAll(async () => ctx.close());

const hour = (h: number) => new Date(Date.parse(START) + h * 3600_000).toISOString();

describe('the envelope path', () => {
  it('submits and withdraws an envelope in force in a fixed number of statements', async () => {
    for (const amps of [100, 90]) {
      let id = '';
      const submitted = await statements.during(async () => {
        const response = await ctx.request({
          method: 'POST',
          url: `/api/scopes/${scopeId}/envelopes`,
          cookie: manager,
          body: {
            source: 'Statement count',
            blocks: [{ start: hour(0), end: hour(1), importLimit: { value: amps, unit: 'A' } }],
          },
        });
        expect(response.statusCode, response.body).toBe(201);
        id = (response.json() as { id: string }).id;
      });
      const withdrawn = await statements.during(async () => {
        const response = await ctx.request({
          method: 'POST',
          url: `/api/envelopes/${id}/withdraw`,
          cookie: manager,
        });
        expect(response.statusCode, response.body).toBe(200);
      });
      expect({ submit: submitted.count, withdraw: withdrawn.count }).toEqual({
        submit: SUBMIT_STATEMENTS,
        withdraw: WITHDRAW_STATEMENTS,
      });
    }
  });
});
