import { test, expect, type Page } from '@playwright/test';

/** Fails the test on any uncaught error or console error in the page. */
function watchForErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return errors;
}

test('the catalog page renders the contract as the server computes it', async ({ page }) => {
  const errors = watchForErrors(page);
  await page.goto('/catalog');

  await expect(page.getByRole('heading', { name: 'Operations catalog' })).toBeVisible();
  const rows = page.locator('[data-test=operation-type]');
  await expect(rows).toHaveCount(13);
  await expect(rows.first()).toContainText('Inventory sync');
  await expect(rows.first()).toContainText('inventory.sync');
  await expect(rows.last()).toContainText('System only');

  await expect(page.locator('[data-test=status-badges] .badge')).toHaveText([
    'Queued',
    'Running',
    'Completed',
  ]);
  await expect(page.locator('[data-test=outcome-badges] .badge')).toHaveText([
    'Succeeded',
    'Partially succeeded',
    'Failed',
    'Cancelled',
  ]);
  await expect(page.locator('[data-test=summary-keys] li')).toHaveCount(8);
  await expect(page.locator('[data-test=reason-codes] dt')).toHaveCount(13);

  // The tone comes from the catalog and its colour from style/: a failed badge is red-ish.
  const failed = page.locator('[data-test=outcome-badges] .badge', { hasText: 'Failed' });
  await expect(failed).toHaveAttribute('data-tone', 'danger');
  await expect(failed).toHaveCSS('background-color', 'rgb(253, 227, 227)');

  // The catalog is public: the only console error is the browser's note on GET /api/me's 401.
  expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
});

test('a deep link loads the app, which asks a signed-out visitor to sign in first', async ({ page }) => {
  const errors = watchForErrors(page);
  const deep = '/t/contoso/operations/0192f1c4-7a1e-7cc3-9a6e-2f4c8d1b5e07';
  const response = await page.goto(deep);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  expect(new URL(page.url()).searchParams.get('next')).toBe(deep);
  // The only console error allowed is the browser's note on the 401 of GET /api/me.
  expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
});

test('unknown API paths answer with the JSON error envelope', async ({ request }) => {
  const response = await request.get('/api/no-such-thing');
  expect(response.status()).toBe(404);
  expect(await response.json()).toEqual({
    error: { code: 'not_found', message: 'no such API endpoint' },
  });
});

test('the app bundle is served precompressed', async ({ request }) => {
  const html = await (await request.get('/')).text();
  const wasm = html.match(/\/(opsux-app-[0-9a-f]+_bg\.wasm)/)?.[1];
  expect(wasm, 'index.html references the wasm bundle').toBeTruthy();
  const response = await request.get(`/${wasm}`, { headers: { 'accept-encoding': 'br' } });
  expect(response.status()).toBe(200);
  expect(response.headers()['content-encoding']).toBe('br');
  expect(response.headers()['content-type']).toBe('application/wasm');
});
