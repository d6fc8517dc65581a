// Issue 7: Manage work addresses (manual Guide 4): add with errors, add, edit without a change,
// edit, delete — and what a Level 2 user sees.
import { test, expect, checkPage, signIn, DEMO } from './helpers';

test('add with errors, add, edit without a change, edit, delete', async ({ page, consoleErrors }, testInfo) => {
  const name = `E2E ${testInfo.project.name} site`;
  await signIn(page, DEMO.l1);
  await page.getByRole('link', { name: 'Manage work addresses' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Manage work addresses');
  await checkPage(page);

  await page.getByRole('link', { name: 'Add', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Add work address');
  await checkPage(page);
  await page.getByLabel('Address identifier').fill(name);
  await page.getByLabel('Address line 1').fill('12 Quay Street');
  await page.getByLabel('Postcode').fill('m1 3h');
  await page.getByRole('button', { name: 'Save' }).click();

  // Errors next to the fields and in the summary; what was typed is kept.
  await expect(page.getByRole('alert')).toContainText('There is a problem');
  await expect(page.locator('#town-error')).toContainText('Enter a town or city');
  await expect(page.locator('#postcode-error')).toContainText('Enter a real UK postcode, like M1 3HE');
  await expect(page.getByLabel('Address identifier')).toHaveValue(name);
  await expect(page.getByLabel('Postcode')).toHaveValue('m1 3h');
  await expect(page.getByLabel('Postcode')).toHaveAttribute('aria-invalid', 'true');
  await checkPage(page);

  await page.getByLabel('Town or city').fill('Manchester');
  await page.getByLabel('Postcode').fill('m1 3he');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Manage work addresses');
  await expect(page.getByTestId('notice')).toHaveText(`Work address “${name}” has been added.`);
  const row = page.locator('table tbody tr', { hasText: name });
  await expect(row).toContainText('12 Quay Street, Manchester, M1 3HE');
  await checkPage(page);

  // Edit: Save waits for a change, and a change undone disables it again.
  await row.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Edit work address');
  const save = page.getByRole('button', { name: 'Save' });
  await expect(save).toBeDisabled();
  await checkPage(page);
  await page.getByLabel('County').fill('Greater Manchester');
  await expect(save).toBeEnabled();
  await page.getByLabel('County').fill('');
  await expect(save).toBeDisabled();
  await page.getByLabel('Postcode').fill('M13HE');
  await expect(save).toBeDisabled();
  await page.getByLabel('Address line 2').fill('Second floor');
  await expect(save).toBeEnabled();
  await save.click();
  await expect(page.getByTestId('notice')).toHaveText(`Work address “${name}” has been saved.`);
  await expect(page.locator('table tbody tr', { hasText: name })).toContainText('12 Quay Street, Second floor, Manchester, M1 3HE');

  // Delete asks first.
  await page.locator('table tbody tr', { hasText: name }).getByRole('link', { name }).click();
  await page.getByRole('link', { name: 'Delete' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Delete work address');
  await checkPage(page);
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByTestId('notice')).toHaveText(`Work address “${name}” has been deleted.`);
  await expect(page.locator('table tbody tr', { hasText: name })).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});

test('a Level 2 user sees the addresses but cannot change them', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l2);
  await page.goto('/work-addresses');
  await expect(page.getByRole('link', { name: 'Add', exact: true })).toHaveCount(0);
  await checkPage(page);
  await page.locator('table tbody tr a').first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Work address');
  await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await checkPage(page);
  // The tab names what the screen is: read only, not "Edit work address".
  await expect(page).toHaveTitle('Work address – Sponsorship Management System');
  expect(consoleErrors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('add, Save without a change is refused, then delete', async ({ page }, testInfo) => {
    const name = `E2E ${testInfo.project.name} no-JS site`;
    await signIn(page, DEMO.l1);
    await page.goto('/work-addresses/add');
    await page.getByLabel('Address identifier').fill(name);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('#line1-error')).toContainText('Enter address line 1');
    await expect(page.getByLabel('Address identifier')).toHaveValue(name);
    await page.getByLabel('Address line 1').fill('3 Mill Lane');
    await page.getByLabel('Town or city').fill('Leeds');
    await page.getByLabel('Postcode').fill('ls1 4ap');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('notice')).toHaveText(`Work address “${name}” has been added.`);
    await page.getByRole('link', { name }).click();
    await expect(page.getByRole('button', { name: 'Save' })).toBeEnabled();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('alert')).toContainText('Change at least one detail of the address before you select Save');
    await checkPage(page, { javascript: false });
    await page.getByRole('link', { name: 'Delete' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Delete work address');
    await page.getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByTestId('notice')).toHaveText(`Work address “${name}” has been deleted.`);
    await expect(page.getByRole('link', { name })).toHaveCount(0);
  });
});
