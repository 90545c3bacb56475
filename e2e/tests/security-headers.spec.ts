import { expect, test } from '@playwright/test';
import { signInAsAdmin } from './helpers';

// The console runs under its own Content Security Policy (no inline scripts, no framing): every
// page renders with no violation reported, and the headers are on the pages themselves.

test('the console works under its Content Security Policy, with no violation on any main page', async ({
  page,
}) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  // Runs in the page (a string: this project's types know no DOM).
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) =>
      console.error('Content Security Policy violation: ' + event.violatedDirective + ' ' + event.blockedURI + ' at ' + location.pathname + ' ' + event.sourceFile + ':' + event.lineNumber));`,
  });

  const home = await page.goto('/');
  const headers = home!.headers();
  expect(headers['content-security-policy']).toContain("script-src 'self'");
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');

  await signInAsAdmin(page);
  const pages = [
    'nav-depot',
    'nav-model',
    'nav-connections',
    'nav-notifications',
    'nav-secrets',
    'nav-users',
    'nav-tokens',
  ];
  for (const nav of pages) {
    await page.getByTestId(nav).click();
    await expect(page.getByTestId('page-title')).toBeVisible();
    await expect(page.getByTestId('loading')).toHaveCount(0);
  }
  // The circuit page draws its chart on a canvas.
  const microgrids = (await (await page.request.get('/api/microgrids')).json()) as {
    microgrids: { circuits: { id: string }[] }[];
  };
  await page.goto(`/circuits/${microgrids.microgrids[0]!.circuits[0]!.id}`);
  await expect(page.getByTestId('page-title')).toBeVisible();
  await expect(page.locator('canvas').first()).toBeVisible();
  await page.goto('/api/docs');
  await expect(page.locator('.swagger-ui .info').first()).toBeVisible();
  expect(violations).toEqual([]);
});
