// Issue 19: a Level 1 user creates a Level 2 user; the new user signs in with the temporary
// password, must change it before anything else, then sees only their own CoS; deactivated,
// they cannot sign in.
import { test, expect, checkPage, signIn, DEMO } from './helpers';
import type { Page } from '@playwright/test';

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

/** Manage users → Create a Level 2 user → User created; returns the temporary password. */
async function createUser(page: Page, name: string, userId: string, javascript = true) {
  await page.goto('/');
  await page.getByRole('link', { name: 'Manage users' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Manage users');
  await checkPage(page, { javascript });
  await page.getByRole('link', { name: 'Create a Level 2 user' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create a Level 2 user');
  // Wrong details: told by their fields, what was typed kept.
  await page.getByLabel('Full name').fill(name);
  await page.getByLabel('User ID').fill('No Spaces');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.locator('#email-error')).toContainText("Enter the user's email address");
  await expect(page.locator('#user_id-error')).toContainText('The user ID can only have letters');
  await expect(page.getByLabel('Full name')).toHaveValue(name);
  await checkPage(page, { javascript });
  await page.getByLabel('Email address').fill(`${userId}@acme.example`);
  await page.getByLabel('User ID').fill(userId);
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('User created');
  await expect(page.locator('main')).toContainText('This password will not be shown again');
  await checkPage(page, { javascript });
  const password = (await page.getByTestId('temporary-password').textContent())!.trim();
  expect(password).toHaveLength(16);
  return password;
}

async function deactivate(page: Page, userId: string, javascript = true) {
  await page.goto(`/manage-users/user/${userId}`);
  await checkPage(page, { javascript });
  await page.getByRole('link', { name: 'Deactivate' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Deactivate');
  await checkPage(page, { javascript });
  await page.getByRole('button', { name: 'Yes, deactivate' }).click();
  await expect(page.getByRole('status')).toContainText('has been deactivated');
  await expect(page.locator('.summary')).toContainText('Deactivated');
}

test('create a Level 2 user, who must change the temporary password, then deactivate them', async ({ page, consoleErrors }, testInfo) => {
  const userId = `pw.${testInfo.project.name}.${Date.now()}`;
  await signIn(page, DEMO.l1);
  const temporary = await createUser(page, `Robin ${testInfo.project.name}`, userId);
  await signOut(page);

  // The new user: the change of password comes first, whatever URL is typed.
  await signIn(page, { user: userId, password: temporary });
  await expect(page).toHaveURL(/\/change-password$/);
  await expect(page.locator('main')).toContainText('You signed in with a temporary password');
  await checkPage(page);
  await page.goto('/view-cos/advanced');
  await expect(page).toHaveURL(/\/change-password$/);
  await page.getByLabel('Temporary password').fill(temporary);
  await page.getByLabel('New password', { exact: true }).fill('password1234');
  await page.getByLabel('Confirm new password').fill('password1234');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#new_password-error')).toContainText('too common');
  await expect(page.getByLabel('Temporary password')).toHaveValue('');
  await checkPage(page);
  await page.getByLabel('Temporary password').fill(temporary);
  await page.getByLabel('New password', { exact: true }).fill('quiet-harbour-violet-7');
  await page.getByLabel('Confirm new password').fill('quiet-harbour-violet-7');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your password has been changed');
  await checkPage(page);
  await page.getByRole('link', { name: 'Continue to Workers' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Workers');
  await expect(page.getByRole('link', { name: 'Manage users' })).toHaveCount(0);
  // A Level 2 user sees only their own CoS: a new one owns none.
  await page.goto('/view-cos/advanced?status=assigned&status=used');
  await expect(page.locator('main')).toContainText('No CoS match your search.');
  // Manage users is not there for them (asked beside the page: a 404 page logs an error).
  expect((await page.request.get('/manage-users')).status()).toBe(404);
  await page.goto('/');
  await signOut(page);

  // Deactivated: cannot sign in.
  await signIn(page, DEMO.l1);
  await deactivate(page, userId);
  await signOut(page);
  await signIn(page, { user: userId, password: 'quiet-harbour-violet-7' });
  await expect(page.getByRole('alert')).toContainText('The user ID or password is incorrect.');
  expect(consoleErrors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('create a user, change the temporary password, deactivate', async ({ page }, testInfo) => {
    const userId = `nojs.${testInfo.project.name}.${Date.now()}`;
    await signIn(page, DEMO.l1);
    const temporary = await createUser(page, `Kim ${testInfo.project.name}`, userId, false);
    await signOut(page);
    await signIn(page, { user: userId, password: temporary });
    await expect(page).toHaveURL(/\/change-password$/);
    await page.getByLabel('Temporary password').fill(temporary);
    await page.getByLabel('New password', { exact: true }).fill('maple-cobalt-river-3');
    await page.getByLabel('Confirm new password').fill('maple-cobalt-river-3');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your password has been changed');
    await page.goto('/');
    await signOut(page);
    await signIn(page, DEMO.l1);
    await deactivate(page, userId, false);
  });
});
