// Issue 3 (part): Transfer a single CoS, as the manual's Guide 1 steps 5–6.
import { test, expect, checkPage, signIn, DEMO, isSeededUser, expectAccessible, expectNoHorizontalScroll } from './helpers';

test('transfer a CoS in the dialog; on OK the page already shows the new owner', async ({ page, consoleErrors }, testInfo) => {
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos?nationality=philippines');
  await page.locator('table tbody tr').nth(testInfo.project.name === 'phone' ? 3 : 1).getByRole('link').click();
  // Read once the CoS has loaded (before, the heading is the loading screen's "View CoS").
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^View CoS C[A-Z0-9]{10}$/);
  const heading = (await page.getByRole('heading', { level: 1 }).textContent())!;
  await checkPage(page);
  const url = page.url();
  const ownerRow = page.locator('main .summary__row', { hasText: 'Owner' }).first();
  const owner = (await ownerRow.locator('dd').textContent())!.trim();

  await page.getByRole('link', { name: 'Transfer', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Transfer a single CoS' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Transfer to')).toBeFocused();
  await expect(dialog.locator('.summary__row', { hasText: 'Owner now' })).toContainText(owner);
  await expectNoHorizontalScroll(page);
  await expectAccessible(page);

  const options = await dialog.getByLabel('Transfer to').locator('option').allTextContents();
  const target = options.find((o) => isSeededUser(o) && !o.includes('l2.demo'))!;
  await dialog.getByLabel('Transfer to').selectOption({ label: target });
  await dialog.getByRole('button', { name: 'Transfer' }).click();
  const done = page.getByRole('dialog', { name: 'The CoS has been transferred' });
  const newOwner = target.replace(/ \(.*\)$/, '');
  await expect(done.getByRole('status')).toContainText(`is now owned by ${newOwner}`);
  await expect(done.getByRole('button', { name: 'OK' })).toBeFocused();
  await expectAccessible(page);

  await done.getByRole('button', { name: 'OK' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  // The same page, read again in place: no navigation happened.
  expect(page.url()).toBe(url);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
  await expect(ownerRow).toContainText(newOwner);
  expect(newOwner).not.toEqual(owner);
  await expect(page.getByRole('link', { name: 'Transfer', exact: true })).toBeFocused();

  await page.getByRole('link', { name: 'Ownership history' }).click();
  await expect(page.locator('table tbody tr').last()).toContainText(newOwner);
  await expect(page.locator('table tbody tr').last()).toContainText(DEMO.l1.name);
  expect(consoleErrors).toEqual([]);
});

test('the Transfer screen itself still works once hydrated', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos?nationality=philippines');
  const href = (await page.locator('table tbody tr').nth(5).getByRole('link').getAttribute('href'))!;
  await page.goto(href.replace('?', '/transfer?'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Transfer a single CoS');
  await checkPage(page);
  expect(consoleErrors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('transfer a CoS', async ({ page }) => {
    await signIn(page, DEMO.l1);
    await page.goto('/view-cos?nationality=ghana');
    await page.locator('table tbody tr').nth(2).getByRole('link').click();
    await page.getByRole('link', { name: 'Transfer' }).click();
    const options = await page.getByLabel('Transfer to').locator('option').allTextContents();
    const target = options.find((o) => isSeededUser(o) && !o.includes('l2.demo'))!;
    await page.getByLabel('Transfer to').selectOption({ label: target });
    await page.getByRole('button', { name: 'Transfer' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('The CoS has been transferred');
    await checkPage(page, { javascript: false });
    await page.getByRole('link', { name: 'OK' }).click();
    await expect(page.locator('.summary__row', { hasText: 'Owner' }).first()).toContainText(target.replace(/ \(.*\)$/, ''));
  });
});
