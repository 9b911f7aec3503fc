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

/**
 * The page as a phone shows it: nothing wider than the screen (no sideways scroll of the page;
 * a wide table scrolls inside its own frame), no control, popover or dialog off either edge,
 * and every control a finger can hit — at least 44 × 44 CSS px (a link inside running text
 * excepted, as WCAG's target-size rule does; a checkbox counts with its label).
 */
export async function expectFitsPhone(page: Page, what: string) {
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const width = document.documentElement.clientWidth;
    const name = (el: Element) => {
      const text = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ');
      const test = el.getAttribute('data-test');
      return `<${el.tagName.toLowerCase()}${test ? ` data-test=${test}` : ''}> "${text.slice(0, 40)}"`;
    };
    // Inside a frame that scrolls sideways (a wide table, the navigation's tabs) an element may
    // sit beyond the edge: the frame itself must fit.
    const scrolledFrame = (el: Element): Element | null => {
      for (let at = el.parentElement; at && at !== document.body; at = at.parentElement) {
        const overflow = getComputedStyle(at).overflowX;
        if (overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden') return at;
      }
      return null;
    };
    if (document.documentElement.scrollWidth > width) {
      // Name the innermost elements that reach past the edge: what to fix.
      const wide = Array.from(document.body.querySelectorAll('*')).filter(
        // A frame clips what it holds, except what is positioned against something outside it.
        (el) =>
          el.getBoundingClientRect().right > width + 0.5 &&
          (!scrolledFrame(el) || ['absolute', 'fixed'].includes(getComputedStyle(el).position)),
      );
      const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
      found.push(
        `the page scrolls sideways: ${document.documentElement.scrollWidth} px in ${width}, by ` +
          innermost.slice(0, 3).map((el) => `${name(el).slice(0, 50)}.${el.className}`).join(', '),
      );
    }
    const shown = (el: Element) => {
      const box = el.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const offScreen = (el: Element) => {
      const box = (scrolledFrame(el) ?? el).getBoundingClientRect();
      return box.left < -0.5 || box.right > width + 0.5;
    };
    const inText = (el: Element) =>
      el.tagName === 'A' &&
      getComputedStyle(el).display === 'inline' &&
      Array.from(el.parentElement?.childNodes ?? []).some(
        (n) => n !== el && n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '',
      );
    for (const layer of document.querySelectorAll('.popover:not([hidden]), dialog[open], .slideover, .toast')) {
      if (shown(layer) && offScreen(layer)) found.push(`${name(layer).slice(0, 60)} runs off the screen`);
    }
    const controls = document.querySelectorAll(
      'a[href], button, select, textarea, summary, input:not([type="hidden"])',
    );
    for (const control of controls) {
      if (!shown(control)) continue;
      if (offScreen(control)) found.push(`${name(control)} is off the screen`);
      if (inText(control)) continue;
      let target: Element = control;
      const input = control as HTMLInputElement;
      if ((input.type === 'checkbox' || input.type === 'radio') && input.labels?.length) target = input.labels[0];
      const box = target.getBoundingClientRect();
      if (box.width < 43.5 || box.height < 43.5) {
        found.push(`${name(control)} is ${Math.round(box.width)} × ${Math.round(box.height)} px`);
      }
    }
    return found;
  });
  // Soft: one run of the tour names every page that does not fit, not only the first.
  expect.soft(problems, `${what}: does not fit a phone`).toEqual([]);
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
