import { test as base, expect, type Page, type APIRequestContext } from '@playwright/test';

/** Playwright's `test`, whose `page` fails the test on any uncaught error in the page. */
export const test = base.extend({
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await use(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
});
export { expect };
import AxeBuilder from '@axe-core/playwright';

export const PASSWORD = 'opsux-demo';

/** Signs in through the sign-in page, as a person would. */
export async function signIn(page: Page, email: string, next?: string) {
  await page.goto(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** The page's own origin, for state-changing API calls made on its behalf (R17). */
export function originOf(page: Page): string {
  return new URL(page.url()).origin;
}

/** Starts a run through the API with the page's session; returns the 202 answer. */
export async function startRun(
  page: Page,
  tenant: string,
  type: string,
  params: Record<string, unknown>,
) {
  const response = await page.request.post(`/api/t/${tenant}/operations`, {
    headers: { origin: originOf(page) },
    data: { type, params },
  });
  expect(response.status(), await response.text()).toBe(202);
  return response.json();
}

export async function runOf(request: APIRequestContext, tenant: string, id: string) {
  const response = await request.get(`/api/t/${tenant}/operations/${id}`);
  expect(response.status()).toBe(200);
  return (await response.json()).run;
}

/** Waits until a run has completed; returns it. */
export async function completed(page: Page, tenant: string, id: string, timeout = 30_000) {
  await expect
    .poll(async () => (await runOf(page.request, tenant, id)).status, { timeout })
    .toBe('completed');
  return runOf(page.request, tenant, id);
}

/** The signed-in person's notifications about one run. */
export async function notificationsFor(page: Page, runId: string) {
  const list = await (await page.request.get('/api/me/notifications')).json();
  return list.items.filter((n: { run_id: string }) => n.run_id === runId);
}

export async function markAllRead(page: Page) {
  const response = await page.request.post('/api/me/notifications/read-all', {
    headers: { origin: originOf(page) },
  });
  expect(response.ok()).toBeTruthy();
}

/** Fails on any serious or critical accessibility violation (axe-core). */
export async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `${what}: accessibility violations`).toEqual([]);
}

/** Asks for a run to be cancelled (R9) on the page's session; `origin` is opsux's own. */
export async function cancelRun(page: Page, tenant: string, id: string, origin = originOf(page)) {
  const response = await page.request.post(`/api/t/${tenant}/operations/${id}/cancel`, {
    headers: { origin },
  });
  expect(response.ok(), await response.text()).toBeTruthy();
}

/**
 * Records every EventSource the page opens, from before its first script runs; the returned
 * function reads their `readyState`s (0 connecting, 1 open, 2 closed), oldest first.
 */
export async function trackStreams(page: Page): Promise<() => Promise<number[]>> {
  await page.addInitScript(() => {
    const opened: EventSource[] = [];
    (window as unknown as { __streams: EventSource[] }).__streams = opened;
    const Original = window.EventSource;
    window.EventSource = class extends Original {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        opened.push(this);
      }
    } as typeof EventSource;
  });
  return () =>
    page.evaluate(() => (window as unknown as { __streams: EventSource[] }).__streams.map((s) => s.readyState));
}
