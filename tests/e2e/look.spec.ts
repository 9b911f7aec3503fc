import type { Page } from '@playwright/test';
import {
  test,
  expect,
  cancelRun,
  completed,
  expectAccessible,
  expectFitsPhone,
  markAllRead,
  policies,
  setFaults,
  signIn,
  startLongRun,
  startRun,
} from './helpers';

// Every page and state at laptop and phone widths, light and dark: checked by axe-core (no
// serious or critical violation), at 390 × 844 for a phone's fit (nothing off-screen, no
// sideways scroll, tap targets of 44 px), and kept as screenshots in
// tests/artifacts/screenshots/ for a person to look at.
const SIZES = [
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const SCHEMES = ['light', 'dark'] as const;
const embedPort = Number(process.env.OPSUX_E2E_EMBED_PORT ?? 4174);

async function capture(page: Page, name: string, prepare?: () => Promise<void>) {
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      if (prepare) await prepare();
      await page.screenshot({
        path: `artifacts/screenshots/${name}-${size.name}-${scheme}.png`,
        fullPage: true,
      });
      if (size.name === 'laptop') await expectAccessible(page, `${name} (${scheme})`);
      if (size.name === 'phone' && scheme === 'light') await expectFitsPhone(page, name);
    }
  }
}

test('every page is accessible and captured at both widths in both schemes', async ({ page, baseURL, browser }) => {
  test.setTimeout(180_000);
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await capture(page, 'login');
  await page.getByLabel('Email').fill('owner@demo.test');
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('login-error')).toBeVisible();
  await capture(page, 'login-error');

  await signIn(page, 'owner@demo.test');
  await markAllRead(page);
  await capture(page, 'overview');

  // A finished run with failures (three policies deleted at the provider since the sync), and
  // one failed outright (the app lost a permission): Run Detail's terminal states.
  const nine = (await policies(page, 'contoso')).slice(0, 9);
  const gone = nine.filter((_, n) => n % 3 === 2).map((p) => p.provider_id);
  await setFaults('contoso', { failing_policies: gone, failing_status: 404 });
  const partial = await startRun(page, 'contoso', 'policy_export', { policy_ids: nine.map((p) => p.id) });
  await completed(page, 'contoso', partial.run.id);
  await setFaults('contoso', { status: 403 });
  const failed = await startRun(page, 'contoso', 'entra_group_sync', {});
  await completed(page, 'contoso', failed.run.id);
  await setFaults('contoso', {});
  await page.goto(partial.view_run_url);
  await expect(page.getByTestId('run-detail').getByTestId('run-badge')).toHaveText('Partially succeeded');
  await capture(page, 'run-detail-partial');
  await page.goto(failed.view_run_url);
  await expect(page.getByTestId('failure-reason')).toBeVisible();
  await capture(page, 'run-detail-failed');

  // The toast of a start.
  await page.goto('/t/contoso');
  await page.getByRole('button', { name: 'Sync groups' }).click();
  const toast = page.getByTestId('toast').first();
  await expect(toast).toBeVisible();
  const groupsRun = (await toast.getByRole('link', { name: 'View run' }).getAttribute('href'))!.split('/').pop()!;
  await capture(page, 'overview-toast');

  // Live: a long run, seen in the widget, the list and Run Detail; then cancelled.
  // Slow enough (100 policies at 2 s each) to outlast the captures; cancelled below.
  const live = await startLongRun(page, 'contoso', 100, 2000);
  await page.goto('/t/contoso');
  await page.getByRole('button', { name: 'Active operations' }).click();
  await expect(page.getByRole('region', { name: 'Active operations' }).getByRole('progressbar').first()).toBeVisible();
  await capture(page, 'active-operations');
  await page.keyboard.press('Escape');
  await page.goto('/t/contoso/operations');
  await expect(page.getByTestId('run-row').first()).toBeVisible();
  await capture(page, 'operations');
  await page.goto(live.view_run_url);
  await expect(page.getByTestId('live-progress')).toBeVisible();
  await capture(page, 'run-detail-live');
  await page.getByRole('button', { name: 'Cancel run', exact: true }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await capture(page, 'cancel-dialog');
  await page.getByRole('button', { name: 'Yes, cancel run' }).click();
  await completed(page, 'contoso', live.run.id);

  await page.getByRole('button', { name: 'Notifications' }).click();
  await expect(page.getByRole('region', { name: 'Notifications' }).getByTestId('notification').first()).toBeVisible();
  await capture(page, 'notifications');
  await page.keyboard.press('Escape');

  await page.goto('/t/contoso/policies');
  await expect(page.getByTestId('policy-row').first()).toBeVisible();
  await page.getByTestId('policy-row').nth(1).getByRole('checkbox').check();
  await capture(page, 'policies');
  await page.getByTestId('policy-row').first().getByRole('link').click();
  await expect(page.getByTestId('version').first()).toBeVisible();
  await capture(page, 'policy');
  await page.goto('/t/fabrikam/groups');
  await expect(page.getByTestId('groups-empty').or(page.getByTestId('group-row').first())).toBeVisible();
  await capture(page, 'groups');

  // The schedules, sets and audit entries shown are those backups.spec.ts made (it runs first).
  await page.goto('/t/contoso/backups');
  await expect(page.getByTestId('schedule').first()).toBeVisible();
  await capture(page, 'backups');
  await page.getByTestId('backup-set-row').first().getByRole('link').click();
  await expect(page.getByTestId('backup-item').first()).toBeVisible();
  await capture(page, 'backup-set');
  await page.goto('/t/contoso/restore-runs');
  await expect(page.getByRole('form', { name: 'New restore run' })).toBeVisible();
  await capture(page, 'restore-runs');
  await page.goto('/t/contoso/audit-log');
  await expect(page.getByTestId('audit-entry').first()).toBeVisible();
  await capture(page, 'audit-log');

  // Webhooks: one delivered (its test event), one failing (nothing listens on port 9).
  const webhookPort = Number(process.env.OPSUX_E2E_WEBHOOK_PORT ?? 4177);
  for (const [name, url] of [
    ['tickets', `http://127.0.0.1:${webhookPort}/tickets`],
    ['chat-bridge', 'http://127.0.0.1:9/hook'],
  ]) {
    const origin = new URL(page.url()).origin;
    const added = await page.request.post('/api/t/contoso/webhooks', {
      headers: { origin },
      data: { name, url, only_failed: name === 'tickets' },
    });
    expect(added.status(), await added.text()).toBe(201);
    const tested = await page.request.post(`/api/t/contoso/webhooks/${name}/test`, { headers: { origin } });
    expect(tested.status()).toBe(202);
  }
  await page.goto('/t/contoso/webhooks');
  const tickets = page.getByTestId('webhook').filter({ hasText: 'tickets' });
  await expect(tickets.getByTestId('webhook-delivery').first()).toHaveAttribute('data-state', 'Delivered');
  const failing = page.getByTestId('webhook').filter({ hasText: 'chat-bridge' });
  await expect(failing.getByTestId('webhook-delivery').first()).toContainText('connection failed');
  await capture(page, 'webhooks');
  for (const name of ['tickets', 'chat-bridge']) {
    const origin = new URL(page.url()).origin;
    await page.request.delete(`/api/t/contoso/webhooks/${name}`, { headers: { origin } });
  }
  await page.goto('/t/contoso/members');
  const invite = page.getByTestId('invite-form');
  await invite.getByLabel('E-mail address').fill('look@acme.test');
  await invite.getByRole('button', { name: 'Invite' }).click();
  const link = await page.getByTestId('invite-url').inputValue();
  await capture(page, 'members');
  // In a browser of its own, signed out, as the person invited opens it.
  const elsewhere = await browser.newContext();
  const invited = await elsewhere.newPage();
  await invited.goto(link);
  await expect(invited.getByLabel('Your name')).toBeVisible();
  await capture(invited, 'invitation');
  await elsewhere.close();
  await page.goto('/account');
  await expect(page.getByTestId('session').first()).toBeVisible();
  await capture(page, 'account');
  await page.goto('/workspace');
  await expect(page.getByTestId('workspace-audit-entry').first()).toBeVisible();
  await capture(page, 'workspace');

  await page.goto('/t/fabrikam/operations?type=restore_execute');
  await expect(page.getByTestId('runs-empty')).toBeVisible();
  await capture(page, 'operations-empty');
  await page.goto('/t/no-such-tenant');
  await expect(page.getByTestId('not-found')).toBeVisible();
  await capture(page, 'not-found');
  await page.goto('/catalog');
  await expect(page.getByTestId('operation-types')).toBeVisible();
  await capture(page, 'catalog');

  const embedded = await startLongRun(page, 'contoso', 100, 2000);
  await page.goto(`http://127.0.0.1:${embedPort}/`);
  await expect(page.getByTestId('embed-contoso').getByRole('progressbar').first()).toBeVisible();
  await capture(page, 'embed');

  // Leave nothing running for the tests after this one.
  await cancelRun(page, 'contoso', embedded.run.id, baseURL!);
  await completed(page, 'contoso', embedded.run.id);
  await completed(page, 'contoso', groupsRun);
});
