import { expect, test } from '@playwright/test';
import { signInAsAdmin } from './helpers';

// Integration engineer: configure a Vector connection bound to the demo depot's scope.
test('a Vector connection needs its reporting asset to be saved, is edited with history, and cannot be enabled without its credentials', async ({
  page,
}) => {
  await signInAsAdmin(page);
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('new-connection').click();

  await page.getByTestId('preset-VECTOR_DERMS').click();
  await expect(page.getByTestId('conn-measurement-config')).toHaveValue('INTERMITTENT');
  await expect(page.getByTestId('conn-interval')).toHaveValue('900');
  await expect(page.getByTestId('conn-measurement-mode')).toHaveValue('ASSET');

  await page.getByTestId('conn-display-name').fill('Vector depot link');
  await page.getByTestId('conn-group-id').fill('VEC42');
  await page.getByTestId('conn-microgrid').selectOption({ label: 'Demo Depot' });
  // The scope list follows the chosen microgrid; each scope shows the circuit it maps to.
  const scope = page.getByTestId('conn-scope');
  await expect(
    scope.locator('option', { hasText: 'Grid connection → Main switchboard' }),
  ).toHaveCount(1);
  await scope.selectOption({ label: 'Grid connection → Main switchboard' });
  await page.getByTestId('conn-peer-url').fill('https://derms.example.com/oscp/cp/2.0');
  await page.getByTestId('conn-save').click();
  // Vector's asset profile: one reporting asset, named before anything is saved.
  await expect(page.getByTestId('behaviour-section')).toContainText(
    'ASSET measurement mode needs the reporting asset id',
  );
  await page.getByTestId('conn-reporting-asset').fill('VEC42-CHARGING');
  await page.getByTestId('conn-save').click();

  await expect(page.getByTestId('state-badge')).toHaveText('CONFIGURED');
  const binding = page.getByTestId('binding');
  await expect(binding).toContainText('VEC42');
  await expect(binding).toContainText('Demo Depot');
  await expect(binding).toContainText('Grid connection');
  await expect(binding).toContainText('Main switchboard');
  await expect(page.getByTestId('last-outbound')).toContainText('None yet');

  await page.getByTestId('edit-connection').click();
  await page.getByTestId('conn-interval').selectOption('300');
  await page.getByTestId('conn-save').click();
  await expect(page.getByTestId('history-entry')).toHaveCount(2);
  await expect(page.getByTestId('history-change').first()).toContainText(
    'measurementPublicationIntervalSeconds: 900 → 300',
  );

  await page.getByTestId('enable-connection').click();
  await page.getByTestId('confirm-enable').click();
  await expect(page.getByRole('dialog')).toContainText(
    'OAuth2 client credentials need this secret name',
  );
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('state-badge')).toHaveText('CONFIGURED');
});
