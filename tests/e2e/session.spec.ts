import { test, expect } from '@playwright/test';

// R17 in a real browser: the session cookie is HttpOnly, the browser's own Origin lets
// same-origin state changes through, and (R2) the worker's finished run leaves exactly one
// notification for the person who started it.
test('a browser session starts a run and is notified once when it ends', async ({ page }) => {
  await page.goto('/');
  const result = await page.evaluate(async () => {
    const json = { 'content-type': 'application/json' };
    const login = await fetch('/api/login', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'owner@demo.test', password: 'opsux-demo' }),
    });
    // Earlier tests' notifications are not this test's business.
    await fetch('/api/me/notifications/read-all', { method: 'POST' });
    const start = await fetch('/api/t/contoso/operations', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ type: 'entra_group_sync', params: {} }),
    });
    return {
      login: login.status,
      cookieVisibleToScript: document.cookie.includes('opsux_session'),
      start: start.status,
      body: await start.json(),
    };
  });
  expect(result.login).toBe(200);
  expect(result.cookieVisibleToScript).toBe(false);
  expect(result.start).toBe(202);
  expect(result.body.result).toBe('queued');
  expect(result.body.toast.title).toBe('Entra group sync queued');
  expect(result.body.view_run_url).toBe(`/t/contoso/operations/${result.body.run.id}`);

  const notifications = async () =>
    page.evaluate(async () => (await fetch('/api/me/notifications')).json());
  await expect.poll(async () => (await notifications()).unread, { timeout: 20_000 }).toBe(1);
  const list = await notifications();
  const mine = list.items.filter((n: { run_id: string }) => n.run_id === result.body.run.id);
  expect(mine).toHaveLength(1);
  expect(mine[0].title).toBe('Entra group sync completed');
  expect(mine[0].action.url).toBe(result.body.view_run_url);
});

test('a page on another origin cannot change state', async ({ request }) => {
  const response = await request.post('/api/login', {
    headers: { origin: 'http://evil.example' },
    data: { email: 'owner@demo.test', password: 'opsux-demo' },
  });
  expect(response.status()).toBe(403);
  expect((await response.json()).error.code).toBe('forbidden');
});
