import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { CP_SIMULATOR_URL } from '../playwright.config';
import { signInAsAdmin } from './helpers';

// Support operator at 3 a.m.: the Capacity Provider lost its state and refuses us. The problem
// shows on the connection page with what to do; Re-register brings the link back ONLINE, and the
// depot's limit holds throughout: never the safe default.
const GROUP = 'FORGOT1';

async function ok(response: Awaited<ReturnType<APIRequestContext['fetch']>>) {
  expect(response.ok(), await response.text()).toBeTruthy();
  return response.status() === 204 ? null : response.json();
}

/** A simulated Capacity Provider for the group: a fresh one knows nothing of us. */
async function addPeer(request: APIRequestContext, initialToken: string): Promise<string> {
  const added = (await ok(
    await request.post(`${CP_SIMULATOR_URL}/control/peers`, {
      data: {
        groupId: GROUP,
        mode: 'OSCP_TOKEN',
        initialTokenForFp: initialToken,
        autoHandshakeAfterRegister: true,
        // Our heartbeats every 2 s: a peer that forgot us refuses one within seconds.
        heartbeatIntervalSeconds: 2,
      },
    }),
  )) as { id: string };
  return added.id;
}

/**
 * Records, in the page, every value the Operating mode card shows for the mode and the limit from
 * now on (on the body's `data-control-card-seen`), so the test can say what was on screen at
 * every moment, not only when it looked.
 */
async function recordControlCard(page: Page) {
  await page.locator('body').evaluate((body) => {
    const seen: string[] = [];
    const look = () => {
      const limit = body.querySelector('[data-testid="control-limit"]');
      const mode = body.querySelector('[data-testid="control"] [data-testid="mode-badge"]');
      if (!limit || !mode) return;
      const value = `${mode.getAttribute('data-mode')} ${limit.getAttribute('data-limit')}`;
      if (seen.at(-1) === value) return;
      seen.push(value);
      body.setAttribute('data-control-card-seen', JSON.stringify(seen));
    };
    look();
    new body.ownerDocument.defaultView!.MutationObserver(look).observe(body, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
  });
}

const controlCardSeen = async (page: Page) =>
  JSON.parse((await page.locator('body').getAttribute('data-control-card-seen')) ?? '[]');

test('peer forgot us → Re-register → ONLINE with the limit held throughout', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await signInAsAdmin(page);
  const api = page.request;
  const initialToken = `init-${GROUP}-${Date.now()}`;
  let peerId = await addPeer(request, initialToken);
  await ok(await api.put(`/api/secrets/init-${GROUP}`, { data: { value: initialToken } }));
  const microgrids = (await ok(await api.get('/api/microgrids'))) as {
    microgrids: { id: string; name: string; scopes: { id: string }[] }[];
  };
  const depot = microgrids.microgrids.find((m) => m.name === 'Demo Depot')!;
  const created = (await ok(
    await api.post('/api/oscp-connections', {
      data: {
        preset: 'OSCP_STANDARD',
        displayName: 'Forgetful peer',
        groupId: GROUP,
        microgridId: depot.id,
        scopeId: depot.scopes[0]!.id,
        peerBaseUrl: `${CP_SIMULATOR_URL}/oscp/cp/2.0`,
        authReferences: { initialToken: `init-${GROUP}` },
        enabled: true,
      },
    }),
  )) as { id: string };

  try {
    await page.goto(`/connections/${created.id}`);
    await expect(page.getByTestId('state-badge')).toHaveText('ONLINE', { timeout: 30_000 });
    await expect(page.getByTestId('no-open-problems')).toBeVisible();

    // 90 A for the next two hours; the safe default of this profile is 0 A.
    const now = Date.now();
    await ok(
      await request.post(`${CP_SIMULATOR_URL}/control/peers/${peerId}/forecasts`, {
        data: {
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
        },
      }),
    );
    await expect(page.getByTestId('control-limit')).toHaveAttribute('data-limit', '90 A');
    await recordControlCard(page);

    // The Capacity Provider loses its state: it knows the initial token again, and nothing else.
    await ok(await request.delete(`${CP_SIMULATOR_URL}/control/peers/${peerId}`));
    peerId = await addPeer(request, initialToken);

    // Within one refresh of the page after our next heartbeat is refused: the problem and its hint.
    const refused = page.locator(
      '[data-testid="problem"][data-kind="DELIVERY"][data-subject="Heartbeat"][data-open="true"]',
    );
    await expect(refused.getByTestId('problem-hint')).toContainText('use Re-register');
    await expect(refused.getByTestId('problem-status')).toHaveText('HTTP 403');

    // The operator acts from the hint itself.
    await refused.getByTestId('problem-reregister').click();
    await page.getByTestId('reregister-INITIAL_TOKEN').check();
    await page.getByTestId('review-reregister').click();
    await expect(page.getByTestId('reregister-held')).toContainText(
      'stay in force until the new handshake completes',
    );
    await page.getByTestId('confirm-reregister').click();

    await expect(page.getByTestId('state-badge')).toHaveText('ONLINE', { timeout: 30_000 });
    await expect(page.getByTestId('no-open-problems')).toBeVisible({ timeout: 15_000 });
    await expect(
      page.locator('[data-testid="problem"][data-subject="Heartbeat"][data-open="false"]'),
    ).toHaveCount(1);
    await page.getByTestId('timeline-kind').selectOption({ label: 'Registration' });
    await expect(
      page.locator('[data-testid="timeline-entry"][data-type="OscpRegistrationStarted"]').first(),
    ).toContainText('Re-registration started by admin');

    // What the Operating mode card said at every moment, from the forecast to ONLINE again.
    expect(await controlCardSeen(page)).toEqual(['NORMAL 90 A']);
  } finally {
    // The demo scope is free again for the journeys that enable the demo connection.
    await api.post(`/api/oscp-connections/${created.id}/disable`);
    await request.delete(`${CP_SIMULATOR_URL}/control/peers/${peerId}`);
  }

  // No longer wanted: deleted, its record kept and listed on request.
  await page.getByTestId('delete-connection').click();
  await expect(page.getByRole('dialog')).toContainText('Its audit stays readable');
  await page.getByTestId('confirm-delete').click();
  await expect(page).toHaveURL(/\/connections$/);
  const row = page.locator('[data-testid="connection-row"][data-connection-name="Forgetful peer"]');
  await expect(row).toHaveCount(0);
  await page.getByTestId('show-deleted').check();
  await expect(row).toHaveAttribute('data-deleted', 'true');
});
