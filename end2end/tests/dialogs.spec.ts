// Issue 16, items 1–2: the transfer dialogs — focus in and back, Escape and Cancel change
// nothing, the page behind is inert, keyboard alone, a conflict told inside the dialog, and a
// full-width sheet on a 320 px phone. (Without JavaScript the transfer screens are used:
// transfer.spec.ts and batches.spec.ts.)
import { test, expect, checkPage, signIn, DEMO, isSeededUser, expectAccessible, expectNoHorizontalScroll } from './helpers';
import type { Page } from '@playwright/test';

/** Opens the n-th Kenyan CoS of Acme's (each test and project its own row). */
async function openCos(page: Page, n: number) {
  await page.goto('/view-cos?nationality=kenya');
  await page.locator('table tbody tr').nth(n).getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('View CoS C');
  await checkPage(page);
}

const owner = (page: Page) => page.locator('main .summary__row', { hasText: 'Owner' }).first().locator('dd');

test('Escape and Cancel close the dialog with nothing changed, and focus goes back', async ({ page, consoleErrors }, testInfo) => {
  await signIn(page, DEMO.l1);
  await openCos(page, testInfo.project.name === 'phone' ? 1 : 0);
  const before = (await owner(page).textContent())!;
  const transfer = page.getByRole('link', { name: 'Transfer', exact: true });

  await transfer.click();
  const dialog = page.getByRole('dialog', { name: 'Transfer a single CoS' });
  await expect(dialog.getByLabel('Transfer to')).toBeFocused();
  await dialog.getByLabel('Transfer to').selectOption({ index: 1 });
  // The page behind is inert: a click on its links does nothing while the dialog is open.
  const inert = await page.evaluate(() => {
    const link = document.querySelector('.breadcrumb a')!;
    const r = link.getBoundingClientRect();
    return document.querySelector('dialog')!.matches(':modal') && document.elementFromPoint(r.x + 2, r.y + 2) !== link;
  });
  expect(inert).toBe(true);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(transfer).toBeFocused();

  await transfer.click();
  await expect(dialog.getByLabel('Transfer to')).toHaveValue('');
  await dialog.getByLabel('Transfer to').selectOption({ index: 1 });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(transfer).toBeFocused();

  // Nothing moved: the page read afresh still shows the owner it had.
  await page.reload();
  await expect(owner(page)).toHaveText(before);
  expect(consoleErrors).toEqual([]);
});

