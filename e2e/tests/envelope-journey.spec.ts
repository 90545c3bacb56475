import { expect, test } from '@playwright/test';
import { allocationOf, signInAsAdmin } from './helpers';

// Operations user: an operating envelope visibly changes the circuit's capacity and allocations,
// and withdrawing it gives the static capacity back.
test('an envelope of 100 A per phase constrains the demo circuit until it is withdrawn', async ({
  page,
}) => {
  await signInAsAdmin(page);

  const card = page.getByTestId('microgrid-card').filter({ hasText: 'Demo Depot' });
  await expect(card).toBeVisible();
  await card.getByTestId('circuit-link').first().click();

  await expect(page.getByTestId('static-capacity')).toContainText('160 A');
  await expect(page.getByTestId('effective-capacity')).toContainText('160 A');
  await expect(page.getByTestId('capacity-source')).toContainText('Static circuit limit');
  await expect(page.getByTestId('charger-row')).toHaveCount(14);
  const before = await allocationOf(page, 'Bay 01');
  expect(before).toBeGreaterThan(16);

  await page.getByTestId('envelope-source').fill('E2E limit');
  await page.getByTestId('envelope-limit').first().fill('100');
  await page.getByTestId('envelope-submit').click();

  await expect(page.getByTestId('effective-capacity')).toContainText('100 A');
  await expect(page.getByTestId('capacity-source')).toContainText('Envelope: E2E limit');
  await expect.poll(() => allocationOf(page, 'Bay 01')).toBeLessThan(before);
  const binding = page
    .locator('[data-testid="charger-row"][data-charger-name="Bay 01"]')
    .getByTestId('binding');
  await expect(binding).toHaveAttribute('data-binding', 'CAPACITY');

  await page.getByTestId('withdraw-envelope').first().click();
  await page.getByTestId('confirm-withdraw').click();

  await expect(page.getByTestId('effective-capacity')).toContainText('160 A');
  await expect(page.getByTestId('capacity-source')).toContainText('Static circuit limit');
  await expect.poll(() => allocationOf(page, 'Bay 01')).toBe(before);
});
