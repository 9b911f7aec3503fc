import { createHmac } from 'node:crypto';
import { test, expect, signIn, expectAccessible } from './helpers';

// Issue "How runs ended, for the systems around opsux": an owner points a webhook at a receiver
// (on loopback, which the server's `--webhook-allow-private` allows), copies its secret — shown
// this once — sends a test event and sees it delivered; the receiver got it signed as Standard
// Webhooks says. A reader sees the webhook and its deliveries without any button.

const webhookPort = Number(process.env.OPSUX_E2E_WEBHOOK_PORT ?? 4177);
const receiver = `http://127.0.0.1:${webhookPort}`;

type Received = { path: string; id: string; timestamp: string; signature: string; body: string };

test('an owner adds a webhook, sends a test event and sees it delivered; a reader only looks', async ({
  page,
  browser,
}) => {
  const name = `e2e-${Date.now()}`;
  await signIn(page, 'owner@demo.test');
  await page.goto('/t/contoso');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
  await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();

  const form = page.getByTestId('add-webhook');
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('URL').fill(`${receiver}/${name}`);
  await form.getByRole('button', { name: 'Add webhook' }).click();
  const secret = await page.getByTestId('webhook-secret-value').inputValue();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

  const card = page.getByTestId('webhook').filter({ hasText: name });
  await expect(card.getByTestId('no-deliveries')).toBeVisible();
  await card.getByRole('button', { name: 'Send test event' }).click();
  // The page reads the list again while a delivery waits: it turns delivered by itself.
  const test_row = card.getByTestId('webhook-delivery').filter({ hasText: 'Test event' });
  await expect(test_row).toHaveAttribute('data-state', 'Delivered', { timeout: 20_000 });
  await expect(test_row).toContainText('200');
  await expectAccessible(page, 'webhooks');

  // What the receiver got: one test event (runs that end meanwhile are sent too), signed with
  // the secret shown.
  const all: Received[] = await (await page.request.get(`${receiver}/received`)).json();
  const mine = all.filter((r) => r.path === `/${name}` && JSON.parse(r.body).type === 'webhook.test');
  expect(mine).toHaveLength(1);
  expect(JSON.parse(mine[0].body)).toMatchObject({
    type: 'webhook.test',
    data: { tenant: 'contoso', endpoint: name },
  });
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signed = `${mine[0].id}.${mine[0].timestamp}.${mine[0].body}`;
  const mac = createHmac('sha256', key).update(signed).digest('base64');
  expect(mine[0].signature).toBe(`v1,${mac}`);
  await expect(test_row).toContainText(mine[0].id);

  // The secret is not shown again.
  await page.reload();
  await expect(card).toBeVisible();
  await expect(page.getByTestId('webhook-secret')).toHaveCount(0);

  // A reader sees the webhook and its deliveries, and no button to change them.
  const context = await browser.newContext();
  const reader = await context.newPage();
  await signIn(reader, 'reader@demo.test');
  await reader.goto('/t/contoso/webhooks');
  const seen = reader.getByTestId('webhook').filter({ hasText: name });
  await expect(seen.getByTestId('webhook-delivery').filter({ hasText: 'Test event' })).toHaveAttribute(
    'data-state',
    'Delivered',
  );
  await expect(seen.getByRole('button')).toHaveCount(0);
  await expect(reader.getByTestId('add-webhook')).toHaveCount(0);
  await context.close();

  // Removed after a confirm step.
  await card.getByRole('button', { name: `Remove the webhook ${name}` }).click();
  await page.getByTestId('remove-webhook-dialog').getByRole('button', { name: 'Remove' }).click();
  await expect(card).toHaveCount(0);
});
