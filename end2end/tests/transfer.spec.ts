// Issue 3 (part): Transfer a single CoS, as the manual's Guide 1 steps 5–6.
import { test, expect, checkPage, signIn, DEMO } from './helpers';

test('transfer a CoS to another user, then OK back to View CoS', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos?nationality=filipino');
  await page.locator('table tbody tr').nth(1).getByRole('link').click();
  const heading = (await page.getByRole('heading', { level: 1 }).textContent())!;
  await page.getByRole('link', { name: 'Transfer' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Transfer a single CoS');
  await checkPage(page);
  const owner = (await page.getByTestId('owner').textContent())!.trim();

  const options = await page.getByLabel('Transfer to').locator('option').allTextContents();
  const target = options.find((o) => o && !o.includes('Select') && !o.includes('l2.demo'))!;
  await page.getByLabel('Transfer to').selectOption({ label: target });
  await page.getByRole('button', { name: 'Transfer' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('The CoS has been transferred');
  const newOwner = target.replace(/ \(.*\)$/, '');
  await expect(page.getByRole('status')).toContainText(newOwner);
  await checkPage(page);

  await page.getByRole('link', { name: 'OK' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
  const ownerRow = page.locator('.summary__row', { hasText: 'Owner' }).first();
  await expect(ownerRow).toContainText(newOwner);
  expect(newOwner).not.toEqual(owner);

  await page.getByRole('link', { name: 'Ownership history' }).click();
  await expect(page.locator('table tbody tr').last()).toContainText(newOwner);
  await expect(page.locator('table tbody tr').last()).toContainText(DEMO.l1.name);
  expect(consoleErrors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('transfer a CoS', async ({ page }) => {
    await signIn(page, DEMO.l1);
    await page.goto('/view-cos?nationality=ghanaian');
    await page.locator('table tbody tr').nth(2).getByRole('link').click();
    await page.getByRole('link', { name: 'Transfer' }).click();
    const options = await page.getByLabel('Transfer to').locator('option').allTextContents();
    const target = options.find((o) => o && !o.includes('Select') && !o.includes('l2.demo'))!;
    await page.getByLabel('Transfer to').selectOption({ label: target });
    await page.getByRole('button', { name: 'Transfer' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('The CoS has been transferred');
    await checkPage(page, { javascript: false });
    await page.getByRole('link', { name: 'OK' }).click();
    await expect(page.locator('.summary__row', { hasText: 'Owner' }).first()).toContainText(target.replace(/ \(.*\)$/, ''));
  });
});
