import {
  test,
  expect,
  completed,
  markAllRead,
  notificationsFor,
  policies,
  setFaults,
  signIn,
} from './helpers';

/** The run id of the `View run` link of the toast titled `title`. */
async function runOfToast(page: import('@playwright/test').Page, title: string) {
  const toast = page.getByTestId('toast').filter({ hasText: title });
  await expect(toast).toBeVisible();
  const href = await toast.getByRole('link', { name: 'View run' }).getAttribute('href');
  return { toast, href: href!, id: href!.split('/').pop()! };
}

// S1: a sync started from the empty Policies page fills it when the run ends; one notification.
test('S1: Sync inventory from the empty Policies page lists the policies when it ends', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  await markAllRead(page);
  await page.goto('/t/fabrikam/policies');
  await expect(page).toHaveTitle('Policies · Fabrikam Inc. · opsux');
  const empty = page.getByTestId('policies-empty');
  await expect(empty).toContainText('No policies here yet');
  await empty.getByRole('button', { name: 'Sync inventory' }).click();
  const { id } = await runOfToast(page, 'Inventory sync queued');

  // No reload: the page reads the list again when the sync ends. Fabrikam has 120 policies.
  const rows = page.getByTestId('policy-row');
  await expect(rows).toHaveCount(50, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(rows).toHaveCount(100);
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(rows).toHaveCount(120);
  await expect(page.getByRole('button', { name: 'Load more' })).toHaveCount(0);
  await expect.poll(async () => (await notificationsFor(page, id)).length).toBe(1);
});

// S4: a bulk export of a page of policies with the provider failing a third of them.
test('S4: Export of a picked page ends with failures, counts and a downloadable file', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  const firstPage = (await policies(page, 'contoso')).slice(0, 50);
  const failing = firstPage.filter((_, n) => n % 3 === 0).map((p) => p.provider_id);
  await setFaults('contoso', { failing_policies: failing, failing_status: 500 });
  await page.goto('/t/contoso/policies');
  await expect(page.getByTestId('policy-row')).toHaveCount(50);
  const bar = page.getByRole('region', { name: 'Selected policies' });
  await expect(bar).toBeHidden();
  await page.getByRole('checkbox', { name: 'Select all listed' }).check();
  await expect(bar.getByTestId('picked-count')).toHaveText('50 selected');
  await bar.getByRole('button', { name: 'Export' }).click();
  const { toast, id } = await runOfToast(page, 'Policy export queued');
  // The start answered; the picks are cleared.
  await expect(bar).toBeHidden();

  await toast.getByRole('link', { name: 'View run' }).click();
  const detail = page.getByTestId('run-detail');
  await expect(detail.getByTestId('run-badge')).toHaveText('Partially succeeded', { timeout: 30_000 });
  const counts = page.getByTestId('counts');
  await expect(counts.locator('[data-key=total] dd')).toHaveText('50');
  await expect(counts.locator('[data-key=failed] dd')).toHaveText(String(failing.length));
  await expect(counts.locator('[data-key=succeeded] dd')).toHaveText(String(50 - failing.length));
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: /^Download policy-export-.*\.json$/ }).click();
  expect((await download).suggestedFilename()).toBe(`policy-export-${id}.json`);

  await expect.poll(async () => (await notificationsFor(page, id)).length).toBe(1);
  const [notification] = await notificationsFor(page, id);
  expect(notification.title).toBe('Policy export completed with failures');
});

// S4: with every picked policy failing, the circuit breaker ends the export.
test('S4: Export with the provider failing every policy stops at the circuit breaker', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  const picked = (await policies(page, 'contoso')).slice(0, 8);
  await setFaults('contoso', { failing_policies: picked.map((p) => p.provider_id), failing_status: 500 });
  await page.goto('/t/contoso/policies');
  for (const policy of picked) {
    await page.getByRole('checkbox', { name: `Select ${policy.name}` }).check();
  }
  const bar = page.getByRole('region', { name: 'Selected policies' });
  await expect(bar.getByTestId('picked-count')).toHaveText('8 selected');
  await bar.getByRole('button', { name: 'Export' }).click();
  const { id } = await runOfToast(page, 'Policy export queued');
  const run = await completed(page, 'contoso', id);
  expect(run.outcome).toBe('failed');
  expect(run.reason_code).toBe('circuit_breaker_open');
  expect(run.summary_counts.processed).toBe(5);
  await expect.poll(async () => (await notificationsFor(page, id)).length).toBe(1);
  expect((await notificationsFor(page, id))[0].title).toBe('Policy export failed');
});

