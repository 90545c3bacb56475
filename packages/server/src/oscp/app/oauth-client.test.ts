import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock';
import { OAuthTokenCache } from './oauth-client';

const credentials = { tokenUrl: 'https://cp.example/token', clientId: 'fp', clientSecret: 's' };

/** A token endpoint that counts its calls and answers when told to. */
function tokenEndpoint() {
  let calls = 0;
  const waiting: (() => void)[] = [];
  const fetchImpl = (async () => {
    calls += 1;
    const call = calls;
    await new Promise<void>((resolve) => waiting.push(resolve));
    return new Response(JSON.stringify({ access_token: `token-${call}`, expires_in: 3600 }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  }) as unknown as typeof fetch;
  return {
    fetchImpl,
    calls: () => calls,
    answerAll: () => waiting.splice(0).forEach((answer) => answer()),
  };
}

describe('OAuth client-credentials tokens', () => {
  it('fetches once for messages sent at the same time, then serves the cached token', async () => {
    const clock = new ManualClock(new Date('2026-03-02T09:00:00Z'));
    const endpoint = tokenEndpoint();
    const cache = new OAuthTokenCache(clock, 1000, endpoint.fetchImpl);

    const together = Promise.all([1, 2, 3].map(() => cache.token('conn-1', credentials)));
    await new Promise((resolve) => setImmediate(resolve));
    endpoint.answerAll();
    expect(await together).toEqual(['token-1', 'token-1', 'token-1']);
    expect(endpoint.calls()).toBe(1);

    expect(await cache.token('conn-1', credentials)).toBe('token-1');
    expect(endpoint.calls()).toBe(1);
  });

  it('fetches anew after a forget (the peer answered 401) and once the token is about to expire', async () => {
    const clock = new ManualClock(new Date('2026-03-02T09:00:00Z'));
    const endpoint = tokenEndpoint();
    const cache = new OAuthTokenCache(clock, 1000, endpoint.fetchImpl);
    const next = async () => {
      const token = cache.token('conn-1', credentials);
      await new Promise((resolve) => setImmediate(resolve));
      endpoint.answerAll();
      return token;
    };

    expect(await next()).toBe('token-1');
    cache.forget('conn-1');
    expect(await next()).toBe('token-2');
    // Renewed 30 s before its hour is up.
    clock.advance((3600 - 30) * 1000 - 1);
    expect(await cache.token('conn-1', credentials)).toBe('token-2');
    clock.advance(1);
    expect(await next()).toBe('token-3');
  });
});
