import type { Page } from '@playwright/test';
import {
  test,
  expect,
  completed,
  notificationsFor,
  policies,
  providerRequests,
  setFaults,
  signIn,
} from './helpers';

/** Clicks `button`, which starts an operation; checks its toast; the started run's id. */
async function startWith(page: Page, button: import('@playwright/test').Locator, toastTitle: string) {
  const answer = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/t/contoso/operations',
  );
  await button.click();
  const body = await (await answer).json();
  expect(body.toast.title).toBe(toastTitle);
  await expect(page.getByTestId('toast').filter({ hasText: toastTitle }).first()).toBeVisible();
  return body.run.id as string;
}

async function endsWithOneNotification(page: Page, id: string, outcome = 'succeeded') {
  const run = await completed(page, 'contoso', id);
  expect(run.outcome).toBe(outcome);
  await expect.poll(async () => (await notificationsFor(page, id)).length).toBe(1);
}

// S3, S2 and S5 from their pages: a schedule made and run by hand, its retention applied, a
// restore run made from its set and executed, then archived and deleted for good (audited).
test('a schedule is run and thinned, and its set restored, archived and force-deleted', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'owner@demo.test');
  await policies(page, 'contoso');
  await page.goto('/t/contoso/backups');
  await expect(page).toHaveTitle('Backups · Contoso Ltd. · opsux');

  // A schedule, refused first for a cron the server cannot read (it names the field).
  const form = page.getByRole('form', { name: 'New backup schedule' });
  // Twelve hours from now: the scheduler (which looks every second here) leaves it alone.
  const cron = `0 ${(new Date().getUTCHours() + 12) % 24} * * *`;
  await form.getByLabel('Name').fill('Nightly');
  await form.getByLabel('When (cron, UTC)').fill('every night');
  await form.getByLabel('Keep').fill('1');
  await form.getByRole('button', { name: 'Create schedule' }).click();
  await expect(form.getByRole('alert')).toContainText('cron');
  await form.getByLabel('When (cron, UTC)').fill(cron);
  await form.getByRole('button', { name: 'Create schedule' }).click();
  const schedule = page.getByTestId('schedule').filter({ hasText: 'Nightly' });
  await expect(schedule).toBeVisible();
  // Its next three firing times, read forward.
  const nextRuns = schedule.getByTestId('next-runs').getByRole('listitem');
  await expect(nextRuns).toHaveCount(3);
  await expect(nextRuns.first()).toHaveText(/^in \d+ (min|h)$/);

  // S3: Run now, twice (two sets); each run, one notification.
  const sets = page.getByTestId('backup-set-row');
  for (const made of [1, 2]) {
    const run = schedule.getByRole('button', { name: 'Run now' });
    await endsWithOneNotification(page, await startWith(page, run, 'Scheduled backup queued'));
    await expect(sets).toHaveCount(made);
    // Its history follows: each run on the card as it ends, the newest first.
    await expect(schedule.getByTestId('schedule-run')).toHaveCount(made);
  }
  await expect(schedule.getByTestId('schedule-run').first()).toHaveAttribute('data-outcome', 'succeeded');
  await expect(schedule.getByTestId('last-success')).not.toHaveText('Never');
  await expect(schedule.getByTestId('schedule-last-failed')).toHaveCount(0);
  // S2: retention keeps the newest one.
  const retention = schedule.getByRole('button', { name: 'Apply retention' });
  await endsWithOneNotification(page, await startWith(page, retention, 'Backup retention queued'));
  await expect(sets).toHaveCount(1);

  // Edited: another name, policies of one kind, three sets kept.
  await schedule.getByRole('button', { name: 'Edit' }).click();
  const edit = schedule.getByRole('form', { name: 'Edit backup schedule' });
  await edit.getByLabel('Name').fill('Nightly (iOS)');
  await edit.getByLabel('Keep').fill('3');
  await edit.getByRole('radio', { name: 'Policies of these kinds' }).check();
  await edit.getByLabel('Kinds (comma-separated)').fill('iosGeneralDeviceConfiguration');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  const edited = page.getByTestId('schedule').filter({ hasText: 'Nightly (iOS)' });
  await expect(edited).toContainText('policies of kind iosGeneralDeviceConfiguration');
  await expect(edited).toContainText('the newest 3 sets');

  // The set's items, as snapshotted.
  await sets.first().getByRole('link').click();
  await expect(page.getByTestId('backup-item').first()).toBeVisible();

  // S5: a restore run from the set, executed after confirming; the provider got the pushes.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Restores' }).click();
  const create = page.getByRole('form', { name: 'New restore run' });
  await create.getByLabel('Name').fill('Roll back');
  await create.getByRole('button', { name: 'Create restore run' }).click();
  const row = page.getByTestId('restore-run-row').filter({ hasText: 'Roll back' });
  await expect(row).toBeVisible();
  const pushesBefore = (await providerRequests('contoso')).filter((r) => r.method === 'PATCH').length;
  await row.getByRole('button', { name: 'Execute' }).click();
  const dialog = page.getByRole('dialog', { name: 'Execute “Roll back”?' });
  const push = dialog.getByRole('button', { name: 'Yes, push it back' });
  await endsWithOneNotification(page, await startWith(page, push, 'Restore queued'));
  const pushesAfter = (await providerRequests('contoso')).filter((r) => r.method === 'PATCH').length;
  expect(pushesAfter).toBeGreaterThan(pushesBefore);
  await expect(row).not.toContainText('Not yet');

  // A second one stays live (for the reader's test).
  await create.getByLabel('Name').fill('Keep me');
  await create.getByRole('button', { name: 'Create restore run' }).click();
  await expect(page.getByTestId('restore-run-row').filter({ hasText: 'Keep me' })).toBeVisible();

  // Archived, then deleted for good after a confirm step that counts what goes.
  await row.getByRole('button', { name: 'Archive' }).click();
  await expect(row).toHaveCount(0);
  await page.getByRole('link', { name: 'Archived', exact: true }).click();
  const archived = page.getByTestId('restore-run-row').filter({ hasText: 'Roll back' });
  await archived.getByRole('checkbox', { name: 'Select Roll back' }).check();
  await page.getByRole('region', { name: 'Selected restore runs' }).getByRole('button', { name: 'Force delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Permanently delete 1 restore run?' });
  const remove = confirm.getByRole('button', { name: 'Delete 1 restore run' });
  await endsWithOneNotification(page, await startWith(page, remove, 'Restore run force delete queued'));
  await expect(archived).toHaveCount(0);

  // The audit log shows it.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByTestId('audit-entry').filter({ hasText: 'restore_run.force_delete' })).toHaveCount(1);
});

