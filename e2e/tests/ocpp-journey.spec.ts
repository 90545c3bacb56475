import { expect, test, type Page } from '@playwright/test';
import { amps, signInAsAdmin } from './helpers';

// Operations user: the demo depot's chargers are OCPP charge points. An envelope reaches each
// charging one as a SetChargingProfile it accepts, and the current it reports follows the limit.
const row = (page: Page, charger: string) =>
  page.locator(`[data-testid="ocpp-row"][data-charger-name="${charger}"]`);

async function drawing(page: Page, charger: string): Promise<number> {
  return amps(await row(page, charger).getByTestId('ocpp-drawing').textContent());
}

async function limitSent(page: Page, charger: string): Promise<number> {
  return amps(await row(page, charger).getByTestId('ocpp-limit-sent').textContent());
}

test('an envelope reaches the OCPP chargers and their reported current follows it', async ({
  page,
}) => {
  await signInAsAdmin(page);
  await page
    .getByTestId('microgrid-card')
    .filter({ hasText: 'Demo Depot' })
    .getByTestId('circuit-link')
    .first()
    .click();

  // Every demo charger is connected; the charging ones took their limit (160 A shared by seven).
  await expect(page.getByTestId('ocpp-row')).toHaveCount(14);
  await expect(page.locator('[data-testid="ocpp-online"][data-online="true"]')).toHaveCount(14);
  const bay = row(page, 'Bay 01');
  await expect(bay.getByTestId('ocpp-limit-answer')).toHaveAttribute('data-answer', 'ACCEPTED');
  await expect.poll(() => limitSent(page, 'Bay 01')).toBeGreaterThan(20);
  await expect.poll(() => drawing(page, 'Bay 01'), { timeout: 20_000 }).toBeGreaterThan(20);

  // 60 A per phase: six sessions draw on L1 (five bays and a workshop charger), 10 A each.
  await page.getByTestId('envelope-source').fill('E2E OCPP limit');
  await page.getByTestId('envelope-limit').first().fill('60');
  await page.getByTestId('envelope-submit').click();
  await expect(page.getByTestId('effective-capacity')).toContainText('60 A');

  await expect.poll(() => limitSent(page, 'Bay 01'), { timeout: 20_000 }).toBe(10);
  await expect(bay.getByTestId('ocpp-limit-answer')).toHaveAttribute('data-answer', 'ACCEPTED');
  await expect.poll(() => drawing(page, 'Bay 01'), { timeout: 20_000 }).toBeLessThanOrEqual(10);
  await expect.poll(() => drawing(page, 'Bay 01'), { timeout: 20_000 }).toBeGreaterThan(9);

  // The message log shows the profile going out and the charger's answer.
  await bay.getByTestId('ocpp-log-open').click();
  await expect(
    page.locator('[data-testid="ocpp-log-entry"][data-action="SetChargingProfile"]').first(),
  ).toBeVisible();
  await page.keyboard.press('Escape');

  // Withdrawn: the limit goes back up and so does the current.
  await page.getByTestId('withdraw-envelope').first().click();
  await page.getByTestId('confirm-withdraw').click();
  await expect(page.getByTestId('effective-capacity')).toContainText('160 A');
  await expect.poll(() => limitSent(page, 'Bay 01'), { timeout: 20_000 }).toBeGreaterThan(20);
  await expect.poll(() => drawing(page, 'Bay 01'), { timeout: 20_000 }).toBeGreaterThan(20);
});
