import type { Locator } from '@playwright/test';
import {
  test,
  expect,
  cancelRun,
  completed,
  markAllRead,
  originOf,
  setFaults,
  signIn,
  startLongRun,
  startRun,
} from '../e2e/helpers';

// The README's three pictures, at a laptop's size in the light scheme: what a tenant admin
// sees first, a run followed live, and the widget on another site's page.
const embedPort = Number(process.env.OPSUX_E2E_EMBED_PORT ?? 4174);

/** Waits until the progress bar shows at least `percent`. */
async function pastPercent(bar: Locator, percent: number) {
  await expect
    .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(percent);
}

test('the README screenshots', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  await signIn(page, 'owner@demo.test');
  // History for the overview: a sync, a nightly backup schedule run once, a group sync that
  // failed for a missing permission, then one that succeeded.
  const sync = await startRun(page, 'contoso', 'inventory_sync', {});
  await completed(page, 'contoso', sync.run.id);
  const made = await page.request.post('/api/t/contoso/backup-schedules', {
    headers: { origin: originOf(page) },
    data: { name: 'Nightly', cron: '0 2 * * *', policy_selection: 'all', keep_last: 7 },
  });
  expect(made.ok(), await made.text()).toBeTruthy();
  const backup = await startRun(page, 'contoso', 'backup_schedule_run', { schedule_id: (await made.json()).id });
  await completed(page, 'contoso', backup.run.id);
  await setFaults('contoso', { status: 403 });
  const failed = await startRun(page, 'contoso', 'entra_group_sync', {});
  await completed(page, 'contoso', failed.run.id);
  await setFaults('contoso', {});
  const groups = await startRun(page, 'contoso', 'entra_group_sync', {});
  await completed(page, 'contoso', groups.run.id);
  await markAllRead(page);

  // A run in progress, seen from the overview with Active operations open.
  const live = await startLongRun(page, 'contoso', 100, 150);
  await page.goto('/t/contoso');
  await expect(page.getByTestId('overview-last-run').first()).toBeVisible();
  await page.getByRole('button', { name: 'Active operations' }).click();
  const region = page.getByRole('region', { name: 'Active operations' });
  await pastPercent(region.getByRole('progressbar').first(), 25);
  await page.screenshot({ path: '../docs/overview.png' });
  await page.keyboard.press('Escape');

  await page.goto(live.view_run_url);
  await expect(page.getByTestId('live-progress')).toBeVisible();
  await pastPercent(page.getByTestId('live-progress').getByRole('progressbar'), 40);
  await page.screenshot({ path: '../docs/run-detail.png' });

  await page.goto(`http://127.0.0.1:${embedPort}/`);
  await pastPercent(page.getByTestId('embed-contoso').getByRole('progressbar').first(), 50);
  await page.screenshot({ path: '../docs/widget.png' });

  await cancelRun(page, 'contoso', live.run.id, baseURL!);
  await completed(page, 'contoso', live.run.id);
});
