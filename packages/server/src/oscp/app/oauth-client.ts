import type { Clock } from '../../platform/clock';

/**
 * Client-credentials access tokens for OAuth peers (Vector), cached per connection until shortly
 * before they expire. A 401 from the peer drops the cached token so the next attempt fetches anew.
 * Messages sent at the same time share one fetch: the dispatcher sends many at once, and the token
 * endpoint should see one request, not one per message.
 */
export class OAuthTokenCache {
  readonly #tokens = new Map<string, { token: string; expiresAt: number }>();
  readonly #fetching = new Map<string, Promise<string>>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async token(
    connectionId: string,
    c: { tokenUrl: string; clientId: string; clientSecret: string },
  ): Promise<string> {
    const cached = this.#tokens.get(connectionId);
    if (cached && cached.expiresAt > this.clock.now().getTime()) return cached.token;
    const pending = this.#fetching.get(connectionId);
    if (pending) return pending;
    const fetching = this.#fetch(connectionId, c).finally(() =>
      this.#fetching.delete(connectionId),
    );
    this.#fetching.set(connectionId, fetching);
    return fetching;
  }

  async #fetch(
    connectionId: string,
    c: { tokenUrl: string; clientId: string; clientSecret: string },
  ): Promise<string> {
    const now = this.clock.now().getTime();
    const response = await this.fetchImpl(c.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: c.clientId,
        client_secret: c.clientSecret,
      }).toString(),
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: 'manual',
    });
    if (!response.ok) throw new Error(`token endpoint ${c.tokenUrl} answered ${response.status}`);
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || body.access_token.length === 0) {
      throw new Error(`token endpoint ${c.tokenUrl} returned no access_token`);
    }
    const lifetimeS =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300;
    // Renew a little early so a token never expires in flight.
    this.#tokens.set(connectionId, {
      token: body.access_token,
      expiresAt: now + Math.max(1, lifetimeS - 30) * 1000,
    });
    return body.access_token;
  }

  forget(connectionId: string): void {
    this.#tokens.delete(connectionId);
  }
}
