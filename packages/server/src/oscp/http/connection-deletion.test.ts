import { describe, expect, it } from 'vitest';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';

// A connection that is no longer wanted can be deleted once it is disabled; what it did stays on
// record, readable from its id.

const h = useLifecycleHarness();

const remove = (id: string) =>
  h.ctx.request({ method: 'DELETE', url: `/api/oscp-connections/${id}`, cookie: h.manager });

describe('deleting a connection', () => {
  it('is refused while enabled, then removes a disabled connection from use, keeping its record', async () => {
    const { id, group } = await h.registered();
    const refused = await remove(id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toBe(
      'Disable (or disconnect) the connection before deleting it.',
    );

    expect((await h.action(id, 'disable')).statusCode).toBe(200);
    expect((await remove(id)).statusCode).toBe(204);

    expect((await h.list()).map((c) => c.id)).not.toContain(id);
    const all = await h.ctx.request({
      method: 'GET',
      url: '/api/oscp-connections?include=deleted',
      cookie: h.manager,
    });
    expect(all.json().connections).toEqual([
      expect.objectContaining({ id, deletedAt: h.ctx.clock.now().toISOString() }),
    ]);
    const detail = await h.detail(id);
    expect(detail.deletedAt).toBe(h.ctx.clock.now().toISOString());
    expect((await h.timeline(id, ['OscpConnectionDeleted'])).map((e) => e.data)).toEqual([
      expect.objectContaining({ connectionId: id, by: expect.any(String) }),
    ]);
    expect((await h.timeline(id, ['OscpRegistrationStarted'])).length).toBeGreaterThan(0);

    // Nothing more can be done with it.
    const enable = await h.action(id, 'enable');
    expect(enable.statusCode).toBe(409);
    expect(enable.json().detail).toMatch(/^This connection was deleted at /);
    expect((await remove(id)).statusCode).toBe(409);

    // Its group id is free for a new connection.
    const again = await h.createConnection({
      groupId: group,
      authReferences: { initialToken: `init-${group}` },
    });
    expect((await h.enable(again)).enabled).toBe(true);
  });
});
