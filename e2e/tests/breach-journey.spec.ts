import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { CP_SIMULATOR_URL, DEPOT_SIMULATOR_URL } from '../playwright.config';
import { signInAsAdmin } from './helpers';

// Operations user and grid operator: a vehicle ignores its limit, the circuit shows the breach,
// the Capacity Provider is told once (correlated to its forecast), and the breach ends when the
// vehicle obeys again. The demo switchboard holds a breach for 20 s before it starts or ends.
// The journey brings its own Capacity Provider peer and connection, and disconnects it at the
// end, so the demo connection stays as the other journeys expect it.

const GROUP = 'E2EBREACH';
const CONNECTION = 'Breach journey CP';
const TOKEN_SECRET = 'e2e-breach-initial-token';

async function ok(response: Awaited<ReturnType<APIRequestContext['fetch']>>) {
  expect(response.ok(), `${response.url()}: ${await response.text()}`).toBeTruthy();
  return response.status() === 204 ? null : response.json();
}

const control = (request: APIRequestContext, base: string, path: string, data?: unknown) =>
  request
    .fetch(`${base}/control${path}`, { method: data ? 'POST' : 'GET', ...(data ? { data } : {}) })
    .then(ok);

const complianceErrors = async (request: APIRequestContext, peerId: string) =>
  (
    (await control(
      request,
      CP_SIMULATOR_URL,
      `/messages?endpoint=group_capacity_compliance_error&peer=${peerId}`,
    )) as { messages: { correlationId: string | null; status: number }[] }
  ).messages;

/** Its own peer at the CP simulator and an enabled connection to it on the demo scope. */
async function connectCapacityProvider(page: Page, request: APIRequestContext) {
  const { microgrids } = (await ok(await page.request.get('/api/microgrids'))) as {
    microgrids: { id: string; name: string; scopes: { id: string }[] }[];
  };
  const demo = microgrids.find((m) => m.name === 'Demo Depot')!;
  const token = `e2e-breach-${Date.now()}`;
  await ok(await page.request.put(`/api/secrets/${TOKEN_SECRET}`, { data: { value: token } }));
  const peer = (await control(request, CP_SIMULATOR_URL, '/peers', {
    groupId: GROUP,
    mode: 'OSCP_TOKEN',
    initialTokenForFp: token,
    autoHandshakeAfterRegister: true,
    autoHeartbeats: true,
    heartbeatIntervalSeconds: 2,
    measurementConfiguration: ['CONTINUOUS'],
  })) as { id: string };
  const connection = (await ok(
    await page.request.post('/api/oscp-connections', {
      data: {
        preset: 'OSCP_STANDARD',
        displayName: CONNECTION,
        groupId: GROUP,
        microgridId: demo.id,
        scopeId: demo.scopes[0]!.id,
        peerBaseUrl: `${CP_SIMULATOR_URL}/oscp/cp/2.0`,
        authReferences: { initialToken: TOKEN_SECRET },
        requestedHeartbeatIntervalSeconds: 2,
        enabled: true,
      },
    }),
  )) as { id: string };
  await expect
    .poll(
      async () =>
        (
          (await ok(await page.request.get(`/api/oscp-connections/${connection.id}`))) as {
            state: string;
          }
        ).state,
      { timeout: 30_000 },
    )
    .toBe('ONLINE');
  return { peerId: peer.id, connectionId: connection.id };
}