// A captured version pushed back from the policy's page, after a confirm step.
test('a policy version is restored from its page after confirming what is pushed', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  const [policy] = await policies(page, 'contoso');
  await page.goto('/t/contoso/policies');
  await page.getByRole('link', { name: policy.name, exact: true }).click();
  await expect(page).toHaveURL(`/t/contoso/policies/${policy.id}`);
  await expect(page.getByRole('heading', { name: policy.name })).toBeVisible();
  const version = page.getByTestId('version').first();
  await version.getByRole('button', { name: 'Restore this version' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('restore-snapshot')).toContainText(policy.provider_id);
  await dialog.getByRole('button', { name: 'Yes, restore this version' }).click();
  await expect(dialog).toBeHidden();
  const { id } = await runOfToast(page, 'Policy version restore queued');
  const run = await completed(page, 'contoso', id);
  expect(run.outcome).toBe('succeeded');
});

// S1 for groups, and R16: a reader is offered none of these actions.
test('groups are synced from their page; a reader sees the lists without actions', async ({ page, browser }) => {
  await signIn(page, 'owner@demo.test');
  await page.goto('/t/contoso/groups');
  await page.getByRole('button', { name: 'Sync groups' }).click();
  await runOfToast(page, 'Entra group sync queued');
  await expect(page.getByTestId('group-row')).toHaveCount(50, { timeout: 30_000 });

  const reader = await browser.newPage();
  const readerErrors: string[] = [];
  reader.on('pageerror', (err) => readerErrors.push(err.message));
  await signIn(reader, 'reader@demo.test');
  await reader.goto('/t/contoso/policies');
  await expect(reader.getByTestId('policy-row').first()).toBeVisible();
  await expect(reader.getByRole('checkbox')).toHaveCount(0);
  await expect(reader.getByTestId('bulk-bar')).toHaveCount(0);
  await reader.getByTestId('policy-row').first().getByRole('link').click();
  await expect(reader.getByTestId('version').first()).toBeVisible();
  await expect(reader.getByRole('button', { name: 'Restore this version' })).toHaveCount(0);
  await reader.goto('/t/contoso/groups');
  await expect(reader.getByTestId('group-row').first()).toBeVisible();
  await expect(reader.getByRole('button', { name: 'Sync groups' })).toHaveCount(0);
  expect(readerErrors).toEqual([]);
  await reader.close();
});

// The filters of the Policies page live in the URL; the kinds offered are the tenant's own.
test('policies are filtered by kind and ignored flag, kept in the URL', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  await policies(page, 'contoso');
  await page.goto('/t/contoso/policies');
  await page.getByLabel('Kind').selectOption('iosGeneralDeviceConfiguration');
  await expect(page).toHaveURL(/\/t\/contoso\/policies\?kind=iosGeneralDeviceConfiguration$/);
  const rows = page.getByTestId('policy-row');
  await expect(rows.first()).toBeVisible();
  for (const kind of await rows.locator('code.kind').allInnerTexts()) expect(kind).toBe('iosGeneralDeviceConfiguration');
  await page.getByLabel('Ignored').selectOption('true');
  await expect(page).toHaveURL(/ignored=true&kind=iosGeneralDeviceConfiguration$/);
  await page.reload();
  await expect(page.getByLabel('Kind')).toHaveValue('iosGeneralDeviceConfiguration');
  await expect(page.getByLabel('Ignored')).toHaveValue('true');
  await expect(page.getByTestId('policies-empty')).toHaveText('No policies match these filters.');
});