// S3: a schedule firing on its own starts a system run, which notifies no one (the scheduler
// looks every second in these tests). A schedule may not fire more often than every 15
// minutes, so this one fires hourly — starting with the coming minute. The tenant's app has
// lost a permission meanwhile, so the run fails: nobody is told, but the Backups page and the
// overview mark the schedule, with the run in its history.
test('S3: a scheduled run that fails notifies no one and is marked on Backups and the overview', async ({ page }) => {
  test.setTimeout(200_000);
  await signIn(page, 'owner@demo.test');
  await policies(page, 'contoso');
  await page.goto('/t/contoso/backups');
  const form = page.getByRole('form', { name: 'New backup schedule' });
  await form.getByLabel('Name').fill('Hourly from now');
  await form.getByLabel('When (cron, UTC)').fill('* * * * *');
  await form.getByLabel('Keep').fill('1');
  await form.getByRole('button', { name: 'Create schedule' }).click();
  await expect(form.getByRole('alert')).toContainText('more often than every 15 minutes');
  // The coming minute (the one after, when this one is nearly over), every hour.
  const now = new Date();
  const minute = (now.getUTCMinutes() + (now.getUTCSeconds() > 45 ? 2 : 1)) % 60;
  await form.getByLabel('When (cron, UTC)').fill(`${minute} * * * *`);
  await form.getByRole('button', { name: 'Create schedule' }).click();
  const schedule = page.getByTestId('schedule').filter({ hasText: 'Hourly from now' });
  await expect(schedule).toBeVisible();
  const scheduleId = await schedule.getAttribute('data-schedule-id');
  await setFaults('contoso', { status: 403 });
  try {
    // The next minute's slot fires.
    let fired: string | undefined;
    await expect
      .poll(
        async () => {
          const path = '/api/t/contoso/operations?type=backup_schedule_run&status=completed';
          const list = await (await page.request.get(path)).json();
          fired = list.items.find((run: { initiator: unknown }) => run.initiator === null)?.id;
          return fired !== undefined;
        },
        { timeout: 150_000 },
      )
      .toBe(true);
    expect(await notificationsFor(page, fired!)).toHaveLength(0);
    const run = await completed(page, 'contoso', fired!);
    expect(run.outcome).toBe('failed');

    // Marked on Backups, the run first in the schedule's history, linked to Run Detail.
    await page.reload();
    const marked = schedule.getByTestId('schedule-last-failed');
    await expect(marked.getByTestId('run-badge')).toHaveText('Failed');
    const history = schedule.getByTestId('schedule-run');
    await expect(history).toHaveCount(1);
    await expect(history.first()).toHaveAttribute('data-outcome', 'failed');
    await expect(schedule.getByTestId('last-success')).toHaveText('Never');
    await expect(history.first().getByRole('link')).toHaveAttribute('href', run.view_run_url);
    // And on the overview, beside its next firing.
    await page.goto('/t/contoso');
    const next = page.getByTestId('overview-next-backup').filter({ hasText: 'Hourly from now' });
    await expect(next.getByTestId('overview-backup-failed')).toHaveAttribute('href', run.view_run_url);
  } finally {
    await setFaults('contoso', {});
    // Quiet again for the tests after this one, whatever happened above.
    const off = await page.request.patch(`/api/t/contoso/backup-schedules/${scheduleId}`, {
      headers: { origin: new URL(page.url()).origin },
      data: { enabled: false },
    });
    expect(off.ok()).toBeTruthy();
  }
});

