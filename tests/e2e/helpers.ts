import { test as base, expect, type Page, type APIRequestContext } from '@playwright/test';

/**
 * Playwright's `test`, whose `page` fails the test on any uncaught error in the page, and
 * which starts every test with both demo tenants' providers healthy.
 */
export const test = base.extend<{ healthyProviders: void }>({
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await use(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
  healthyProviders: [
    async ({}, use) => {
      for (const tenant of Object.keys(DIRECTORIES)) await setFaults(tenant, {});
      await use();
    },
    { auto: true },
  ],
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

/** The Graph simulator `serve --demo` started, and the demo tenants' directories in it. */
const simulator = `http://127.0.0.1:${process.env.OPSUX_E2E_SIMULATOR_PORT ?? 4176}`;
const DIRECTORIES: Record<string, string> = {
  contoso: '11111111-1111-4111-8111-111111111111',
  fabrikam: '22222222-2222-4222-8222-222222222222',
};

/**
 * Sets what a demo tenant's provider does wrong (the simulator's faults: `latency_ms`,
 * `status` and `message`, `failing_policies` and `failing_status`, …); `{}` heals it.
 */
export async function setFaults(tenant: string, faults: Record<string, unknown>) {
  const response = await fetch(`${simulator}/_admin/tenants/${DIRECTORIES[tenant]}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  expect(response.ok, await response.text()).toBeTruthy();
}

export type Policy = { id: string; provider_id: string; name: string };

/** The tenant's policies, by name, syncing its inventory first when it has none yet. */
export async function policies(page: Page, tenant: string): Promise<Policy[]> {
  const list = async () => (await (await page.request.get(`/api/t/${tenant}/policies?limit=200`)).json()).items;
  let items: Policy[] = await list();
  if (items.length === 0) {
    const sync = await startRun(page, tenant, 'inventory_sync', {});
    await completed(page, tenant, sync.run.id);
    items = await list();
  }
  return items;
}

/**
 * Starts a run that stays active for a while: an export of `count` policies from a provider
 * that takes `latencyMs` per answer (by default about `count` / 5 seconds). Cancel it, or let
 * it end.
 */
export async function startLongRun(page: Page, tenant: string, count = 100, latencyMs = 200) {
  const ids = (await policies(page, tenant)).slice(0, count).map((p) => p.id);
  await setFaults(tenant, { latency_ms: latencyMs });
  return startRun(page, tenant, 'policy_export', { policy_ids: ids });
}

/** The requests the simulator answered for a demo tenant, oldest first (its recent log). */
export async function providerRequests(tenant: string): Promise<{ method: string; path: string; status: number }[]> {
  const response = await fetch(`${simulator}/_admin/tenants/${DIRECTORIES[tenant]}/requests`);
  expect(response.ok).toBeTruthy();
  return (await response.json()).requests;
}

/** Sets what the simulator's OpenID Connect provider does wrong (`wrong_key`, `expired`; `{}` heals). */
export async function setOidcFaults(faults: Record<string, unknown>) {
  const response = await fetch(`${simulator}/_admin/oidc`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  expect(response.ok).toBeTruthy();
}
