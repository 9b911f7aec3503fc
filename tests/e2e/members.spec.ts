import type { Browser, Page } from '@playwright/test';
import { test, expect, signIn } from './helpers';

// R16, R19, R21: a tenant's members, as an owner manages them from the Members page — invite a
// colleague, who makes an account from the link and lands on the tenant; change their role;
// remove them, after which their open tab finds the tenant gone. Readers see who has access
// without the buttons.

const COLLEAGUE_PASSWORD = 'a colleague password';

const pageErrors = new WeakMap<Page, string[]>();

/** A page in a browser of its own (no cookies shared with the owner's). */
async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  pageErrors.set(page, errors);
  return page;
}

/** Closes a page made by `freshPage`, failing on any uncaught error it had. */
async function done(page: Page) {
  expect(pageErrors.get(page), 'uncaught errors in the page').toEqual([]);
  await page.context().close();
}

async function inviteFromMembers(page: Page, email: string, role: string): Promise<string> {
  await page.goto('/t/contoso/members');
  const form = page.getByTestId('invite-form');
  await form.getByLabel('E-mail address').fill(email);
  await form.getByLabel('Role').selectOption(role);
  await form.getByRole('button', { name: 'Invite' }).click();
  const link = await page.getByTestId('invite-url').inputValue();
  expect(link).toMatch(/\/invite\/[0-9a-f]{64}$/);
  await expect(page.getByTestId('invitation').filter({ hasText: email })).toBeVisible();
  return link;
}

test('an owner invites a colleague, who makes an account, lands on the tenant and is then changed and removed', async ({
  page,
  browser,
}) => {
  const email = `colleague-${Date.now()}@acme.test`;
  await signIn(page, 'owner@demo.test');
  const link = await inviteFromMembers(page, email, 'operator');

  // The colleague opens the link in their own browser and makes their account.
  const colleague = await freshPage(browser);
  await colleague.goto(link);
  await expect(colleague.getByTestId('invitation-summary')).toContainText('Contoso Ltd.');
  await expect(colleague.getByTestId('invitation-summary')).toContainText('operator');
  await colleague.getByLabel('Your name').fill('Cora Colleague');
  await colleague.getByLabel('Choose a password').fill(COLLEAGUE_PASSWORD);
  await colleague.getByRole('button', { name: 'Create account and join' }).click();
  await expect(colleague).toHaveURL(/\/t\/contoso$/);
  await expect(colleague.getByTestId('user-name')).toHaveText('Cora Colleague');
  await expect(colleague.getByRole('button', { name: 'Sync inventory' })).toBeVisible();

  // The link is spent.
  const again = await freshPage(browser);
  await again.goto(link);
  await expect(again.getByTestId('invitation-unusable')).toContainText('used already');
  await done(again);

  // The colleague signs out and back in with the password they chose.
  await colleague.getByRole('button', { name: 'Sign out' }).click();
  await colleague.getByLabel('Email').fill(email);
  await colleague.getByLabel('Password').fill(COLLEAGUE_PASSWORD);
  await colleague.getByRole('button', { name: 'Sign in' }).click();
  await expect(colleague.getByTestId('user-name')).toHaveText('Cora Colleague');

  // The owner makes them a reader: their start button goes once they reload.
  await page.goto('/t/contoso/members');
  const row = page.getByTestId('member').filter({ hasText: email });
  await row.getByLabel('Role of Cora Colleague').selectOption('reader');
  await expect(row.getByLabel('Role of Cora Colleague')).toHaveValue('reader');
  await colleague.goto('/t/contoso');
  await expect(colleague.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(colleague.getByRole('button', { name: 'Sync inventory' })).toHaveCount(0);

  // The last owner cannot be demoted: the page says why and the picker goes back.
  const owner = page.getByTestId('member').filter({ hasText: 'owner@demo.test' });
  await owner.getByLabel('Role of Olivia Owner').selectOption('reader');
  await expect(page.getByRole('alert')).toContainText('last owner');
  await expect(owner.getByLabel('Role of Olivia Owner')).toHaveValue('owner');

  // Removed, after a confirm step: their open tab finds the tenant gone.
  await row.getByRole('button', { name: 'Remove Cora Colleague' }).click();
  const dialog = page.getByRole('dialog', { name: /Remove Cora Colleague/ });
  await expect(dialog).toContainText(email);
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('member').filter({ hasText: email })).toHaveCount(0);
  await colleague.goto('/t/contoso/members');
  await expect(colleague.getByTestId('not-found')).toBeVisible();

  // Each change is in the tenant's audit log.
  await page.goto('/t/contoso/audit-log');
  for (const action of ['invitation.create', 'invitation.accept', 'member.role_change', 'member.revoke']) {
    await expect(page.getByTestId('audit-entry').filter({ hasText: action }).first()).toBeVisible();
  }
  await done(colleague);
});