// R16: a reader sees the records and none of the actions; the audit log is for owners.
test('a reader sees backups and restores without their actions, and no audit log', async ({ page }) => {
  await signIn(page, 'reader@demo.test');
  await page.goto('/t/contoso/backups');
  await expect(page.getByTestId('schedule').first()).toBeVisible();
  await expect(page.getByTestId('backup-set-row').first()).toBeVisible();
  await expect(page.getByRole('form', { name: 'New backup schedule' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Run now' })).toHaveCount(0);
  await page.goto('/t/contoso/restore-runs');
  await expect(page.getByTestId('restore-run-row').filter({ hasText: 'Keep me' })).toBeVisible();
  await expect(page.getByRole('form', { name: 'New restore run' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Execute' })).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  await page.goto('/t/contoso/audit-log');
  await expect(page.getByTestId('owners-only')).toBeVisible();
});

// R16: an outsider gets the one not-found page on every one of these pages.
test('an outsider gets the not-found page on every inventory, backup and restore page', async ({ page }) => {
  await signIn(page, 'outsider@demo.test');
  const texts = new Set<string>();
  for (const path of [
    '/t/contoso/policies',
    '/t/contoso/policies/anything',
    '/t/contoso/groups',
    '/t/contoso/backups',
    '/t/contoso/backup-sets/anything',
    '/t/contoso/restore-runs',
    '/t/contoso/audit-log',
  ]) {
    await page.goto(path);
    const notFound = page.getByTestId('not-found');
    await expect(notFound).toBeVisible();
    texts.add(await notFound.innerText());
  }
  expect(texts.size).toBe(1);
});
