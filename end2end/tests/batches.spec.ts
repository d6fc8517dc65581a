// Issue 5: Search for batches of CoS, the "CoS search result" screen, and "Transfer batch of
// CoS", on a desktop and a 320 px phone, as the manual's guide 2 walks them.
import { test, expect, checkPage, signIn, DEMO, isSeededUser, expectAccessible, expectHydrated, expectNoHorizontalScroll } from './helpers';

// Whole batches are moved at another sponsor's: Acme's CoS are ticked and transferred by
// the tests below at the same time, and a batch moving under them would (rightly) stop them.
test('transfer a batch to another user', async ({ page, consoleErrors }, testInfo) => {
  await signIn(page, DEMO.other);
  await page.getByRole('link', { name: 'View CoS' }).click();
  await page.getByRole('link', { name: 'Search for batch(es) of CoS' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Search for batches of CoS');
  await checkPage(page);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('status')).toContainText('batches match your search');
  await checkPage(page);

  // Each project takes its own batch: the two share one database.
  const row = page.locator('table tbody tr').nth(testInfo.project.name === 'phone' ? 1 : 0);
  const reference = (await row.getByRole('link').textContent())!.trim();
  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('CoS search result');
  await expect(page.locator('dl')).toContainText(reference);
  await checkPage(page);

  await page.getByRole('link', { name: 'Transfer', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Transfer batch of CoS' });
  await expect(dialog.getByLabel('Transfer to')).toBeFocused();
  await expect(dialog).toContainText(reference);
  await expectNoHorizontalScroll(page);
  await expectAccessible(page);
  // Transfer without choosing: told by the field (the browser's own check is bypassed here).
  await dialog.getByLabel('Transfer to').evaluate((s) => s.removeAttribute('required'));
  await dialog.getByRole('button', { name: 'Transfer' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Select the user to transfer the batch to');
  await expect(dialog.getByLabel('Transfer to')).toBeFocused();

  const label = (await dialog.getByLabel('Transfer to').locator('option').allTextContents()).find(isSeededUser)!;
  const newOwner = label.replace(/ \(.*\)$/, '');
  await dialog.getByLabel('Transfer to').selectOption({ label });
  await dialog.getByRole('button', { name: 'Transfer' }).click();
  const done = page.getByRole('dialog', { name: 'The batch has been transferred' });
  await expect(done.getByRole('status')).toContainText(`Batch ${reference} is now owned by ${newOwner}`);
  await expectAccessible(page);
  await done.getByRole('button', { name: 'OK' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  // Read again in place, without leaving the batch.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('CoS search result');
  await expect(page.getByTestId('batch-owner')).toHaveText(newOwner);
  for (const owner of await page.locator('table tbody tr td:last-child').allTextContents()) {
    expect(owner).toBe(newOwner);
  }
  await expect(page.getByRole('link', { name: 'Transfer', exact: true })).toBeFocused();
  expect(consoleErrors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a reference that matches one batch opens it', async ({ page }) => {
    await signIn(page, DEMO.l1);
    await page.goto('/view-cos/batches?reference=');
    const reference = (await page.locator('table tbody tr').last().getByRole('link').textContent())!.trim();
    await page.getByLabel('Batch reference').fill(reference.toLowerCase());
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('CoS search result');
    await expect(page.locator('dl')).toContainText(reference);
    await checkPage(page, { javascript: false });
  });

  test('transfer a batch', async ({ page }, testInfo) => {
    await signIn(page, DEMO.other);
    await page.goto('/view-cos/batches?reference=');
    await page.locator('table tbody tr').nth(testInfo.project.name === 'phone' ? 3 : 2).getByRole('link').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('CoS search result');
    await page.getByRole('link', { name: 'Transfer', exact: true }).click();
    const label = (await page.locator('#to_user option').allTextContents()).find(isSeededUser)!;
    const newOwner = label.replace(/ \(.*\)$/, '');
    await page.getByLabel('Transfer to').selectOption({ label });
    await page.getByRole('button', { name: 'Transfer' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('The batch has been transferred');
    await checkPage(page, { javascript: false });
    await page.getByRole('link', { name: 'OK' }).click();
    await expect(page.getByTestId('batch-owner')).toHaveText(newOwner);
    for (const owner of await page.locator('table tbody tr td:last-child').allTextContents()) {
      expect(owner).toBe(newOwner);
    }
  });

  test('transfer the CoS ticked in the results', async ({ page }, testInfo) => {
    await signIn(page, DEMO.l1);
    await page.goto('/view-cos?family_name=nguyen');
    const first = testInfo.project.name === 'phone' ? 6 : 4;
    const rows = page.locator('table tbody tr');
    const numbers = [await rows.nth(first).getByRole('link').textContent(), await rows.nth(first + 1).getByRole('link').textContent()];
    const owners = [await rows.nth(first).locator('td').last().textContent(), await rows.nth(first + 1).locator('td').last().textContent()];
    const boxes = page.getByRole('checkbox', { name: /^Select C[A-Z0-9]{10} for transfer$/ });
    await boxes.nth(first).check();
    await boxes.nth(first + 1).check();
    await page.getByRole('button', { name: 'Transfer selected' }).click();
    await expect(page.locator('main')).toContainText('You have selected 2 CoS');
    const labels = await page.locator('#to_user option').allTextContents();
    const label = labels.find((l) => isSeededUser(l) && !owners.includes(l.replace(/ \(.*\)$/, '')))!;
    const newOwner = label.replace(/ \(.*\)$/, '');
    await page.getByLabel('Transfer to').selectOption({ label });
    await page.getByRole('button', { name: 'Transfer' }).click();
    await expect(page.getByRole('status')).toContainText(`2 CoS are now owned by ${newOwner}`);
    await checkPage(page, { javascript: false });
    for (const n of numbers) {
      await page.goto(`/view-cos/${n!.trim()}`);
      await expect(page.locator('.summary__row', { hasText: 'Owner' }).first()).toContainText(newOwner);
    }
  });
});

test('transfer several CoS at once, ticked in the results', async ({ page, consoleErrors }, testInfo) => {
  await signIn(page, DEMO.l1);
  await page.goto('/view-cos?family_name=nguyen');
  await expectHydrated(page);
  const boxes = page.getByRole('checkbox', { name: /^Select C[A-Z0-9]{10} for transfer$/ });
  // Each project ticks its own rows: the two share one database.
  const first = testInfo.project.name === 'phone' ? 2 : 0;
  const rows = page.locator('table tbody tr');
  const owners = [await rows.nth(first).locator('td').last().textContent(), await rows.nth(first + 1).locator('td').last().textContent()];
  await boxes.nth(first).check();
  await boxes.nth(first + 1).check();
  await page.getByRole('button', { name: 'Transfer selected' }).click();
  const dialog = page.getByRole('dialog', { name: 'Transfer CoS' });
  await expect(dialog).toContainText('You have selected 2 CoS');
  await expect(dialog.getByLabel('Transfer to')).toBeFocused();
  await expectNoHorizontalScroll(page);
  await expectAccessible(page);
  // Someone who owns neither, so that both move.
  const labels = await dialog.getByLabel('Transfer to').locator('option').allTextContents();
  const label = labels.find((l) => isSeededUser(l) && !owners.includes(l.replace(/ \(.*\)$/, '')))!;
  const newOwner = label.replace(/ \(.*\)$/, '');
  await dialog.getByLabel('Transfer to').selectOption({ label });
  await dialog.getByRole('button', { name: 'Transfer' }).click();
  const done = page.getByRole('dialog', { name: 'The CoS have been transferred' });
  await expect(done.getByRole('status')).toContainText(`2 CoS are now owned by ${newOwner}`);
  await done.getByRole('button', { name: 'OK' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  // The results were read again in place: the rows show their new owner, the ticks are gone.
  await expect(rows.nth(first).locator('td').last()).toHaveText(newOwner);
  await expect(rows.nth(first + 1).locator('td').last()).toHaveText(newOwner);
  await expect(boxes.nth(first)).not.toBeChecked();
  await expect(page.getByRole('button', { name: 'Transfer selected' })).toBeFocused();
  await expect(page).toHaveURL(/\/view-cos\?family_name=nguyen/);
  expect(consoleErrors).toEqual([]);
});