test('a revoked invitation link leads nowhere, and someone with an account signs in to join', async ({
  page,
  browser,
}) => {
  await signIn(page, 'owner@demo.test');
  const revoked = await inviteFromMembers(page, `revoked-${Date.now()}@acme.test`, 'reader');
  const row = page.getByTestId('invitation').filter({ hasText: 'revoked-' });
  await row.getByRole('button', { name: /Revoke the invitation/ }).click();
  await expect(row).toHaveCount(0);
  const stranger = await freshPage(browser);
  await stranger.goto(revoked);
  await expect(stranger.getByTestId('invitation-unusable')).toBeVisible();

  // The outsider has an account: the link asks them to sign in, then brings them back to join.
  const link = await inviteFromMembers(page, 'outsider@demo.test', 'reader');
  await stranger.goto(link);
  await stranger.getByTestId('sign-in-to-join').click();
  await stranger.getByLabel('Email').fill('outsider@demo.test');
  await stranger.getByLabel('Password').fill('opsux-demo');
  await stranger.getByRole('button', { name: 'Sign in' }).click();
  await stranger.getByTestId('join').click();
  await expect(stranger).toHaveURL(/\/t\/contoso$/);

  // Put the demo back as it was: the outsider belongs nowhere.
  await page.goto('/t/contoso/members');
  await page
    .getByTestId('member')
    .filter({ hasText: 'outsider@demo.test' })
    .getByRole('button', { name: 'Remove Oscar Outsider' })
    .click();
  await page.getByRole('dialog', { name: /Remove Oscar Outsider/ }).getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('member').filter({ hasText: 'outsider@demo.test' })).toHaveCount(0);
  await done(stranger);
});

test('a reader sees who has access, without the buttons', async ({ page }) => {
  await signIn(page, 'reader@demo.test', '/t/contoso/members');
  await expect(page.getByTestId('member').filter({ hasText: 'owner@demo.test' })).toContainText('Owner');
  await expect(page.getByTestId('invite-form')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Remove/ })).toHaveCount(0);
  await expect(page.getByRole('combobox')).toHaveCount(1); // the tenant switcher only
});

test('a person changes their password and signs out everywhere from their account page', async ({
  page,
  browser,
}) => {
  // A person of their own, made through an invitation, so the demo users' passwords stay.
  await signIn(page, 'owner@demo.test');
  const email = `account-${Date.now()}@acme.test`;
  const link = await inviteFromMembers(page, email, 'reader');
  const person = await freshPage(browser);
  await person.goto(link);
  await person.getByLabel('Your name').fill('Ada Account');
  await person.getByLabel('Choose a password').fill(COLLEAGUE_PASSWORD);
  await person.getByRole('button', { name: 'Create account and join' }).click();
  await expect(person.getByTestId('user-name')).toHaveText('Ada Account');

  await person.getByTestId('user-name').click();
  await expect(person.getByRole('heading', { name: 'Account' })).toBeVisible();
  await expect(person.getByTestId('session').filter({ hasText: 'This browser' })).toHaveCount(1);
  const form = person.getByTestId('password-form');
  await form.getByLabel('Current password').fill('not my password');
  await form.getByLabel('New password', { exact: true }).fill('my second password');
  await form.getByLabel('New password, again').fill('my second password');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByRole('alert')).toContainText('not your current password');
  await form.getByLabel('Current password').fill(COLLEAGUE_PASSWORD);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(person.getByTestId('password-changed')).toBeVisible();

  await person.getByTestId('sign-out-everywhere').click();
  await person.getByRole('dialog', { name: 'Sign out everywhere?' }).getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(person.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await person.getByLabel('Email').fill(email);
  await person.getByLabel('Password').fill('my second password');
  await person.getByRole('button', { name: 'Sign in' }).click();
  await expect(person.getByTestId('user-name')).toHaveText('Ada Account');
  await done(person);
});
