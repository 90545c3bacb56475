import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestApp, TEST_PASSWORD, type TestContext } from '../../testing/test-app';
import type * as Secrets from './secrets';
import { verifyPassword } from './secrets';
import { updateUser } from './store';

// Sign-in time must not tell whether a user exists: every attempt verifies one argon2 hash (a
// dummy one for unknown or disabled users). Timing itself is measured in bench/, not here; this
// checks the cause of the time, the verification, is the same on every path.
vi.mock('./secrets', async (importOriginal) => {
  const original = await importOriginal<typeof Secrets>();
  return { ...original, verifyPassword: vi.fn(original.verifyPassword) };
});

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.reset();
});

async function verificationsFor(username: string, password: string) {
  vi.mocked(verifyPassword).mockClear();
  const response = await ctx.request({
    method: 'POST',
    url: '/api/auth/login',
    body: { username, password },
  });
  const calls = vi.mocked(verifyPassword).mock.calls;
  return { status: response.statusCode, hashes: calls.map(([hash]) => hash.slice(0, 9)) };
}

describe('sign-in takes the same work whoever asks', () => {
  it('verifies one argon2 hash for a known user, an unknown one and a disabled one alike', async () => {
    await ctx.signIn('VIEWER', 'known');
    await ctx.signIn('VIEWER', 'gone');
    const gone = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'gone')
      .executeTakeFirstOrThrow();
    await updateUser(ctx.db, gone.id, { disabled: true });

    const argon2 = ['$argon2id'];
    expect(await verificationsFor('known', TEST_PASSWORD)).toEqual({ status: 200, hashes: argon2 });
    expect(await verificationsFor('known', 'wrong-password')).toEqual({
      status: 401,
      hashes: argon2,
    });
    expect(await verificationsFor('nobody', 'wrong-password')).toEqual({
      status: 401,
      hashes: argon2,
    });
    expect(await verificationsFor('gone', TEST_PASSWORD)).toEqual({ status: 401, hashes: argon2 });
  });
});
