// Issue 18 (part): Manage live CoS → "Add a sponsor note" on an ASSIGNED CoS, with its live
// count, its refusal on a USED one, and the note shown on View CoS.
import { test, expect, checkPage, signIn, DEMO } from './helpers';
import type { Page } from '@playwright/test';

/** Manage live CoS of the first CoS in `status` among those of a nationality. */
async function openLive(page: Page, nationality: string, status: string, javascript = true) {
  await page.goto('/sponsorship-duties/manage-live-cos');
  await page.getByLabel('Nationality').fill(nationality);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { name: 'Search results' })).toBeVisible();
  const row = page.locator('table tbody tr', { has: page.locator('.status', { hasText: new RegExp(`^${status}$`) }) }).first();
  const number = (await row.getByRole('link').textContent())!.trim();
  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Manage live CoS');
  await checkPage(page, { javascript });
  return number;
}

test('add a sponsor note to an ASSIGNED CoS; none on a USED one', async ({ page, consoleErrors }, testInfo) => {
  const phone = testInfo.project.name === 'phone';
  await signIn(page, phone ? DEMO.l2 : DEMO.l1);
  const number = await openLive(page, phone ? 'Mexico' : 'Nepal', 'ASSIGNED');
  await page.getByRole('link', { name: 'Add a sponsor note' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Add a sponsor note');
  await checkPage(page);
  // Empty: told by the field.
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.locator('#note-error')).toContainText('Enter the note');
  await checkPage(page);
  const note = `Hours agreed at 37.5 from March (${testInfo.project.name}).`;
  await page.getByLabel('Note').fill(note);
  await expect(page.locator('#note-count')).toHaveText(`You have ${2000 - note.length} characters remaining`);
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByRole('status').first()).toContainText('Your sponsor note has been added.');
  await checkPage(page);
  await page.goto(`/view-cos/${number}`);
  await expect(page.locator('.notes')).toContainText(note);

  const used = await openLive(page, phone ? 'Mexico' : 'Nepal', 'USED');
  await expect(page.getByRole('link', { name: 'Add a sponsor note' })).toHaveCount(0);
  await page.goto(`/sponsorship-duties/manage-live-cos/${used}/note`);
  await expect(page.locator('main')).toContainText('A sponsor note can only be added to an ASSIGNED CoS. This CoS is USED.');
  await checkPage(page);
  expect(consoleErrors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('add a sponsor note', async ({ page }, testInfo) => {
    await signIn(page, DEMO.l1);
    const number = await openLive(page, testInfo.project.name === 'phone' ? 'Egypt' : 'Colombia', 'ASSIGNED', false);
    await page.getByRole('link', { name: 'Add a sponsor note' }).click();
    await page.getByLabel('Note').fill('Added without scripts.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect(page.getByRole('status').first()).toContainText('Your sponsor note has been added.');
    await page.goto(`/view-cos/${number}`);
    await expect(page.locator('.notes')).toContainText('Added without scripts.');
  });
});
