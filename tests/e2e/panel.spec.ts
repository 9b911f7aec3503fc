import {
  test,
  expect,
  cancelRun,
  completed,
  markAllRead,
  notificationsFor,
  policies,
  runOf,
  setFaults,
  signIn,
  startLongRun,
  startRun,
  trackStreams,
} from './helpers';

test('sign-in says what went wrong, and leads back to the page asked for', async ({ page }) => {
  await page.goto('/t/contoso/operations');
  await expect(page).toHaveURL(/\/login\?next=%2Ft%2Fcontoso%2Foperations/);
  await page.getByLabel('Email').fill('owner@demo.test');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong e-mail or password. Check both and try again.');

  await page.getByLabel('Password').fill('opsux-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/t\/contoso\/operations$/);
  await expect(page.getByRole('heading', { name: 'Operations', exact: true })).toBeVisible();

  // Without a page to return to: the first tenant's overview.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await signIn(page, 'owner@demo.test');
  await expect(page).toHaveURL(/\/t\/contoso$/);
  await expect(page.getByRole('heading', { name: 'Contoso Ltd.' })).toBeVisible();
  await expect(page).toHaveTitle('Contoso Ltd. · opsux');
});

test('a session that ends while a page is open returns to sign-in, then back to that page', async ({ page, context }) => {
  await signIn(page, 'owner@demo.test');
  await page.goto('/t/contoso/operations?type=inventory_sync');
  await expect(page.getByLabel('Type')).toHaveValue('inventory_sync');
  await context.clearCookies();
  // The next call answers 401.
  await page.getByLabel('Status').selectOption('completed');
  await expect(page).toHaveURL(/\/login\?next=.*&expired=1$/);
  await expect(page.getByTestId('session-expired')).toHaveText(
    'Your session ended. Sign in again to continue where you were.',
  );
  await page.getByLabel('Email').fill('owner@demo.test');
  await page.getByLabel('Password').fill('opsux-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/t\/contoso\/operations\?type=inventory_sync&status=completed$/);
  await expect(page.getByLabel('Status')).toHaveValue('completed');
});

// R10, R11, R12, R13, R7: the whole loop of one run in the browser.
test('Sync inventory: toast, already queued, live progress, one notification, Run Detail', async ({ page }) => {
  // Records the title of every toast the page ever shows, however briefly.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __toasts: string[] }).__toasts = seen;
    new MutationObserver((changes) => {
      for (const change of changes)
        for (const node of change.addedNodes)
          if (node instanceof Element)
            for (const title of node.matches('[data-test=toast]') ? [node] : node.querySelectorAll('[data-test=toast]'))
              seen.push(title.querySelector('.toast-title')?.textContent ?? '');
    }).observe(document, { childList: true, subtree: true });
  });
  await signIn(page, 'owner@demo.test');
  await markAllRead(page);
  await expect(page.getByTestId('unread-count')).toBeHidden();

  // A slow provider: the sync's listing takes a few seconds, long enough to watch.
  await setFaults('contoso', { latency_ms: 1500 });
  await page.getByRole('button', { name: 'Sync inventory' }).click();
  const queued = page.getByTestId('toast').filter({ hasText: 'Inventory sync queued' });
  await expect(queued).toBeVisible();
  await expect(page.getByRole('status').filter({ has: queued })).toBeVisible();
  const runUrl = await queued.getByRole('link', { name: 'View run' }).getAttribute('href');
  expect(runUrl).toMatch(/^\/t\/contoso\/operations\/[0-9a-f-]{36}$/);
  const runId = runUrl!.split('/').pop()!;

  // Pressed again while the run is active: the same run, "already queued" (R4, R10).
  await page.getByRole('button', { name: 'Sync inventory' }).click();
  const again = page.getByTestId('toast').filter({ hasText: 'Inventory sync already queued' });
  await expect(again).toBeVisible();
  await expect(again.getByRole('link', { name: 'View run' })).toHaveAttribute('href', runUrl!);

  // The toast's View run opens Run Detail, live while the run is active.
  await queued.getByRole('link', { name: 'View run' }).click();
  await expect(page).toHaveURL(runUrl!);
  const detail = page.getByTestId('run-detail');
  await expect(detail.getByRole('heading', { name: 'Inventory sync' })).toBeVisible();
  await expect(page).toHaveTitle('Inventory sync · Run · opsux');
  const live = page.getByTestId('live-progress');
  await expect(live.getByRole('progressbar')).toBeVisible();
  await expect(live).not.toContainText('%');

  // The widget lists it with its progress.
  await page.getByRole('button', { name: 'Active operations' }).click();
  const widget = page.getByRole('region', { name: 'Active operations' });
  const item = widget.locator(`[data-run-id="${runId}"]`);
  await expect(item).toBeVisible();
  await expect(item.getByRole('progressbar')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(widget).toBeHidden();

  // It ends: Run Detail turns terminal in place, the widget drops it, no completion toast.
  await expect(detail.getByTestId('run-badge')).toHaveText('Succeeded', { timeout: 30_000 });
  await expect(live).toBeHidden();
  // The simulator's contoso has 240 policies.
  await expect(page.getByTestId('counts').locator('[data-key=total] dd')).toHaveText('240');
  await expect(page.getByTestId('counts').locator('[data-key=succeeded] dd')).toHaveText('240');
  await page.getByRole('button', { name: 'Active operations' }).click();
  await expect(widget.locator(`[data-run-id="${runId}"]`)).toHaveCount(0);
  // No toast ever spoke of the end (R10): every toast this page showed was recorded.
  const toastTitles = await page.evaluate(() => (window as unknown as { __toasts: string[] }).__toasts);
  expect(toastTitles).toEqual(['Inventory sync queued', 'Inventory sync already queued']);

  // Exactly one notification, with the unread count.
  await expect(page.getByTestId('unread-count')).toHaveText('1');
  await page.getByRole('button', { name: 'Notifications' }).click();
  const panel = page.getByRole('region', { name: 'Notifications' });
  const mine = panel.getByTestId('notification').filter({ has: page.locator(`a[href="${runUrl}"]`) });
  await expect(mine).toHaveCount(1);
  await expect(mine).toHaveAttribute('data-unread', 'true');
  await expect(mine).toContainText('Inventory sync completed');
  expect(await notificationsFor(page, runId)).toHaveLength(1);

  // Opening it marks it read and lands on Run Detail with the outcome and counts.
  await page.goto('/t/contoso');
  await page.getByRole('button', { name: 'Notifications' }).click();
  await mine.getByRole('link', { name: 'View run' }).click();
  await expect(page).toHaveURL(runUrl!);
  await expect(page.getByTestId('run-detail').getByTestId('run-badge')).toHaveText('Succeeded');
  await expect(page.getByTestId('unread-count')).toBeHidden();
  expect((await notificationsFor(page, runId))[0].read_at).not.toBeNull();
});

test('Mark all read clears the unread count', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  await markAllRead(page);
  const started = await startRun(page, 'fabrikam', 'entra_group_sync', {});
  await completed(page, 'fabrikam', started.run.id);
  await expect(page.getByTestId('unread-count')).toHaveText('1');
  await page.getByRole('button', { name: 'Notifications' }).click();
  await page.getByRole('button', { name: 'Mark all read' }).click();
  await expect(page.getByTestId('unread-count')).toBeHidden();
  await expect(page.getByRole('region', { name: 'Notifications' }).getByTestId('notification').first())
    .toHaveAttribute('data-unread', 'false');
  // Escape closes the panel and gives focus back to the bell.
  await page.keyboard.press('Escape');
  await expect(page.getByRole('region', { name: 'Notifications' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Notifications' })).toBeFocused();
});

// R9: cancel from Run Detail, with a confirm step; R7: its progress while it runs.
test('Cancel run from Run Detail ends it cancelled with one notification', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  const started = await startLongRun(page, 'fabrikam');
  await page.goto(started.view_run_url);
  await expect(page.getByTestId('run-detail').getByTestId('run-badge')).toHaveText('Running', { timeout: 15_000 });
  // An export knows its total: the bar is determinate, the label counts items.
  const bar = page.getByTestId('live-progress').getByRole('progressbar');
  await expect(bar).toHaveAttribute('aria-valuenow', /^\d+$/);
  await expect(page.getByTestId('live-progress').getByTestId('progress-label')).toHaveText(/^\d+\/100$/);
  await page.getByRole('button', { name: 'Cancel run', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this run?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Yes, cancel run' }).click();
  await expect(page.getByTestId('run-detail').getByTestId('run-badge')).toHaveText('Cancelled', { timeout: 15_000 });
  await expect(page.getByTestId('failure-reason')).toHaveCount(0);
  await expect.poll(async () => (await notificationsFor(page, started.run.id)).length).toBe(1);
  const [notification] = await notificationsFor(page, started.run.id);
  expect(notification.title).toBe('Policy export cancelled');
});

// R16: a reader is not offered what the role does not allow; an outsider sees not-found.
test('a reader sees no start or cancel buttons; a forced start is refused', async ({ browser }) => {
  const owner = await browser.newPage();
  await signIn(owner, 'owner@demo.test');
  const started = await startLongRun(owner, 'contoso');

  const reader = await browser.newPage();
  await signIn(reader, 'reader@demo.test');
  await expect(reader).toHaveURL(/\/t\/contoso$/);
  await expect(reader.getByTestId('read-only-notice')).toBeVisible();
  await expect(reader.getByRole('button', { name: 'Sync inventory' })).toHaveCount(0);
  await expect(reader.getByRole('button', { name: 'Sync groups' })).toHaveCount(0);
  await reader.goto(started.view_run_url);
  await expect(reader.getByTestId('run-detail').getByTestId('run-badge')).toHaveText(/Queued|Running/);
  await expect(reader.getByTestId('live-progress')).toBeVisible();
  await expect(reader.getByRole('button', { name: 'Cancel run', exact: true })).toHaveCount(0);
  const forced = await reader.request.post('/api/t/contoso/operations', {
    headers: { origin: new URL(reader.url()).origin },
    data: { type: 'inventory_sync', params: {} },
  });
  expect(forced.status()).toBe(403);

  await cancelRun(owner, 'contoso', started.run.id);
  await completed(owner, 'contoso', started.run.id);
});

test('an outsider gets the same not-found page for a real run, a tenant and nonsense', async ({ browser }) => {
  const owner = await browser.newPage();
  await signIn(owner, 'owner@demo.test');
  const started = await startRun(owner, 'contoso', 'inventory_sync', {});

  const outsider = await browser.newPage();
  await signIn(outsider, 'outsider@demo.test');
  const texts: string[] = [];
  for (const path of [started.view_run_url, '/t/contoso', '/t/contoso/operations', '/t/no-such-tenant', '/no/such/page']) {
    await outsider.goto(path);
    const notFound = outsider.getByTestId('not-found');
    await expect(notFound).toBeVisible();
    texts.push(await notFound.innerText());
  }
  expect(new Set(texts).size).toBe(1);
  await expect(outsider.getByText('Inventory sync')).toHaveCount(0);
});

test('signing out ends the live streams', async ({ page }) => {
  const states = await trackStreams(page);
  await signIn(page, 'owner@demo.test');
  // The tenant's active runs and the notifications are streaming.
  const [OPEN, CLOSED] = [1, 2];
  await expect.poll(async () => (await states()).filter((s) => s === OPEN).length).toBeGreaterThanOrEqual(2);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect.poll(async () => (await states()).every((s) => s === CLOSED)).toBe(true);
});

// R18: whatever a run carries is shown as text, never as HTML — here what the tenant's
// provider said; hostile parameters never get as far as a run.
test('hostile provider messages render as text; hostile parameters are refused', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  const [policy] = await policies(page, 'contoso');
  const refused = await page.request.post('/api/t/contoso/operations', {
    headers: { origin: new URL(page.url()).origin },
    data: { type: 'policy_export', params: { policy_ids: [policy.id], note: '<img src=x onerror="window.__pwned=1">' } },
  });
  expect(refused.status()).toBe(422);
  expect((await refused.json()).error.message).toBe('params.note: unknown parameter; this operation takes policy_ids');

  const hostile = '<script>window.__pwned=2</script> export <b>broke</b> <img src=x onerror="window.__pwned=1">';
  await setFaults('contoso', { status: 400, message: hostile });
  const started = await startRun(page, 'contoso', 'policy_export', { policy_ids: [policy.id] });
  await completed(page, 'contoso', started.run.id);
  await page.goto(started.view_run_url);
  await expect(page.getByTestId('run-detail').getByTestId('run-badge')).toHaveText('Failed');
  await expect(page.getByTestId('failures')).toContainText(
    `policy “${policy.name}”: the provider refused the request (400): ${hostile}`,
  );
  await expect(page.getByTestId('run-params')).toContainText(policy.id);
  await expect(page.locator('img[src=x], main script, main b')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});

test('the operations list filters by URL, pages with Load more, and updates live', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  // Enough finished runs in fabrikam for a second page (one policy unignored each), and one
  // cancelled.
  for (const policy of (await policies(page, 'fabrikam')).slice(0, 26)) {
    await startRun(page, 'fabrikam', 'policy_unignore', { policy_ids: [policy.id] });
  }
  const toCancel = await startLongRun(page, 'fabrikam');
  await cancelRun(page, 'fabrikam', toCancel.run.id);
  await completed(page, 'fabrikam', toCancel.run.id);

  await page.goto('/t/fabrikam/operations');
  const rows = page.getByTestId('run-row');
  const loaded = page.locator('[data-test=runs-table] tbody[aria-busy=false]');
  await expect(loaded).toHaveCount(1);
  await expect(rows).toHaveCount(25);
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect.poll(async () => rows.count()).toBeGreaterThan(25);

  // A run started elsewhere appears on top and changes in place, without a reload.
  const started = await startRun(page, 'fabrikam', 'entra_group_sync', {});
  const row = page.locator(`[data-test=run-row][data-run-id="${started.run.id}"]`);
  await expect(row).toBeVisible();
  await expect(rows.first()).toHaveAttribute('data-run-id', started.run.id);
  await expect(row.getByTestId('run-badge')).toHaveText('Succeeded', { timeout: 15_000 });

  // Filters live in the URL, so a filtered list can be shared and reloaded.
  await page.getByLabel('Type').selectOption('policy_export');
  await expect(page).toHaveURL(/type=policy_export/);
  await expect(loaded).toHaveCount(1);
  await expect(rows.getByText('Entra group sync')).toHaveCount(0);
  await page.getByLabel('Outcome').selectOption('cancelled');
  await expect(page).toHaveURL(/type=policy_export&outcome=cancelled/);
  await page.reload();
  await expect(loaded).toHaveCount(1);
  await expect(page.getByLabel('Type')).toHaveValue('policy_export');
  await expect(page.getByLabel('Outcome')).toHaveValue('cancelled');
  await expect(rows).not.toHaveCount(0);
  const texts = await rows.allInnerTexts();
  for (const text of texts) expect(text).toMatch(/Policy export[\s\S]*Cancelled/);
  await expect(page.locator(`[data-test=run-row][data-run-id="${toCancel.run.id}"]`)).toBeVisible();

  // Following the navigation clears the filters, and the drop-downs follow the URL.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operations' }).click();
  await expect(page).toHaveURL(/\/t\/fabrikam\/operations$/);
  await expect(page.getByLabel('Type')).toHaveValue('');
  await expect(page.getByLabel('Outcome')).toHaveValue('');
});

test('switching tenants keeps the page working, with its own live runs', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  // Contoso's list answers only once the person has moved on to fabrikam: the late answer
  // must find nothing of the old page to touch (the fixture fails on any page error).
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const contosoList = (url: URL) => url.pathname === '/api/t/contoso/operations';
  await page.route(contosoList, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/t/contoso/operations');
  await page.getByLabel('Tenant').selectOption('fabrikam');
  await expect(page).toHaveURL(/\/t\/fabrikam\/operations$/);
  const late = page.waitForResponse((response) => contosoList(new URL(response.url())));
  release();
  await late;
  await page.unroute(contosoList);
  await page.getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByRole('heading', { name: 'Fabrikam Inc.' })).toBeVisible();
  // Clicks and Escape after the old tenant's frame is gone (the fixture fails on page errors).
  await page.getByRole('button', { name: 'Active operations' }).click();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Notifications' }).click();
  await page.keyboard.press('Escape');
  const started = await startLongRun(page, 'fabrikam');
  await page.getByRole('button', { name: 'Active operations' }).click();
  const item = page.getByRole('region', { name: 'Active operations' }).locator(`[data-run-id="${started.run.id}"]`);
  await expect(item).toBeVisible();
  await cancelRun(page, 'fabrikam', started.run.id);
  await expect(item).toHaveCount(0);
  await completed(page, 'fabrikam', started.run.id);
});

// Run again: an ended run's detail starts the same operation with the same parameters, through
// the one start path (its toast leads to the new run); a reader is not offered it.
test('Run again starts the same operation with the same parameters', async ({ page, browser }) => {
  await signIn(page, 'owner@demo.test');
  const picked = (await policies(page, 'contoso')).slice(0, 2).map((p) => p.id);
  const first = await startRun(page, 'contoso', 'policy_export', { policy_ids: picked });
  await completed(page, 'contoso', first.run.id);
  await page.goto(`/t/contoso/operations/${first.run.id}`);
  const answer = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/t/contoso/operations',
  );
  await page.getByRole('button', { name: 'Run again' }).click();
  const body = await (await answer).json();
  expect(body.toast.title).toBe('Policy export queued');
  expect(body.run.id).not.toBe(first.run.id);
  const toast = page.getByTestId('toast').filter({ hasText: 'Policy export queued' });
  await toast.getByRole('link', { name: 'View run' }).click();
  await expect(page.getByTestId('run-detail')).toHaveAttribute('data-run-id', body.run.id);
  const params = async (id: string) =>
    (await (await page.request.get(`/api/t/contoso/operations/${id}`)).json()).context.params;
  expect(await params(body.run.id)).toEqual(await params(first.run.id));
  await completed(page, 'contoso', body.run.id);

  const reader = await browser.newPage();
  await signIn(reader, 'reader@demo.test');
  await reader.goto(`/t/contoso/operations/${first.run.id}`);
  await expect(reader.getByTestId('run-detail')).toBeVisible();
  await expect(reader.getByRole('button', { name: 'Run again' })).toHaveCount(0);
  await reader.close();
});

test('the overview shows how each operation last ended, what failed and why, and 30 days of outcomes', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  const [policy] = await policies(page, 'contoso');
  await setFaults('contoso', { status: 400, message: 'export refused' });
  const failed = await startRun(page, 'contoso', 'policy_export', { policy_ids: [policy.id] });
  await completed(page, 'contoso', failed.run.id);
  await setFaults('contoso', {});

  await page.goto('/t/contoso');
  const last = page.getByTestId('overview-last-runs');
  await expect(last.locator('[data-type=policy_export]')).toContainText('Last policy export');
  await expect(last.locator('[data-type=policy_export]').getByTestId('run-badge')).toHaveText('Failed');

  const failures = page.getByTestId('overview-failures');
  await expect(failures.getByTestId('overview-failure').first()).toContainText('Policy export');
  await expect(failures.getByTestId('overview-reasons').first()).not.toBeEmpty();
  const total = Number(await failures.getByTestId('overview-failures-total').textContent());
  expect(total).toBeGreaterThanOrEqual(1);

  // The chart is named for what it shows; its numbers are also a table.
  const chart = page.getByRole('img', { name: /^Runs ended per day, last 30 days: \d+ in all, \d+ failed or partly succeeded$/ });
  await expect(chart).toBeVisible();
  await expect(chart.locator('rect[data-tone=danger]').first()).toBeAttached();
  await page.getByText('Show as a table').click();
  const today = new Date().toISOString().slice(0, 10);
  await expect(page.getByTestId('overview-chart-table').getByRole('row', { name: new RegExp(today) })).toBeVisible();

  // A run that ends while the page is open shows without a reload.
  const again = await startRun(page, 'contoso', 'policy_export', { policy_ids: [policy.id] });
  await completed(page, 'contoso', again.run.id);
  await expect(last.locator('[data-type=policy_export]').getByTestId('run-badge')).toHaveText('Succeeded');
  await expect(page.getByRole('heading', { name: 'Running now' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Next backups' })).toBeVisible();
});
