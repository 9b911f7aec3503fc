import type { Page } from '@playwright/test';
import { test, expect, setOidcFaults } from './helpers';

// R22: people sign in with their organisation's account (Entra ID, here the Graph simulator's
// OpenID Connect provider). Someone the workspace does not know is told so and nothing is made;
// a token signed with another key, or expired, is refused.

async function signInWithMicrosoft(page: Page, email: string, next = '/t/contoso/operations') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByTestId('sign-in-oidc').click();
  await expect(page.getByRole('heading', { name: 'Sign in to the simulated directory' })).toBeVisible();
  await page.getByLabel('E-mail address').fill(email);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test.afterEach(async () => {
  await setOidcFaults({});
});

test('a person signs in with their organisation account and lands where they were going', async ({ page }) => {
  await signInWithMicrosoft(page, 'owner@demo.test');
  await expect(page).toHaveURL(/\/t\/contoso\/operations$/);
  await expect(page.getByTestId('user-name')).toHaveText('Olivia Owner');
});

test('someone the workspace does not know gets no access', async ({ page }) => {
  await signInWithMicrosoft(page, 'stranger@elsewhere.test');
  await expect(page).toHaveURL(/\/login\?oidc=no-access$/);
  await expect(page.getByTestId('oidc-refused')).toContainText('No access');
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
});

test('a token signed with the wrong key, or expired, is refused', async ({ page }) => {
  for (const faults of [{ wrong_key: true }, { expired: true }]) {
    await setOidcFaults(faults);
    await signInWithMicrosoft(page, 'owner@demo.test');
    await expect(page).toHaveURL(/\/login\?oidc=failed$/);
    await expect(page.getByTestId('oidc-refused')).toContainText('did not work');
    await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  }
});
