// Issue 4: Advanced search on a desktop and a 320 px phone: results follow the filters and
// the URL, reload and back restore them, radio + Next, export, bad dates.
import { test, expect, checkPage, signIn, DEMO } from './helpers';

test('results follow the filters, and the URL holds them', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos');
  await page.getByRole('link', { name: 'Advanced' }).click();
  await expect(page).toHaveURL(/\/view-cos\/advanced$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Advanced search');
  await checkPage(page);
  const status = page.getByRole('status').filter({ hasText: 'match' });
  const everything = (await status.textContent())!;

  // Once hydrated, ticking a status is enough: no button press.
  await page.getByLabel('ASSIGNED', { exact: true }).check();
  await expect(page).toHaveURL(/status=assigned/);
  await expect(status).not.toHaveText(everything);
  const rows = page.locator('table tbody tr');
  await expect(rows.first()).toBeVisible();
  for (const s of await rows.locator('.status').allTextContents()) expect(s).toBe('ASSIGNED');
  const assigned = (await status.textContent())!;

  await page.getByLabel('Route').selectOption({ label: 'Skilled Worker' });
  await expect(page).toHaveURL(/route=\d+/);
  await expect(status).not.toHaveText(assigned);
  const narrowed = (await status.textContent())!;
  await checkPage(page);

  // Reload: the same filters and results.
  await page.reload();
  await expect(page.getByLabel('ASSIGNED', { exact: true })).toBeChecked();
  await expect(page.getByLabel('Route')).toHaveValue(/\d+/);
  await expect(status).toHaveText(narrowed);

  // Radio and Next open the chosen CoS; Back returns to these results.
  const number = (await rows.first().getByRole('link').textContent())!.trim();
  await rows.first().getByRole('radio').check();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`View CoS ${number}`);
  await page.getByRole('link', { name: 'Back' }).click();
  await expect(page).toHaveURL(/\/view-cos\/advanced\?.*status=assigned/);
  await expect(status).toHaveText(narrowed);
  // And the browser's own back button, after opening a CoS by its link.
  await rows.nth(1).getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('View CoS C');
  await page.goBack();
  await expect(page.getByLabel('ASSIGNED', { exact: true })).toBeChecked();
  await expect(status).toHaveText(narrowed);
  expect(consoleErrors).toEqual([]);
});

test('pages through every match, and exports them all', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos/advanced?status=used&per_page=50');
  const status = page.getByRole('status').filter({ hasText: 'match' });
  const total = Number((await status.textContent())!.match(/(\d+) CoS match/)![1]);
  expect(total).toBeGreaterThan(50);
  const first = await page.locator('table tbody tr td a').allTextContents();
  expect(first).toHaveLength(50);
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(status).toContainText('Page 2');
  const second = await page.locator('table tbody tr td a').allTextContents();
  expect(second.filter((n) => first.includes(n))).toEqual([]);
  await checkPage(page);
  await page.getByRole('link', { name: 'Previous page' }).click();
  await expect(page.locator('table tbody tr td a').first()).toHaveText(first[0]);

  const href = (await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href'))!;
  const csv = await page.request.get(href);
  expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
  const lines = (await csv.text()).trim().split('\n');
  expect(lines[0]).toContain('CoS number,Family name,Given names,Route,Status,Status date,Owner');
  expect(lines.filter((l) => /^C[A-Z0-9]{10},/.test(l))).toHaveLength(total);
  expect(consoleErrors).toEqual([]);
});

test('a to date before the from date is explained by its field, and nothing is searched', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos/advanced');
  await page.getByLabel('Last changed status from').fill('29/11/2026');
  await page.getByLabel('Last changed status to').fill('01/11/2026');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.locator('#changed_to-error')).toContainText('same as or after the from date');
  await expect(page.getByRole('alert')).toContainText('There is a problem');
  await expect(page.getByLabel('Last changed status to')).toHaveValue('01/11/2026');
  await expect(page.locator('table')).toHaveCount(0);
  await checkPage(page);
  expect(consoleErrors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('search with the button, then radio and Next', async ({ page }) => {
    await signIn(page, DEMO.l2);
    await page.goto('/view-cos/advanced');
    await page.getByLabel('USED', { exact: true }).check();
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/status=used/);
    await expect(page.getByRole('status').filter({ hasText: 'match' })).toBeVisible();
    // A Level 2 user's results are their own.
    for (const owner of await page.locator('table tbody tr td:last-child').allTextContents()) {
      expect(owner).toBe(DEMO.l2.name);
    }
    await checkPage(page, { javascript: false });
    await page.locator('table tbody tr').first().getByRole('radio').check();
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('View CoS C');
  });
});
