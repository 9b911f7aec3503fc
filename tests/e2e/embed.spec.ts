import { test, expect, completed, expectAccessible, signIn, startLongRun, trackStreams } from './helpers';

const embedPort = Number(process.env.OPSUX_E2E_EMBED_PORT ?? 4174);
const foreignPort = Number(process.env.OPSUX_E2E_FOREIGN_PORT ?? 4175);
const embedPage = `http://127.0.0.1:${embedPort}/`;
const foreignPage = `http://127.0.0.1:${foreignPort}/`;

// SPEC §8: a plain page on another (allowed) origin shows the widget live, with one script tag,
// under its own strict CSP; several elements work; a misconfigured one says why.
test('the widget embedded on an allowed origin shows runs live as they start and end', async ({ page, baseURL }) => {
  await signIn(page, 'owner@demo.test');
  await page.goto(embedPage);

  const contoso = page.getByTestId('embed-contoso').getByRole('region', { name: 'Active operations' });
  const fabrikam = page.getByTestId('embed-fabrikam').getByRole('region', { name: 'Active operations' });
  await expect(contoso).toBeVisible();
  await expect(fabrikam).toBeVisible();
  await expect(page.getByTestId('embed-misconfigured').getByRole('alert')).toContainText(
    'opsux widget: the element needs data-tenant',
  );

  const started = await startLongRun(page, 'contoso', 30);
  const item = contoso.locator(`[data-run-id="${started.run.id}"]`);
  await expect(item).toBeVisible();
  await expect(item.getByRole('progressbar')).toBeVisible();
  // Its link opens Run Detail on the opsux server, not on the host.
  await expect(item.getByRole('link')).toHaveAttribute('href', `${baseURL}${started.view_run_url}`);
  await expect(fabrikam.locator(`[data-run-id="${started.run.id}"]`)).toHaveCount(0);
  await completed(page, 'contoso', started.run.id);
  await expect(item).toHaveCount(0);

  await expectAccessible(page, 'embedding page');
});

test('a host that adds and removes elements later gets widgets mounted and unmounted', async ({ page, baseURL }) => {
  const streams = await trackStreams(page);
  await signIn(page, 'owner@demo.test');
  await page.goto(embedPage);
  await expect(page.getByTestId('embed-contoso').getByRole('region', { name: 'Active operations' })).toBeVisible();
  const before = (await streams()).length;

  // Added after the script ran, like a single-page host would.
  await page.evaluate((server) => {
    const el = document.createElement('div');
    el.dataset.opsuxActiveOps = '';
    el.dataset.tenant = 'fabrikam';
    el.dataset.server = server;
    el.dataset.test = 'embed-late';
    document.querySelector('main')!.append(el);
    const li = document.createElement('li');
    li.dataset.opsuxActiveOps = '';
    li.dataset.test = 'embed-li';
    document.querySelector('main')!.append(li);
  }, baseURL!);
  await expect(page.getByTestId('embed-late').getByRole('region', { name: 'Active operations' })).toBeVisible();
  await expect(page.getByTestId('embed-li')).toHaveText(/cannot hold the widget/);
  await expect.poll(async () => (await streams()).length).toBe(before + 1);

  // Removed: its stream closes.
  await page.evaluate(() => document.querySelector('[data-test=embed-late]')!.remove());
  await expect.poll(async () => (await streams())[before]).toBe(2);
});

test('a page on an origin that is not allowed gets nothing', async ({ page }) => {
  await signIn(page, 'owner@demo.test');
  const refused: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') refused.push(msg.text());
  });
  await page.goto(foreignPage, { waitUntil: 'load' });
  await expect.poll(() => refused.some((m) => /CORS|blocked/i.test(m))).toBeTruthy();
  // The module script was refused, so nothing mounted and nothing was read.
  const mounted = await page.evaluate(() =>
    [...document.querySelectorAll('[data-opsux-active-ops]')].map((e) => e.shadowRoot !== null),
  );
  expect(mounted).toEqual([false, false, false]);
  await expect(page.getByText('Active operations')).toHaveCount(0);
});
