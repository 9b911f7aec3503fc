import { test, expect, signIn } from './helpers';

// R16, R19: the workspace's owners add a tenant, rename it and connect it to its provider (the
// Graph simulator's contoso directory here), then test the connection; anyone else is not
// shown the page.

const simulator = `http://127.0.0.1:${process.env.OPSUX_E2E_SIMULATOR_PORT ?? 4176}`;

test('an owner adds a tenant, renames it, connects it and tests the connection', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  await page.getByTestId('workspace-link').click();
  await expect(page.getByRole('heading', { name: 'Workspace', level: 1 })).toBeVisible();
  const slug = `branch-${Date.now() % 100000}`;
  const add = page.getByTestId('add-tenant');
  await add.getByLabel('Slug').fill(slug);
  await add.getByLabel('Name').fill('Branch office');
  await add.getByRole('button', { name: 'Add tenant' }).click();
  const row = page.getByTestId('workspace-tenant').filter({ hasText: slug });
  await expect(row).toContainText('Not connected');
  // The owner owns it: the tenant switcher offers it.
  await expect(page.getByTestId('tenant-switcher').locator('option', { hasText: 'Branch office' })).toHaveCount(1);

  await row.getByRole('button', { name: 'Rename Branch office' }).click();
  await page.getByTestId('rename-tenant').getByLabel('New name').fill('Branch office EMEA');
  await page.getByTestId('rename-tenant').getByRole('button', { name: 'Save' }).click();
  const renamed = page.getByTestId('workspace-tenant').filter({ hasText: 'Branch office EMEA' });
  await expect(renamed).toBeVisible();

  await renamed.getByRole('button', { name: 'Connect Branch office EMEA' }).click();
  const form = page.getByTestId('connect-tenant');
  await form.getByLabel('Directory (tenant) id').fill('11111111-1111-4111-8111-111111111111');
  await form.getByLabel('Client (application) id').fill('opsux-demo-contoso');
  await form.getByLabel('Client secret').fill('not the secret');
  await form.locator('summary').click();
  await form.getByLabel('Sign-in URL').fill(simulator);
  await form.getByLabel('Graph URL').fill(`${simulator}/v1.0`);
  await form.getByRole('button', { name: 'Check and connect' }).click();
  await expect(form.getByRole('alert')).toContainText('the credentials were not stored');
  await form.getByLabel('Client secret').fill('contoso-demo-secret');
  await form.getByRole('button', { name: 'Check and connect' }).click();
  await expect(renamed).toContainText('Connected');
  await renamed.getByTestId('test-connection').click();
  await expect(renamed.getByTestId('connection-check')).toContainText('Works');

  // Each change is in the tenant's audit log.
  await page.goto(`/t/${slug}/audit-log`);
  for (const action of ['tenant.add', 'tenant.rename', 'tenant.connect']) {
    await expect(page.getByTestId('audit-entry').filter({ hasText: action })).toHaveCount(1);
  }
});

test('someone who does not own the workspace is not shown it', async ({ page }) => {
  await signIn(page, 'reader@demo.test');
  await expect(page.getByTestId('workspace-link')).toHaveCount(0);
  await page.goto('/workspace');
  await expect(page.getByTestId('not-found')).toBeVisible();
});