test('a transfer by keyboard alone', async ({ page, consoleErrors }, testInfo) => {
  await signIn(page, DEMO.l1);
  await openCos(page, testInfo.project.name === 'phone' ? 3 : 2);
  const before = (await owner(page).textContent())!;
  await page.getByRole('link', { name: 'Transfer', exact: true }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Transfer a single CoS' });
  const select = dialog.getByLabel('Transfer to');
  await expect(select).toBeFocused();
  // Choose with the arrow keys: the first seeded user (the list holds no owner).
  let chosen = '';
  while (!isSeededUser(chosen)) {
    await page.keyboard.press('ArrowDown');
    chosen = (await select.locator('option:checked').textContent())!;
  }
  expect(chosen.startsWith(`${before} (`)).toBe(false);
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Transfer' })).toBeFocused();
  await page.keyboard.press('Enter');
  const done = page.getByRole('dialog', { name: 'The CoS has been transferred' });
  await expect(done.getByRole('button', { name: 'OK' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(owner(page)).toHaveText(chosen.replace(/ \(.*\)$/, ''));
  await expect(page.getByRole('link', { name: 'Transfer', exact: true })).toBeFocused();
  expect(consoleErrors).toEqual([]);
});

test('a conflict is told inside the dialog, with the owner now', async ({ browser }, testInfo) => {
  // Two tabs of one user: the second moves the CoS while the first has its dialog open.
  const context = await browser.newContext(testInfo.project.use);
  const first = await context.newPage();
  await signIn(first, DEMO.l1);
  await openCos(first, testInfo.project.name === 'phone' ? 5 : 4);
  const url = first.url();
  await first.getByRole('link', { name: 'Transfer', exact: true }).click();
  const dialog = first.getByRole('dialog', { name: 'Transfer a single CoS' });
  await expect(dialog.getByLabel('Transfer to')).toBeFocused();

  const second = await context.newPage();
  await second.goto(url);
  await checkPage(second);
  await second.getByRole('link', { name: 'Transfer', exact: true }).click();
  const other = second.getByRole('dialog');
  // Choose only once the dialog's form has arrived (focus lands in it): chosen earlier, the
  // arriving form undoes the choice.
  await expect(other.getByLabel('Transfer to')).toBeFocused();
  const labels = await other.getByLabel('Transfer to').locator('option').allTextContents();
  const winner = labels.find(isSeededUser)!;
  await other.getByLabel('Transfer to').selectOption({ label: winner });
  await other.getByRole('button', { name: 'Transfer' }).click();
  await expect(second.getByRole('dialog', { name: 'The CoS has been transferred' })).toBeVisible();

  // The first tab now tries to move it elsewhere: refused, told who owns it, nothing moved.
  const loser = (await dialog.getByLabel('Transfer to').locator('option').allTextContents()).find((l) => isSeededUser(l) && l !== winner)!;
  await dialog.getByLabel('Transfer to').selectOption({ label: loser });
  await dialog.getByRole('button', { name: 'Transfer' }).click();
  const winnerName = winner.replace(/ \(.*\)$/, '');
  await expect(dialog.getByRole('alert')).toContainText(`This CoS changed while you were looking at it: it is now owned by ${winnerName}`);
  await expect(dialog.locator('.summary__row', { hasText: 'Owner now' })).toContainText(winnerName);
  await expect(dialog.getByLabel('Transfer to')).toBeFocused();
  await expectAccessible(first);
  // As the dialog closes the page behind is read again: the owner now, and focus back on Transfer.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(owner(first)).toHaveText(winnerName);
  await expect(first.getByRole('link', { name: 'Transfer', exact: true })).toBeFocused();
  await context.close();
});

test('on a phone the dialog is a full-width sheet', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'phone', 'a phone layout');
  await signIn(page, DEMO.l1);
  await openCos(page, 6);
  await page.getByRole('link', { name: 'Transfer', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Transfer a single CoS' });
  await expect(dialog.getByLabel('Transfer to')).toBeFocused();
  const box = (await dialog.boundingBox())!;
  expect(box.x).toBe(0);
  expect(box.width).toBe(320);
  expect(box.y + box.height).toBeLessThanOrEqual(640);
  await expectNoHorizontalScroll(page);
  await expectAccessible(page);
});

test('a Level 2 user who gives a CoS away is told so, and OK goes back to the results', async ({ page, consoleErrors }, testInfo) => {
  await signIn(page, DEMO.l2);
  await page.goto('/view-cos/advanced?status=assigned&sort=cos_number');
  await checkPage(page);
  const count = page.getByRole('status').filter({ hasText: 'match your search' });
  const before = Number((await count.textContent())!.match(/\d+/)![0]);
  // Each project its own row (one removed from the list leaves the other's in place).
  await page.locator('table tbody tr').nth(testInfo.project.name === 'phone' ? 1 : 0).getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('View CoS C');
  await checkPage(page);
  const number = (await page.locator('h1 .nowrap').textContent())!;
  await page.getByRole('link', { name: 'Transfer', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Transfer a single CoS' });
  await dialog.getByLabel('Transfer to').selectOption({ label: `${DEMO.l1.name} (${DEMO.l1.user})` });
  await dialog.getByRole('button', { name: 'Transfer' }).click();
  const done = page.getByRole('dialog', { name: 'The CoS has been transferred' });
  await expect(done.getByRole('status')).toHaveText(`CoS ${number} has been transferred. You no longer own it, so it is not in your searches.`);
  await done.getByRole('button', { name: 'OK' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Advanced search');
  // (The other project gives one away too, so the count is only known to have fallen.)
  await expect.poll(async () => Number((await count.textContent())!.match(/\d+/)![0])).toBeLessThan(before);
  await expect(page.locator('table')).not.toContainText(number);
  expect(consoleErrors).toEqual([]);
});
