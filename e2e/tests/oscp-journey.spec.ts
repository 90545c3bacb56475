import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { CP_SIMULATOR_URL } from '../playwright.config';
import { allocationOf, signInAsAdmin } from './helpers';

// Support operator and operations user: the demo connection comes online, goes offline and back,
// its forecasts constrain the depot, fallback is yellow, and a disconnect returns local control.
test.describe.configure({ mode: 'serial' });

const PEER = 'peer-1';

async function sim(
  request: APIRequestContext,
  method: 'POST' | 'DELETE',
  path: string,
  data?: unknown,
) {
  const response = await request.fetch(`${CP_SIMULATOR_URL}/control${path}`, {
    method,
    ...(data ? { data } : {}),
  });
  expect(response.ok(), await response.text()).toBeTruthy();
  return response.json();
}

async function openDemoConnection(page: Page) {
  await page.getByTestId('nav-connections').click();
  await page
    .locator(
      '[data-testid="connection-row"][data-connection-name="Demo Capacity Provider (simulator)"]',
    )
    .getByTestId('connection-link')
    .click();
  await expect(page.getByTestId('page-title')).toContainText('Demo Capacity Provider (simulator)');
}

test('the demo connection goes online, offline when heartbeats stop, and online again', async ({
  page,
  request,
}) => {
  await signInAsAdmin(page);
  await openDemoConnection(page);
  await expect(page.getByTestId('state-badge')).toHaveText('CONFIGURED');

  await page.getByTestId('enable-connection').click();
  await page.getByTestId('confirm-enable').click();
  await expect(page.getByTestId('state-badge')).toHaveText('ONLINE', { timeout: 30_000 });

  // Every step of the way is on the record, in order.
  await page.getByTestId('timeline-kind').selectOption({ label: 'Registration' });
  await expect(
    page.locator('[data-testid="timeline-entry"][data-type="OscpPeerRegistered"]'),
  ).toHaveCount(1);
  await page.getByTestId('timeline-kind').selectOption({ label: 'Handshake' });
  await expect(
    page.locator('[data-testid="timeline-entry"][data-type="OscpHandshakeCompleted"]'),
  ).toHaveCount(1);
  await expect(page.getByTestId('registered-version')).toHaveText('2.0');
  await expect(page.getByTestId('negotiated')).toContainText('We send heartbeats every 2 s');

  await sim(request, 'DELETE', `/peers/${PEER}/heartbeats`);
  await expect(page.getByTestId('state-badge')).toHaveText('OFFLINE', { timeout: 20_000 });
  await expect(
    page.locator('[data-testid="problem"][data-kind="LIVENESS"][data-open="true"]'),
  ).toContainText('offline_mode_at');

  await sim(request, 'POST', `/peers/${PEER}/heartbeats/resume`, {});
  await expect(page.getByTestId('state-badge')).toHaveText('ONLINE', { timeout: 20_000 });
  await page.getByTestId('timeline-kind').selectOption({ label: 'Liveness' });
  await expect(
    page.locator('[data-testid="timeline-entry"][data-type="OscpPeerOffline"]'),
  ).toHaveCount(1);
  await expect(
    page.locator('[data-testid="timeline-entry"][data-type="OscpPeerOnline"]'),
  ).toHaveCount(2);
});

