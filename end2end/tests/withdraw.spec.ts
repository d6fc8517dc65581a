// Issue 6: Sponsorship duties → Manage live CoS → withdraw an ASSIGNED CoS (manual Guide 3).
import { test, expect, checkPage, signIn, DEMO } from './helpers';
import type { Page } from '@playwright/test';

const today = () =>
  new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });

/** Workers → Sponsorship duties → Manage live CoS → Search for a CoS by nationality → Next. */
async function searchLive(page: Page, nationality: string, { javascript = true } = {}) {
  await page.goto('/');
  await page.getByRole('link', { name: 'Sponsorship duties' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sponsorship duties');
  await checkPage(page, { javascript });
  await page.getByRole('link', { name: 'Manage live CoS' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Search for a CoS');
  await page.getByLabel('Nationality').fill(nationality);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { name: 'Search results' })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`nationality=${nationality}`));
}

/** Opens the first result in `status`; its CoS number. */
async function openFirst(page: Page, status: string) {
  const row = page.locator('table tbody tr', { has: page.locator('.status', { hasText: new RegExp(`^${status}$`) }) }).first();
  const link = row.getByRole('link');
  const number = (await link.textContent())!.trim();
  await link.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Manage live CoS');
  await expect(page.locator('.summary__row', { hasText: 'CoS number' })).toContainText(number);
  return number;
}

test('withdraw an ASSIGNED CoS, with Cancel first', async ({ page, consoleErrors }, testInfo) => {
  await signIn(page, DEMO.l1);
  await searchLive(page, testInfo.project.name === 'phone' ? 'Japan' : 'Malaysia');
  await checkPage(page);
  const number = await openFirst(page, 'ASSIGNED');
  await checkPage(page);

  await page.getByRole('link', { name: 'Withdraw CoS' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Withdrawal confirmation');
  await expect(page.getByText('It is not returned to your allocation.')).toBeVisible();
  await expect(page.getByText('The fee you paid when you assigned it is not refunded.')).toBeVisible();
  await checkPage(page);

  // Cancel changes nothing.
  await page.getByRole('link', { name: 'Cancel' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Manage live CoS');
  await expect(page.locator('.summary__row', { hasText: 'Status' }).first()).toContainText('ASSIGNED');

  await page.getByRole('link', { name: 'Withdraw CoS' }).click();
  await page.getByRole('button', { name: 'Withdraw CoS' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Search for a CoS');
  await expect(page.getByTestId('withdrawn')).toHaveText(`CoS ${number} has been withdrawn.`);
  await checkPage(page);

  // View CoS shows it WITHDRAWN since today.
  await page.goto(`/view-cos/${number}`);
  await expect(page.locator('.status--large')).toHaveText('WITHDRAWN');
  await expect(page.locator('.summary__row', { hasText: 'Status date' })).toContainText(today());
  expect(consoleErrors).toEqual([]);
});

test('a USED CoS says why it cannot be withdrawn; Back returns to the results', async ({ page, consoleErrors }, testInfo) => {
  await signIn(page, DEMO.l1);
  const nationality = testInfo.project.name === 'phone' ? 'Mexico' : 'India';
  await searchLive(page, nationality);
  await openFirst(page, 'USED');
  await expect(page.getByText('This CoS cannot be withdrawn: it is USED')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Withdraw CoS' })).toHaveCount(0);
  await checkPage(page);
  await page.getByRole('link', { name: 'Back' }).click();
  await expect(page.getByRole('heading', { name: 'Search results' })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/sponsorship-duties/manage-live-cos\\?nationality=${nationality}`));
  expect(consoleErrors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('withdraw a CoS', async ({ page }, testInfo) => {
    await signIn(page, DEMO.l1);
    await searchLive(page, testInfo.project.name === 'phone' ? 'Nepal' : 'Ukraine', { javascript: false });
    const number = await openFirst(page, 'ASSIGNED');
    await page.getByRole('link', { name: 'Withdraw CoS' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Withdrawal confirmation');
    await checkPage(page, { javascript: false });
    await page.getByRole('button', { name: 'Withdraw CoS' }).click();
    await expect(page.getByTestId('withdrawn')).toHaveText(`CoS ${number} has been withdrawn.`);
    await page.goto(`/view-cos/${number}`);
    await expect(page.locator('.status--large')).toHaveText('WITHDRAWN');
  });
});
