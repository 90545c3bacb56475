import { expect, test, type APIRequestContext } from '@playwright/test';
import { CP_SIMULATOR_URL } from '../playwright.config';
import { signInAsAdmin } from './helpers';

// Support operator: "what did we report for this window, and did the grid accept it?", answered
// from the connection page's Measurements card.
const GROUP = 'MEASURED1';

async function ok(response: Awaited<ReturnType<APIRequestContext['fetch']>>) {
  expect(response.ok(), await response.text()).toBeTruthy();
  return response.status() === 204 ? null : response.json();
}

test('the Measurements card shows each published window, its message and its delivery', async ({
  page,
  request,
}) => {
  // A minute per window: the first one closes within a minute of the handshake.
  test.setTimeout(180_000);
  await signInAsAdmin(page);
  const api = page.request;

  const initialToken = `init-${GROUP}-${Date.now()}`;
  await ok(
    await request.post(`${CP_SIMULATOR_URL}/control/peers`, {
      data: {
        groupId: GROUP,
        mode: 'OSCP_TOKEN',
        initialTokenForFp: initialToken,
        autoHandshakeAfterRegister: true,
        measurementConfiguration: ['INTERMITTENT'],
      },
    }),
  );
  await ok(await api.put(`/api/secrets/init-${GROUP}`, { data: { value: initialToken } }));
  const microgrids = (await ok(await api.get('/api/microgrids'))) as {
    microgrids: { id: string; name: string; scopes: { id: string }[] }[];
  };
  const depot = microgrids.microgrids.find((m) => m.name === 'Demo Depot')!;
  const created = (await ok(
    await api.post('/api/oscp-connections', {
      data: {
        preset: 'OSCP_STANDARD',
        displayName: 'Measured peer',
        groupId: GROUP,
        microgridId: depot.id,
        scopeId: depot.scopes[0]!.id,
        peerBaseUrl: `${CP_SIMULATOR_URL}/oscp/cp/2.0`,
        authReferences: { initialToken: `init-${GROUP}` },
        measurementConfiguration: 'INTERMITTENT',
        measurementPublicationIntervalSeconds: 60,
        measurementAlignment: 'CLOCK_HOUR',
        requestedHeartbeatIntervalSeconds: null,
        enabled: true,
      },
    }),
  )) as { id: string };

  try {
    await page.goto(`/connections/${created.id}`);
    const card = page.getByTestId('measurements');
    await expect(card.getByTestId('measurement-cadence')).toContainText(
      'INTERMITTENT: each window’s energy from its start · every 1 min, aligned to the clock hour',
    );
    await expect(card.getByTestId('measurement-latest')).toBeVisible({ timeout: 90_000 });
    await expect(card.getByTestId('measurement-latest')).toContainText('in the window');
    const row = card.getByTestId('measurement-row').first();
    await expect(row).toHaveAttribute('data-status', 'DELIVERED', { timeout: 20_000 });
    await expect(card.getByTestId('measurement-chart')).toBeVisible();

    // The window opens with the message exactly as the peer received it.
    const windowEnd = await row.getAttribute('data-window-end');
    await row.getByTestId('measurement-open').click();
    const detail = page.getByTestId('measurement-detail');
    await expect(detail).toContainText('X-Request-ID');
    const body = JSON.parse((await detail.getByTestId('measurement-body').textContent()) ?? '');
    const atPeer = (await ok(
      await request.get(`${CP_SIMULATOR_URL}/control/messages?endpoint=update_group_measurements`),
    )) as { messages: { body: { measurements: { measure_time: string }[] } }[] };
    const same = atPeer.messages.find(
      (m) => Date.parse(m.body.measurements[0]!.measure_time) === Date.parse(windowEnd!),
    );
    expect(same?.body).toEqual(body);
    await page.keyboard.press('Escape');

    // The same windows as CSV.
    const csvHref = await card.getByTestId('measurements-csv').getAttribute('href');
    const csv = await api.get(csvHref!);
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect(await csv.text()).toContain('UpdateGroupMeasurements,INTERMITTENT');

    // Every publication opens with its body; the type filter offers every kind we send.
    const kinds = page.getByTestId('publications-kind').locator('option');
    await expect(kinds).toContainText(['UpdateGroupMeasurements', 'UpdateAssetMeasurements']);
    await page.getByTestId('publications-kind').selectOption('UpdateGroupMeasurements');
    await page.getByTestId('publication-open').first().click();
    await expect(page.getByTestId('publication-body')).toContainText(`"group_id": "${GROUP}"`);
    await page.keyboard.press('Escape');

    // The simulator found the windows closed and contiguous.
    const peers = (await ok(await request.get(`${CP_SIMULATOR_URL}/control/state`))) as {
      peers: { groupId: string; measurements: { received: number; violations: unknown[] } }[];
    };
    const peer = peers.peers.find((p) => p.groupId === GROUP)!;
    expect(peer.measurements.received).toBeGreaterThan(0);
    expect(peer.measurements.violations).toEqual([]);
  } finally {
    // The demo scope is free again for the journeys that enable the demo connection.
    await api.post(`/api/oscp-connections/${created.id}/disable`);
  }
});