test('a vehicle that ignores its limit breaches the circuit; the grid operator hears once, and it ends when the vehicle obeys', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  await signInAsAdmin(page);
  const { peerId, connectionId } = await connectCapacityProvider(page, request);
  try {
    const now = Date.now();
    await control(request, CP_SIMULATOR_URL, `/peers/${peerId}/forecasts`, {
      type: 'CONSUMPTION',
      blocks: [
        {
          start: new Date(now - 60_000).toISOString(),
          end: new Date(now + 2 * 3600_000).toISOString(),
          capacity: 90,
          unit: 'A',
          phase: 'ALL',
        },
      ],
    });
    const sent = (await control(
      request,
      CP_SIMULATOR_URL,
      `/messages?direction=outbound&endpoint=update_group_capacity_forecast&peer=${peerId}`,
    )) as { messages: { requestId: string }[] };
    const forecastId = sent.messages.at(-1)!.requestId;

    await page
      .getByTestId('microgrid-card')
      .filter({ hasText: 'Demo Depot' })
      .getByTestId('circuit-link')
      .first()
      .click();
    await expect(page.getByTestId('effective-capacity')).toContainText('90 A');
    const status = page.getByTestId('breach-status');
    // The step down from 160 A takes a moment to reach the chargers: no breach for that.
    await expect(status).toHaveAttribute('data-status', 'NORMAL', { timeout: 30_000 });

    // Bus 101 on Bay 01 ignores its allocation and draws its 32 A maximum.
    await control(request, DEPOT_SIMULATOR_URL, '/charge-points/DEMO-BAY-01/behaviour', {
      behaviour: 'IGNORE_LIMIT',
    });
    await expect(status).toHaveAttribute('data-status', 'SUSPECTED', { timeout: 20_000 });
    await expect(page.getByTestId('breach-summary')).toContainText('a breach if it lasts until');
    await expect(status).toHaveAttribute('data-status', 'OPEN', { timeout: 40_000 });
    await expect(page.getByTestId('breach-summary')).toContainText('Breach since');
    const episode = page.getByTestId('breach-episode').first();
    await expect(episode).toHaveAttribute('data-ended', 'false');
    await expect(episode.getByTestId('breach-told-connection')).toHaveText(CONNECTION, {
      timeout: 20_000,
    });

    // The circuit page links to the connection that was told.
    await episode.getByTestId('breach-told-connection').click();
    await expect(page.getByTestId('page-title')).toContainText(CONNECTION);
    const report = page.getByTestId('breach-report').first();
    await expect(report).toHaveAttribute('data-ended', 'false');
    await expect(report.getByTestId('breach-report-correlation')).toContainText(forecastId);
    await expect(report.getByTestId('publication-status')).toHaveText('DELIVERED', {
      timeout: 20_000,
    });
    await expect(
      page.locator('[data-testid="publication-row"][data-kind="GroupCapacityComplianceError"]'),
    ).toHaveAttribute('data-status', 'DELIVERED');
    expect(await complianceErrors(request, peerId)).toEqual([
      expect.objectContaining({ correlationId: forecastId, status: 204 }),
    ]);

    // It obeys again: 20 s back under the limit and the breach is over; nothing more is sent.
    await control(request, DEPOT_SIMULATOR_URL, '/charge-points/DEMO-BAY-01/behaviour', {
      behaviour: 'OBEY',
    });
    await expect(report).toHaveAttribute('data-ended', 'true', { timeout: 45_000 });
    await expect(report.getByTestId('breach-report-ended')).not.toContainText('open');
    expect(await complianceErrors(request, peerId)).toHaveLength(1);

    await page.getByTestId('nav-notifications').click();
    await expect(
      page.getByTestId('notification-row').filter({ hasText: 'Breach ended on Main switchboard' }),
    ).toHaveCount(1);
    await page
      .getByTestId('notification-row')
      .filter({ hasText: 'Breach on Main switchboard' })
      .first()
      .getByTestId('context-circuit')
      .click();
    await expect(page.getByTestId('breach-status')).toHaveAttribute('data-status', 'NORMAL');
    await expect(page.getByTestId('breach-episode').first()).toHaveAttribute('data-ended', 'true');
  } finally {
    await control(request, DEPOT_SIMULATOR_URL, '/charge-points/DEMO-BAY-01/behaviour', {
      behaviour: 'OBEY',
    });
    await ok(await page.request.post(`/api/oscp-connections/${connectionId}/disconnect`));
    await ok(
      await request.fetch(`${CP_SIMULATOR_URL}/control/peers/${peerId}`, { method: 'DELETE' }),
    );
  }
});
