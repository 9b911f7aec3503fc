import { execFileSync } from 'node:child_process';
import { test, expect, completed, expectAccessible, notificationsFor, signIn, startRun } from './helpers';

const embedPort = Number(process.env.OPSUX_E2E_EMBED_PORT ?? 4174);
const server = process.env.OPSUX_E2E_SERVER ?? '../target/debug/opsux';
const database = process.env.OPSUX_E2E_DATABASE ?? 'sqlite://../target/e2e/opsux.db';

/** Runs an `opsux` console command against the server's database; its standard output. */
function opsux(args: string[]): string {
  return execFileSync(server, [...args, '--database-url', database], { encoding: 'utf8' });
}

// Issue "other services' operations": a type registered from the console and a run another
// service starts for the owner with a token show on the same surfaces as a built-in run — the
// widget embedded elsewhere, live; the toast copy the panel would show; one notification.
test('a run another service starts for a person shows in the embedded widget with the panel\'s toast', async ({
  page,
  request,
  baseURL,
}) => {
  const key = `e2e.invoice_export_${Date.now()}`;
  opsux(['operation-type', 'add', '--key', key, '--label', 'Invoice export', '--capability', 'policy.export',
    '--summary-keys', 'total,processed,succeeded']);
  const token = opsux(['token', 'create', '--tenant', 'contoso', '--name', key, '--scopes', 'runs:start,runs:work',
    '--types', key]).trim().split('\n').pop()!;
  const api = (path: string, data: unknown) =>
    request.post(`${baseURL}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` }, data });

  await signIn(page, 'owner@demo.test');
  await page.goto(`http://127.0.0.1:${embedPort}/`);
  const widget = page.getByTestId('embed-contoso').getByRole('region', { name: 'Active operations' });
  await expect(widget).toBeVisible();

  const answer = await api('/t/contoso/operations', {
    type: key,
    params: { month: '2026-11' },
    initiator: { email: 'owner@demo.test' },
  });
  expect(answer.status(), await answer.text()).toBe(202);
  const started = await answer.json();
  const item = widget.locator(`[data-run-id="${started.run.id}"]`);
  await expect(item).toBeVisible();
  await expect(item.getByRole('link')).toHaveText('Invoice export');
  await expect(item.getByRole('link')).toHaveAttribute('href', `${baseURL}${started.view_run_url}`);

  // The toast is the panel's own: the same words as a built-in start's, the same link; and the
  // panel's start of the identical operation finds this run.
  const panel = await startRun(page, 'contoso', 'inventory_sync', {});
  expect(started.toast.title).toBe('Invoice export queued');
  expect(started.toast.body).toBe(panel.toast.body);
  expect(started.toast.kind).toBe(panel.toast.kind);
  expect(started.toast.action).toEqual({ ...panel.toast.action, url: started.view_run_url });
  const again = await startRun(page, 'contoso', key, { month: '2026-11' });
  expect(again.result).toBe('already_queued');
  expect(again.run.id).toBe(started.run.id);
  expect(again.toast.title).toBe('Invoice export already queued');

  // Worked over HTTP: progress shows in the widget; the end takes it out and notifies once.
  const claimed = await (await api('/worker/claim', { types: [key], wait_secs: 5 })).json();
  expect(claimed.runs.map((r: { id: string }) => r.id)).toEqual([started.run.id]);
  const fencing_token = claimed.runs[0].fencing_token;
  const run = (what: string) => `/worker/runs/${started.run.id}/${what}`;
  expect((await api(run('progress'), { fencing_token, counts: { total: 4, processed: 1, succeeded: 1 } })).status()).toBe(200);
  await expect(item.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '25');
  const ended = await api(run('complete'), {
    fencing_token,
    outcome: 'succeeded',
    counts: { total: 4, processed: 4, succeeded: 4 },
  });
  expect(ended.status(), await ended.text()).toBe(200);
  await expect(item).toHaveCount(0);
  const finished = await completed(page, 'contoso', started.run.id);
  expect(finished.outcome).toBe('succeeded');
  const notes = await notificationsFor(page, started.run.id);
  expect(notes.map((n: { title: string }) => n.title)).toEqual(['Invoice export completed']);
  await completed(page, 'contoso', panel.run.id);
});

test('owners see the tenants\' API tokens on Workspace, never their secrets, and revoke them', async ({
  page,
  request,
  baseURL,
}) => {
  const name = `e2e revoke ${Date.now()}`;
  const token = opsux(['token', 'create', '--tenant', 'fabrikam', '--name', name, '--scopes', 'runs:start'])
    .trim()
    .split('\n')
    .pop()!;
  await signIn(page, 'owner@demo.test');
  await page.goto('/workspace');
  const row = page.getByTestId('workspace-token').filter({ hasText: name });
  await expect(row).toBeVisible();
  await expect(row).toContainText('runs:start');
  await expect(row).toContainText('every type');
  expect(await page.content()).not.toContain(token.slice('opsux_'.length));
  await expectAccessible(page, 'workspace with API tokens');

  // After a confirm step; keeping it changes nothing.
  await row.getByRole('button', { name: `Revoke the token ${name} of fabrikam` }).click();
  const dialog = page.getByRole('dialog', { name: `Revoke the token ${name} of fabrikam?` });
  await dialog.getByRole('button', { name: 'Keep' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: `Revoke the token ${name} of fabrikam` }).click();
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toHaveCount(0);
  const refused = await request.post(`${baseURL}/api/v1/t/fabrikam/operations`, {
    headers: { authorization: `Bearer ${token}` },
    data: { type: 'inventory_sync' },
  });
  expect(refused.status()).toBe(401);
});
