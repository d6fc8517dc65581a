// Issue 16, the manual's details: what each status means where it is chosen and where it is
// shown, and the other regular work addresses of a CoS.
import { test, expect, checkPage, signIn, DEMO } from './helpers';

test('each status says what it means, where it is chosen and where it is shown', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos/advanced');
  await checkPage(page);
  await expect(page.getByLabel('ASSIGNED', { exact: true })).toHaveAccessibleDescription(
    'Assigned to a worker and ready to be used in an application for leave to enter or remain.',
  );
  await expect(page.getByLabel('CANCELLED', { exact: true })).toHaveAccessibleDescription(/licence was revoked or expired/);
  await page.getByLabel('USED', { exact: true }).check();
  await expect(page).toHaveURL(/status=used/);
  const rows = page.locator('table tbody tr');
  await expect(rows.first().locator('.status')).toHaveText('USED');
  await rows.first().getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('View CoS C');

  // View CoS: the status, and what it means a keypress away.
  const meaning = page.getByText("Used in support of the worker's application for leave to enter or remain.");
  await expect(meaning).toBeHidden();
  await page.getByText('What USED means').focus();
  await page.keyboard.press('Enter');
  await expect(meaning).toBeVisible();
  // Every CoS lists its other regular work addresses (or says there are none).
  await expect(page.getByText('Other regular work addresses')).toBeVisible();
  await checkPage(page);
  expect(consoleErrors).toEqual([]);
});

test('Back from a CoS goes to the batch it was opened from, and on to the batch search', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos/batches?reference=');
  const reference = (await page.locator('table tbody tr').first().getByRole('link').textContent())!.trim();
  await page.locator('table tbody tr').first().getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('CoS search result');
  const number = (await page.locator('table tbody tr').first().getByRole('link').textContent())!.trim();
  await page.locator('table tbody tr').first().getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`View CoS ${number}`);
  await checkPage(page);
  await page.getByRole('link', { name: 'Back', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('CoS search result');
  await expect(page.locator('dl')).toContainText(reference);
  await page.getByRole('link', { name: 'Back', exact: true }).click();
  await expect(page).toHaveURL(/\/view-cos\/batches\?reference=$/);
  await expect(page.getByRole('status').filter({ hasText: 'match your search' })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('on a phone the first screen shows the work, not the header', async ({ page, consoleErrors }, testInfo) => {
  await signIn(page, DEMO.l1);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Workers');
  await checkPage(page);
  const header = (await page.locator('.site-header').boundingBox())!;
  const functions = (await page.getByRole('heading', { name: 'What do you want to do?' }).boundingBox())!;
  const viewport = page.viewportSize()!;
  if (testInfo.project.name === 'phone') {
    expect(header.height, 'the header is one compact band').toBeLessThanOrEqual(viewport.height / 8);
  }
  expect(functions.y, 'the functions start on the first screen').toBeLessThan(viewport.height / 2);
  await expect(page.getByRole('link', { name: 'View CoS', exact: true }).first()).toBeInViewport();
  await page.screenshot({ path: testInfo.outputPath('workers.png') });
  expect(consoleErrors).toEqual([]);
});

test('a search opened on a phone shows its results first, with the filters folded away', async ({ page, consoleErrors }, testInfo) => {
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos/advanced?status=used');
  await checkPage(page);
  const used = page.getByLabel('USED', { exact: true });
  const count = page.getByRole('status').filter({ hasText: 'match' });
  if (testInfo.project.name === 'phone') {
    await expect(used).toBeHidden();
    await expect(count).toBeInViewport();
    await page.getByText('Filters', { exact: true }).click();
  }
  await expect(used).toBeVisible();
  await expect(used).toBeChecked();
  // A fresh advanced search starts with the filters open, on any screen.
  await page.goto('/view-cos/advanced');
  await expect(page.getByLabel('ASSIGNED', { exact: true })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the meaning of a status opens without scripts', async ({ page }) => {
    await signIn(page, DEMO.l1);
    await page.goto('/view-cos/advanced?status=assigned');
    await page.locator('table tbody tr').first().getByRole('link').click();
    await page.getByText('What ASSIGNED means').click();
    await expect(page.getByText('Assigned to a worker and ready to be used')).toBeVisible();
    await checkPage(page, { javascript: false });
  });
});

test('a search submitted once hydrated puts no nameless field in its URL', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  const noNameless = (url: string) => expect(new URL(url).search).not.toMatch(/(^\?|&)=/);
  await page.goto('/view-cos');
  await checkPage(page);
  await page.getByLabel('Family name').fill('nguyen');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page).toHaveURL(/family_name=nguyen/);
  noNameless(page.url());

  await page.goto('/view-cos/advanced');
  await checkPage(page);
  await page.getByLabel('Family name').fill('smith');
  await page.getByLabel('Family name').press('Enter');
  await expect(page).toHaveURL(/family_name=smith/);
  noNameless(page.url());

  await page.goto('/view-cos/batches');
  await checkPage(page);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('status')).toContainText('match your search');
  noNameless(page.url());
  expect(consoleErrors).toEqual([]);
});
