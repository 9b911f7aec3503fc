import type { Page } from '@playwright/test';
import { test, expect, completed, originOf, policies, signIn, startRun } from './helpers';

// Every list goes to its end: more rows than a page, `Load more` until the last, then no more;
// picks made on one page still count after the next is read.

/** Every item of a paged API list, following `next_cursor` to the end. */
async function everything<T>(page: Page, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const url = `${path}${separator}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await page.request.get(url);
    expect(response.status(), await response.text()).toBe(200);
    const body = await response.json();
    items.push(...body.items);
    cursor = body.next_cursor;
  } while (cursor);
  return items;
}

/**
 * Presses `Load more` until the list's end; the rows shown then. The first page shows
 * `pageSize` rows (or, with `null`, some: rows already in a set are left out of its page).
 */
async function loadToTheEnd(page: Page, rows: import('@playwright/test').Locator, pageSize: number | null) {
  if (pageSize === null) await expect(rows.first()).toBeVisible();
  else await expect(rows).toHaveCount(pageSize);
  const more = page.getByRole('button', { name: 'Load more' });
  await expect(more).toBeVisible();
  let shown = await rows.count();
  while (await more.isVisible()) {
    await more.click();
    await expect.poll(() => rows.count()).toBeGreaterThan(shown);
    shown = await rows.count();
  }
  await expect(more).toHaveCount(0);
  return shown;
}

async function post(page: Page, path: string, data: unknown) {
  const response = await page.request.post(path, { headers: { origin: originOf(page) }, data });
  expect(response.ok(), await response.text()).toBeTruthy();
  return response.json();
}

test('Groups page to their end', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  const sync = await startRun(page, 'contoso', 'entra_group_sync', {});
  await completed(page, 'contoso', sync.run.id);
  const groups = await everything(page, '/api/t/contoso/groups');
  expect(groups.length).toBeGreaterThan(50);
  await page.goto('/t/contoso/groups');
  expect(await loadToTheEnd(page, page.getByTestId('group-row'), 50)).toBe(groups.length);
});

test('Policies keep their picks across pages', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  await policies(page, 'contoso');
  const total = (await everything(page, '/api/t/contoso/policies')).length;
  expect(total).toBeGreaterThan(50);
  await page.goto('/t/contoso/policies');
  const rows = page.getByTestId('policy-row');
  await rows.first().getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(rows).toHaveCount(Math.min(100, total));
  await rows.nth(total - 1 < 75 ? total - 1 : 75).getByRole('checkbox').check();
  const bar = page.getByRole('region', { name: 'Selected policies' });
  await expect(bar.getByTestId('picked-count')).toHaveText('2 selected');
  await expect(rows.first().getByRole('checkbox')).toBeChecked();
  await bar.getByRole('button', { name: 'Clear' }).click();
  await expect(bar).toBeHidden();
});

test('Backup sets, restore runs, a set\'s candidates and the audit log page to their end', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, 'owner@demo.test');
  const all = await policies(page, 'contoso');
  const kind = (all[0] as unknown as { kind: string }).kind;
  // Sets of one kind's policies, more than a page of them (20).
  const schedule = await post(page, '/api/t/contoso/backup-schedules', {
    name: 'Pages',
    cron: `0 ${(new Date().getUTCHours() + 12) % 24} * * *`,
    policy_selection: { kinds: [kind] },
    keep_last: 100,
  });
  for (let made = 0; made < 21; made++) {
    const run = await startRun(page, 'contoso', 'backup_schedule_run', { schedule_id: schedule.id });
    expect((await completed(page, 'contoso', run.run.id)).outcome).toBe('succeeded');
  }
  const sets = await everything<{ id: string; item_count: number }>(page, '/api/t/contoso/backup-sets');
  await page.goto('/t/contoso/backups');
  expect(await loadToTheEnd(page, page.getByTestId('backup-set-row'), 20)).toBe(sets.length);

  // Restore runs: more than a page (20) of live ones.
  for (let made = 0; made < 21; made++) {
    await post(page, '/api/t/contoso/restore-runs', { backup_set_id: sets[0].id, name: `Page ${made}` });
  }
  const live = await everything(page, '/api/t/contoso/restore-runs?archived=false');
  await page.goto('/t/contoso/restore-runs');
  expect(await loadToTheEnd(page, page.getByTestId('restore-run-row'), 20)).toBe(live.length);

  // A set's candidates: every policy not ignored and not in it, past the first page (50); a
  // pick on the first page still counts after the next.
  const set = sets[0];
  await page.goto(`/t/contoso/backup-sets/${set.id}`);
  const items = page.getByTestId('backup-item');
  await expect(items).toHaveCount(set.item_count);
  const notIgnored = await everything(page, '/api/t/contoso/policies?ignored=false');
  const candidates = page.getByTestId('add-candidates').getByRole('listitem');
  await candidates.first().getByRole('checkbox').check();
  const shown = await loadToTheEnd(page, candidates, null);
  expect(shown).toBe(notIgnored.length - set.item_count);
  await candidates.nth(shown - 1).getByRole('checkbox').check();
  const bar = page.getByRole('region', { name: 'Policies to add' });
  await expect(bar.getByTestId('picked-count')).toHaveText('2 selected');
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/operations'));
  await bar.getByRole('button', { name: 'Add to set' }).click();
  const added = await (await answer).json();
  await completed(page, 'contoso', added.run.id);
  await expect(items).toHaveCount(set.item_count + 2);

  // The audit log: each item removed from a set is an entry; more than a page (50) of them.
  let entries = await everything(page, '/api/t/contoso/audit-log');
  for (const other of sets.slice(1)) {
    if (entries.length > 50) break;
    const detail = await (await page.request.get(`/api/t/contoso/backup-sets/${other.id}`)).json();
    const ids = detail.items.map((i: { policy_id: string }) => i.policy_id);
    const removal = await startRun(page, 'contoso', 'backup_set_remove_policies', {
      backup_set_id: other.id,
      policy_ids: ids,
    });
    await completed(page, 'contoso', removal.run.id);
    entries = await everything(page, '/api/t/contoso/audit-log');
  }
  expect(entries.length).toBeGreaterThan(50);
  await page.goto('/t/contoso/audit-log');
  expect(await loadToTheEnd(page, page.getByTestId('audit-entry'), 50)).toBe(entries.length);
});
