// Issue 2: sign in, the Workers screen, sign out — on a desktop and a 320 px phone.
import { test, expect, checkPage, signIn, DEMO, expectHydrated } from './helpers';

test('a Level 1 user signs in, sees the Workers screen and signs out', async ({ page, consoleErrors }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  await checkPage(page);

  await signIn(page, DEMO.l1);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Workers');
  await expect(page.getByTestId('sponsor-name')).toHaveText(DEMO.l1.sponsor);
  await expect(page.getByTestId('licence-number')).toHaveText('2XK7Q4M9B');
  await expect(page.getByTestId('user-name')).toContainText(DEMO.l1.name);
  await expect(page.getByTestId('user-level')).toContainText('Level 1 user');
  for (const fn of ['View CoS', 'Sponsorship duties', 'Manage work addresses']) {
    await expect(page.getByRole('main').getByText(fn, { exact: true })).toBeVisible();
  }
  await checkPage(page);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('status')).toHaveText('You have signed out.');
  await checkPage(page);
  // Signed out means signed out.
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
  expect(consoleErrors).toEqual([]);
});

test('a Level 2 user and another sponsor see their own names', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l2);
  await expect(page.getByTestId('user-level')).toContainText('Level 2 user');
  await expect(page.getByTestId('user-name')).toContainText(DEMO.l2.name);
  await expectHydrated(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, DEMO.other);
  await expect(page.getByTestId('sponsor-name')).toHaveText(DEMO.other.sponsor);
  await expect(page.getByText('Acme')).toHaveCount(0);
  await checkPage(page);
  expect(consoleErrors).toEqual([]);
});

test('a wrong password is explained next to the field and the user ID is kept', async ({ page, consoleErrors }) => {
  await page.goto('/sign-in');
  await expectHydrated(page);
  await page.getByLabel('User ID').fill('someone.unknown');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('There is a problem');
  await expect(page.getByRole('alert')).toContainText('The user ID or password is incorrect.');
  await expect(page.locator('#user_id-error')).toContainText('The user ID or password is incorrect.');
  await expect(page.getByLabel('User ID')).toHaveValue('someone.unknown');
  await expect(page.getByLabel('User ID')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Password')).toHaveValue('');
  await checkPage(page);
  // The summary's link takes you to the field.
  await page.getByRole('alert').getByRole('link').click();
  await expect(page.getByLabel('User ID')).toBeFocused();
  expect(consoleErrors).toEqual([]);
});

test('signing in returns you to the page you asked for', async ({ page, consoleErrors }) => {
  await page.goto('/?from=bookmark');
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await page.getByLabel('User ID').fill(DEMO.l1.user);
  await page.getByLabel('Password').fill(DEMO.l1.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/\?from=bookmark$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Workers');
  await expectHydrated(page);
  expect(consoleErrors).toEqual([]);
});

test('the whole journey works from the keyboard', async ({ page, consoleErrors }) => {
  await page.goto('/sign-in');
  await expectHydrated(page);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main-content')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('User ID')).toBeFocused();
  await page.keyboard.type(DEMO.l1.user);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(DEMO.l1.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Workers');
  await expectHydrated(page);
  // Sign out is reachable by Tab and works with Enter.
  const signOut = page.getByRole('button', { name: 'Sign out' });
  for (let i = 0; i < 10 && !(await signOut.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(signOut).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/sign-in$/);
  expect(consoleErrors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign in, the Workers screen and sign out still work', async ({ page }) => {
    await signIn(page, DEMO.l1);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Workers');
    await expect(page.getByTestId('sponsor-name')).toHaveText(DEMO.l1.sponsor);
    await checkPage(page, { javascript: false });
    // Nothing hydrated the page: what the user saw came from the server alone.
    await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('status')).toHaveText('You have signed out.');
  });
});
