// Issue 8: what needs attention, on the Workers screen — on a desktop and a 320 px phone.
import { test, expect, checkPage, signIn, DEMO } from './helpers';

test('the Workers screen shows what needs attention, and a status count opens its CoS', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await expect(page.getByRole('heading', { name: 'What needs attention' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Expiring in the next 14 days' })).toBeVisible();
  await expect(page.getByTestId('allocation')).toContainText('Remaining');
  await checkPage(page);

  // An expiring CoS (the demo data, laid out around today, always has some) opens View CoS.
  const first = page.locator('.attention table tbody tr').first();
  await expect(first).toBeVisible();
  const number = (await first.getByRole('link').textContent())!.trim();
  await first.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(number);
  await expect(page.locator('.status--large')).toHaveText('ASSIGNED');
  await page.goBack();

  // The count of USED CoS is what the advanced search finds for USED.
  const used = page.getByTestId('by-status').getByRole('link', { name: /USED/ });
  const n = Number((await used.locator('.counts__n').textContent())!.trim());
  await used.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Advanced search');
  await expect(page.getByLabel('USED')).toBeChecked();
  await expect(page.getByRole('status').filter({ hasText: 'match' })).toContainText(`${n} CoS match`);
  expect(consoleErrors).toEqual([]);
});

test('a Level 2 user sees their own figures', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l2);
  await expect(page.getByText('The CoS you own.')).toBeVisible();
  await checkPage(page);
  expect(consoleErrors).toEqual([]);
});
