import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { signInAsAdmin } from './helpers';

// Every screen of the console fits a 1280 px laptop screen: the page never scrolls sideways, and
// every table fits its card without a scroll bar of its own.

const LAPTOP = { width: 1280, height: 800 };

/** The console's routes as App.tsx declares them, so a new page cannot be left out here. */
function consoleRoutes(): string[] {
  const app = readFileSync(new URL('../../packages/web/src/App.tsx', import.meta.url), 'utf8');
  const paths = [...app.matchAll(/<Route\s+path="([^"]+)"/g)].map((m) => m[1]!);
  return [...(/<Route\s+index\b/.test(app) ? ['/'] : []), ...paths];
}

async function ids(page: Page) {
  const microgrids = (await (await page.request.get('/api/microgrids')).json()) as {
    microgrids: { circuits: { id: string }[] }[];
  };
  const connections = (await (await page.request.get('/api/oscp-connections')).json()) as {
    connections: { id: string }[];
  };
  return {
    circuit: microgrids.microgrids[0]!.circuits[0]!.id,
    connection: connections.connections[0]!.id,
  };
}

/** Where a route is visited: parameters filled with the demo depot's circuit and connection. */
function address(route: string, id: { circuit: string; connection: string }): string {
  if (route === '*') return '/no-such-page';
  const path = route.startsWith('/') ? route : `/${route}`;
  return path
    .replace('circuits/:id', `circuits/${id.circuit}`)
    .replace('connections/:id', `connections/${id.connection}`);
}

/**
 * Tables wider than the card (or, outside a card, the page content) they stand in: such a table
 * needs a sideways scroll bar to be read at this width.
 */
async function overflowingTables(page: Page) {
  return page.locator('table').evaluateAll((tables) =>
    tables
      .filter((t) => {
        const card = t.closest('.mantine-Paper-root, main');
        return card !== null && t.getBoundingClientRect().width > card.clientWidth + 1;
      })
      .map((t) => t.getAttribute('data-testid') ?? t.outerHTML.slice(0, 80)),
  );
}

/** The page's full width and the window's: wider means it scrolls sideways. */
const pageWidths = (page: Page) =>
  page.locator('html').evaluate((html) => ({ scroll: html.scrollWidth, client: html.clientWidth }));

test('every console page fits a 1280 px wide window', async ({ page }) => {
  await page.setViewportSize(LAPTOP);
  await signInAsAdmin(page);
  const id = await ids(page);
  const routes = consoleRoutes();
  expect(routes).toEqual(expect.arrayContaining(['/', '/login', 'circuits/:id', '*']));

  for (const route of routes) {
    if (route === '/login') {
      // The sign-in page shows only when signed out: checked last.
      continue;
    }
    await page.goto(address(route, id));
    await expect(page.getByTestId('loading')).toHaveCount(0);
    await expect(
      page.locator('[data-testid="page-title"], [data-testid="not-found"]').first(),
    ).toBeVisible();
    const widths = await pageWidths(page);
    expect(widths.scroll, `${route} scrolls sideways`).toBeLessThanOrEqual(widths.client);
    expect(await overflowingTables(page), `${route} has a table wider than its card`).toEqual([]);
  }

  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('login-submit')).toBeVisible();
  const login = await pageWidths(page);
  expect(login.scroll, '/login scrolls sideways').toBeLessThanOrEqual(login.client);
});
