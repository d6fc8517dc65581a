// Issue 3 (part): Search for CoS and the View CoS screen, on a desktop and a 320 px phone.
import { test, expect, checkPage, signIn, DEMO } from './helpers';

test('search by family name ignoring accents, open a CoS, and come back to the results', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await page.getByRole('link', { name: 'View CoS' }).click();
  await expect(page).toHaveURL(/\/view-cos$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('View CoS');
  await checkPage(page);

  await page.getByLabel('Family name').fill('nguyen');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page).toHaveURL(/family_name=nguyen/);
  await expect(page.getByRole('status')).toContainText('CoS match your search');
  const rows = page.locator('table tbody tr');
  await expect(rows.first()).toContainText('NGUYỄN');
  expect(await rows.count()).toBeGreaterThan(1);
  await checkPage(page);

  const first = rows.first().getByRole('link');
  const number = (await first.textContent())!.trim();
  await first.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`View CoS ${number}`);
  for (const section of ['Certificate', 'Worker', 'Work', 'Job', 'Sponsor notes']) {
    await expect(page.getByRole('heading', { level: 2, name: section, exact: true })).toBeVisible();
  }
  await expect(page.getByText('Nguyễn', { exact: true })).toBeVisible();
  await checkPage(page);

  await page.getByRole('link', { name: 'Back' }).click();
  await expect(page).toHaveURL(/\/view-cos\?family_name=nguyen/);
  await expect(page.getByLabel('Family name')).toHaveValue('nguyen');
  await expect(page.locator('table tbody tr').first()).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('a search that matches one CoS opens it', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos?family_name=nguyen');
  const number = (await page.locator('table tbody tr').first().getByRole('link').textContent())!.trim();
  await page.goto('/view-cos');
  await page.getByLabel('CoS number').fill(number.toLowerCase());
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`View CoS ${number}`);
  await checkPage(page);
  expect(consoleErrors).toEqual([]);
});

test('a bad date and a bad CoS number are explained by their fields', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos');
  await page.getByLabel('CoS number').fill('12345');
  await page.getByLabel('Date of birth').fill('31/02/1990');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('alert')).toContainText('There is a problem');
  await expect(page.locator('#cos_number-error')).toContainText('letter C followed by 10');
  await expect(page.locator('#date_of_birth-error')).toContainText('day/month/year');
  await expect(page.getByLabel('Date of birth')).toHaveValue('31/02/1990');
  await expect(page.locator('table')).toHaveCount(0);
  await checkPage(page);
  expect(consoleErrors).toEqual([]);
});

