// Issue 18 (part): Sponsorship duties → Report migrant activity, from the search to "Activity
// reported" and the activity details, with Change from "Check your report" and a late report.
import { test, expect, checkPage, signIn, DEMO } from './helpers';
import type { Page } from '@playwright/test';

function uk(daysFromNow: number) {
  const d = new Date(Date.now() + daysFromNow * 86_400_000);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
}

/** Workers → Sponsorship duties → Report migrant activity → the first USED CoS of a nationality. */
async function openUsed(page: Page, nationality: string, javascript = true) {
  await page.goto('/');
  await page.getByRole('link', { name: 'Sponsorship duties' }).click();
  await page.getByRole('link', { name: 'Report migrant activity' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Report migrant activity');
  await checkPage(page, { javascript });
  await page.getByLabel('Nationality').fill(nationality);
  await page.getByRole('button', { name: 'Next' }).click();
  // The last of the page: the longest USED, so assigned well before any event date used here.
  const row = page.locator('table tbody tr', { has: page.locator('.status', { hasText: /^USED$/ }) }).last();
  const number = (await row.getByRole('link').textContent())!.trim();
  await row.getByRole('link').click();
  await expect(page.locator('main')).toContainText(number);
  await checkPage(page, { javascript });
  return number;
}

test('report a change of salary, late, with Change from the check screen', async ({ page, consoleErrors }, testInfo) => {
  const phone = testInfo.project.name === 'phone';
  await signIn(page, phone ? DEMO.l2 : DEMO.l1);
  const number = await openUsed(page, phone ? 'Brazil' : 'Ukraine');
  await page.getByRole('link', { name: 'Report activity' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Report activity');
  await checkPage(page);
  await page.getByLabel('Activity').selectOption({ label: 'Change of salary' });
  // Once hydrated only the answer this activity asks for is shown.
  await expect(page.getByLabel('New gross annual salary (£)')).toBeVisible();
  await expect(page.getByLabel('New total weekly working hours')).toBeHidden();
  // A month back: late by several working days whatever today is (16 days back was 1 working
  // day late on a Monday, and not late at all over Christmas).
  await page.getByLabel('Date of the event').fill(uk(-30));
  await page.getByLabel('Details').fill('Pay rise agreed at review.');
  await expect(page.locator('#details-count')).toHaveText(`You have ${2000 - 'Pay rise agreed at review.'.length} characters remaining`);
  await page.getByRole('button', { name: 'Continue' }).click();
  // The salary was left out: told by its field, the other answers kept.
  await expect(page.locator('#new_salary-error')).toContainText('Enter the new gross annual salary');
  await expect(page.getByLabel('Details')).toHaveValue('Pay rise agreed at review.');
  await checkPage(page);
  await page.getByLabel('New gross annual salary (£)').fill('41000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your report');
  await expect(page.getByTestId('deadline')).toContainText('working days late');
  await checkPage(page);
  // Change: back to the form with everything kept.
  await page.getByRole('link', { name: 'Change details' }).click();
  await expect(page.getByLabel('Details')).toHaveValue('Pay rise agreed at review.');
  await page.getByLabel('Details').fill('Pay rise agreed at the annual review.');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.locator('main')).toContainText('Pay rise agreed at the annual review.');
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Activity reported');
  await expect(page.getByRole('status')).toContainText(`Change of salary`);
  await checkPage(page);
  await page.getByRole('link', { name: 'Activity history' }).click();
  await expect(page.locator('main')).toContainText(number);
  const last = page.locator('table tbody tr').last();
  await expect(last).toContainText('Change of salary');
  expect(consoleErrors).toEqual([]);
});

test('an ASSIGNED CoS cannot be reported on', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await page.goto('/sponsorship-duties/report-activity?nationality=kenya');
  const row = page.locator('table tbody tr', { has: page.locator('.status', { hasText: /^ASSIGNED$/ }) }).first();
  await row.getByRole('link').click();
  await expect(page.locator('main')).toContainText('Only a USED CoS can be reported on. This CoS is ASSIGNED.');
  await expect(page.getByRole('link', { name: 'Report activity' })).toHaveCount(0);
  await checkPage(page);
  expect(consoleErrors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('report that a worker has left', async ({ page }, testInfo) => {
    await signIn(page, DEMO.l1);
    await openUsed(page, testInfo.project.name === 'phone' ? 'Australia' : 'Jamaica', false);
    await page.getByRole('link', { name: 'Report activity' }).click();
    // Without scripts every answer is shown, each saying which activity asks for it.
    await expect(page.getByLabel('New total weekly working hours')).toBeVisible();
    await page.getByLabel('Activity').selectOption({ label: 'Migrant has left the Sponsor' });
    await page.getByLabel('Date of the event').fill(uk(-1));
    await page.getByLabel('Details').fill('Resigned; last day yesterday.');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByTestId('deadline')).toContainText('on time');
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Activity reported');
  });
});
