import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { signInAsAdmin } from './helpers';

// Support operator: a hiccup of the API must not blank the page in front of them, and a system
// admin's changes to other people's accounts are confirmed first.

test('a failed live refresh keeps the connections on screen with a banner, which goes when the API answers again', async ({
  page,
}) => {
  await signInAsAdmin(page);
  await page.getByTestId('nav-connections').click();
  const demoRow = page.getByTestId('connection-row').filter({ hasText: 'Demo Capacity Provider' });
  await expect(demoRow).toBeVisible();

  const failing = (url: URL) => url.pathname === '/api/oscp-connections';
  await page.route(failing, (route) =>
    route.fulfill({
      status: 503,
      contentType: 'application/problem+json',
      body: JSON.stringify({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: 'The database is not answering.',
      }),
    }),
  );
  const banner = page.getByTestId('refresh-error');
  await expect(banner).toContainText('The database is not answering');
  await expect(demoRow).toBeVisible();

  await page.unroute(failing);
  await expect(banner).toHaveCount(0);
  await expect(demoRow).toBeVisible();
});

test('changing another user’s role asks first; a system admin cannot change their own', async ({
  page,
}) => {
  await signInAsAdmin(page);
  const username = `ops${randomBytes(4).toString('hex')}`;
  const created = await page.request.post('/api/users', {
    data: { username, password: 'a long enough password', role: 'VIEWER' },
  });
  expect(created.status()).toBe(201);
  await page.getByTestId('nav-users').click();

  const mine = page.getByTestId('user-row').filter({ hasText: '(you)' });
  await expect(mine.getByTestId('user-role-select')).toBeDisabled();

  const theirs = page.locator(`[data-testid="user-row"][data-username="${username}"]`);
  const role = theirs.getByTestId('user-role-select');
  await role.selectOption('OPERATOR');
  await expect(page.getByTestId('confirm-user-change')).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(role).toHaveValue('VIEWER');
  const unchanged = await page.request.get('/api/users');
  expect(
    (await unchanged.json()).users.find((u: { username: string }) => u.username === username).role,
  ).toBe('VIEWER');

  await role.selectOption('OPERATOR');
  await page.getByTestId('confirm-user-change').click();
  await expect(role).toHaveValue('OPERATOR');
});
