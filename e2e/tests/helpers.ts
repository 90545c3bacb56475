import { expect, type Page } from '@playwright/test';
import { ADMIN_PASSWORD } from '../playwright.config';

export async function signInAsAdmin(page: Page): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('current-user')).toContainText('admin');
}

/** Amps shown in a cell such as "26.6 A". */
export function amps(text: string | null): number {
  const match = /(-?\d+(?:\.\d+)?)\s*A/.exec(text ?? '');
  if (!match) throw new Error(`no amps in "${text}"`);
  return Number(match[1]);
}

export async function allocationOf(page: Page, chargerName: string): Promise<number> {
  const row = page.locator(`[data-testid="charger-row"][data-charger-name="${chargerName}"]`);
  return amps(await row.getByTestId('allocation').textContent());
}