test('a forecast constrains the circuit, silence brings yellow fallback, and disconnect returns local control', async ({
  page,
  request,
}) => {
  await signInAsAdmin(page);
  const now = Date.now();
  const block = (capacity: number) => ({
    start: new Date(now - 60_000).toISOString(),
    end: new Date(now + 2 * 3600_000).toISOString(),
    capacity,
    unit: 'A',
    phase: 'ALL',
  });
  await page
    .getByTestId('microgrid-card')
    .filter({ hasText: 'Demo Depot' })
    .getByTestId('circuit-link')
    .first()
    .click();
  await expect(page.getByTestId('effective-capacity')).toContainText('160 A');
  const before = await allocationOf(page, 'Bay 01');

  await sim(request, 'POST', `/peers/${PEER}/forecasts`, {
    type: 'FALLBACK_CONSUMPTION',
    blocks: [block(40)],
  });
  const sent = await sim(request, 'POST', `/peers/${PEER}/forecasts`, {
    type: 'CONSUMPTION',
    blocks: [block(90)],
  });
  expect(sent.outcome.status).toBe('delivered');
  await expect(page.getByTestId('effective-capacity')).toContainText('90 A');
  await expect(page.getByTestId('capacity-source')).toContainText('OSCP forecast');
  await expect.poll(() => allocationOf(page, 'Bay 01')).toBeLessThan(before);

  await sim(request, 'DELETE', `/peers/${PEER}/heartbeats`);
  await expect(page.getByTestId('fallback-mode')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('effective-capacity')).toContainText('40 A');
  await expect(page.getByTestId('fallback-reason')).toContainText('offline');

  await sim(request, 'POST', `/peers/${PEER}/heartbeats/resume`, {});
  await expect(page.getByTestId('fallback-mode')).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId('effective-capacity')).toContainText('90 A');

  await openDemoConnection(page);
  await expect(page.getByTestId('mode-badge')).toHaveAttribute('data-mode', 'NORMAL');

  // The operator asks the grid operator for more capacity in the forecast's next hour, from the
  // same page: the request is about the forecast in force and correlated to it.
  const forecasts = await request.fetch(
    `${CP_SIMULATOR_URL}/control/messages?direction=outbound&endpoint=update_group_capacity_forecast&peer=${PEER}`,
  );
  const forecastId = ((await forecasts.json()).messages as { requestId: string }[]).at(
    -1,
  )!.requestId;
  const local = (ms: number) => {
    const d = new Date(ms);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };
  await page.getByTestId('request-adjustment').click();
  await page.getByTestId('adjustment-start').fill(local(now + 30 * 60_000));
  await page.getByTestId('adjustment-end').fill(local(now + 90 * 60_000));
  await page.getByTestId('adjustment-capacity').fill('120');
  await page.getByTestId('send-adjustment').click();
  await expect(
    page.locator('[data-testid="publication-row"][data-kind="AdjustGroupCapacityForecast"]'),
  ).toHaveAttribute('data-status', 'DELIVERED', { timeout: 20_000 });
  const atPeer = await request.fetch(
    `${CP_SIMULATOR_URL}/control/messages?endpoint=adjust_group_capacity_forecast&peer=${PEER}`,
  );
  const [adjustment] = (await atPeer.json()).messages as {
    status: number;
    correlationId: string | null;
    body: { forecasted_blocks: { capacity: number; unit: string }[] };
  }[];
  expect(adjustment).toMatchObject({
    status: 204,
    correlationId: forecastId,
    body: { forecasted_blocks: [{ capacity: 120, unit: 'A' }] },
  });

  await page.getByTestId('disconnect-connection').click();
  await expect(page.getByRole('dialog')).toContainText('cleared immediately');
  await page.getByTestId('confirm-disconnect').click();
  await expect(page.getByTestId('state-badge')).toHaveText('DISCONNECTED');
  await expect(page.getByTestId('disconnected-note')).toContainText('local control resumed');

  await page.getByTestId('nav-depot').click();
  await page
    .getByTestId('microgrid-card')
    .filter({ hasText: 'Demo Depot' })
    .getByTestId('circuit-link')
    .first()
    .click();
  await expect(page.getByTestId('effective-capacity')).toContainText('160 A');
  await expect(page.getByTestId('capacity-source')).toContainText('Static circuit limit');

  // The fallback is waiting in Notifications (counted in the navigation), with the way back to
  // the connection it is about.
  await expect(page.getByTestId('nav-unacknowledged')).toBeVisible({ timeout: 20_000 });
  await page.getByTestId('nav-notifications').click();
  await page
    .getByTestId('notification-row')
    .filter({ hasText: 'Fallback mode:' })
    .first()
    .getByTestId('context-connection')
    .click();
  await expect(page.getByTestId('state-badge')).toHaveText('DISCONNECTED');
});