test('a Level 2 user cannot open a CoS they do not own', async ({ page, consoleErrors }) => {
  // A CoS the Level 1 user can see...
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos?nationality=india');
  const numbers = await page.locator('table tbody tr td a').allTextContents();
  const owners = await page.locator('table tbody tr td:last-child').allTextContents();
  const notOwned = numbers.find((_, i) => owners[i].trim() !== DEMO.l2.name)!;
  await page.getByRole('button', { name: 'Sign out' }).click();
  // ...is not found for the Level 2 user who does not own it.
  await signIn(page, DEMO.l2);
  const response = await page.goto(`/view-cos/${notOwned.trim()}`);
  expect(response!.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('CoS not found');
  await checkPage(page);
  expect(consoleErrors.filter((e) => !e.includes('404'))).toEqual([]);
  consoleErrors.length = 0;
});

test('status, activity and ownership histories, each with Back', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos?family_name=nguyen');
  await page.locator('table tbody tr').first().getByRole('link').click();
  // Read once the CoS has loaded, not the loading screen's heading.
  await expect(page.getByRole('heading', { level: 1 })).toContainText('View CoS C');
  const heading = (await page.getByRole('heading', { level: 1 }).textContent())!;
  const status = (await page.locator('.status--large').textContent())!.trim();

  await page.getByRole('link', { name: 'Status history' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('View CoS status history');
  const rows = page.locator('table tbody tr');
  await expect(rows.last()).toContainText(status);
  await expect(rows.first()).toContainText(/WORK IN PROGRESS|READY TO GO/);
  await checkPage(page);
  await page.getByRole('link', { name: 'Back' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);

  await page.getByRole('link', { name: 'Activity history' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('View CoS activity history');
  if (status === 'USED') {
    await expect(page.locator('main table, main p').first()).toBeVisible();
  } else {
    await expect(page.getByText('Activity can only be reported on a CoS with the status USED')).toBeVisible();
  }
  await checkPage(page);
  await page.getByRole('link', { name: 'Back' }).click();

  await page.getByRole('link', { name: 'Ownership history' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('View CoS ownership history');
  await checkPage(page);
  await page.getByRole('link', { name: 'Back' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
  // Back again returns to the same results.
  await page.getByRole('link', { name: 'Back' }).click();
  await expect(page).toHaveURL(/\/view-cos\?family_name=nguyen/);
  expect(consoleErrors).toEqual([]);
});

test('an activity report opens its details', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  // Walk the USED CoS of a wide search until one has a report.
  await page.goto('/view-cos?nationality=india');
  const numbers = await page.locator('table tbody tr td a').allTextContents();
  let opened = false;
  for (const n of numbers) {
    await page.goto(`/view-cos/${n.trim()}/activity-history`);
    const choices = page.getByRole('radio');
    if (await choices.count()) {
      // As in the manual: select a report, then Next.
      const last = choices.last();
      const kind = (await page.locator('main table tbody tr').last().locator('label').textContent())!;
      await checkPage(page);
      await last.check();
      await page.getByRole('button', { name: 'Next' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('View CoS activity details');
      await expect(page.locator('dl')).toContainText(kind);
      await expect(page.locator('dl')).toContainText(n.trim());
      await checkPage(page);
      // Back returns to the activity list.
      await page.getByRole('link', { name: 'Back' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('View CoS activity history');
      opened = true;
      break;
    }
  }
  expect(opened, 'some CoS in the list has reported activity').toBe(true);
  expect(consoleErrors).toEqual([]);
});

test('Print opens the CoS as a PDF in a new tab', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos?family_name=nguyen');
  const first = page.locator('table tbody tr').first().getByRole('link');
  const number = (await first.textContent())!.trim();
  await first.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`View CoS ${number}`);
  // At the bottom of the page, as in the manual.
  const print = page.getByRole('link', { name: /^Print/ });
  await print.scrollIntoViewIfNeeded();
  await expect(print).toBeVisible();
  await expect(print).toHaveAttribute('target', '_blank');
  await expect(print).toHaveAccessibleName('Print (PDF, opens in a new tab)');
  await checkPage(page);
  // Headless Chromium has no PDF viewer, so fetch what the tab would open, with this session.
  const href = (await print.getAttribute('href'))!;
  expect(href).toBe(`/view-cos/${number}/print`);
  const pdf = await page.request.get(href);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  expect(pdf.headers()['content-disposition']).toBe(`inline; filename="CoS-${number}.pdf"`);
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  expect(consoleErrors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('search and open a CoS', async ({ page }) => {
    await signIn(page, DEMO.l1);
    await page.goto('/view-cos');
    await page.getByLabel('Family name').fill('nguyen');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page).toHaveURL(/family_name=nguyen/);
    await page.locator('table tbody tr').first().getByRole('link').click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('View CoS C');
    await checkPage(page, { javascript: false });
    await page.getByRole('link', { name: 'Back' }).click();
    await expect(page.getByLabel('Family name')).toHaveValue('nguyen');
  });

  test('the histories, an activity report and Print', async ({ page }) => {
    await signIn(page, DEMO.l1);
    await page.goto('/view-cos?nationality=india');
    const numbers = await page.locator('table tbody tr td a').allTextContents();
    let opened = false;
    for (const n of numbers.map((n) => n.trim())) {
      await page.goto(`/view-cos/${n}/activity-history`);
      if (!(await page.getByRole('radio').count())) continue;
      await page.getByRole('button', { name: 'Next' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('View CoS activity details');
      await expect(page.locator('dl')).toContainText(n);
      await checkPage(page, { javascript: false });
      await page.getByRole('link', { name: 'Back' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('View CoS activity history');
      await page.getByRole('link', { name: 'Back' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(`View CoS ${n}`);
      await page.getByRole('link', { name: 'Status history' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('View CoS status history');
      await expect(page.locator('table tbody tr').last()).toContainText('USED');
      await page.getByRole('link', { name: 'Back' }).click();
      await page.getByRole('link', { name: 'Ownership history' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('View CoS ownership history');
      await checkPage(page, { javascript: false });
      await page.getByRole('link', { name: 'Back' }).click();
      const pdf = await page.request.get((await page.getByRole('link', { name: /^Print/ }).getAttribute('href'))!);
      expect(pdf.headers()['content-type']).toBe('application/pdf');
      opened = true;
      break;
    }
    expect(opened, 'some CoS in the list has reported activity').toBe(true);
  });
});
