// Live screens (issue 22): two users of one sponsor look at the same CoS; when one transfers
// it, the other's View CoS says so within 2 seconds, politely, and "Show the latest" re-reads
// the page in place.
import type { Page } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { test, expect, checkPage, signIn, DEMO, isSeededUser, expectAccessible, expectNoHorizontalScroll } from './helpers';

/** A colleague moves CoS `number` on the Transfer screen to a seeded user; their label. */
async function transferOnScreen(mover: Page, number: string, not: (label: string) => boolean = () => false) {
  await mover.goto(`/view-cos/${number}/transfer`);
  const label = (await mover.locator('#to_user option').allTextContents()).find((l) => isSeededUser(l) && !not(l))!;
  await mover.getByLabel('Transfer to').selectOption({ label });
  await mover.getByRole('button', { name: 'Transfer' }).click();
  await expect(mover.getByRole('heading', { level: 1 })).toHaveText('The CoS has been transferred');
  return label;
}

const owner = (page: Page) => page.locator('main .summary__row', { hasText: 'Owner' }).first().locator('dd');

test('a transfer by someone else is told on View CoS, and Show the latest shows it', async ({ browser }, testInfo) => {
  // A nationality no other test searches, one per project: rows shift as other tests run, so
  // a row number alone could hand both projects the same CoS.
  const nationality = testInfo.project.name === 'phone' ? 'colombia' : 'egypt';
  const watcherContext = await browser.newContext(testInfo.project.use);
  const watcher = await watcherContext.newPage();
  const errors: string[] = [];
  watcher.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await signIn(watcher, DEMO.l1);
  await watcher.goto(`/view-cos?nationality=${nationality}`);
  await watcher.locator('table tbody tr').first().getByRole('link').click();
  await expect(watcher.getByRole('heading', { level: 1 })).toContainText('View CoS C');
  await checkPage(watcher);
  const url = watcher.url();
  const before = (await owner(watcher).textContent())!;
  const banner = watcher.locator('.live-banner');
  await expect(banner).toHaveText('');

  // Another Level 1 user of the sponsor moves it, in a browser of their own.
  const moverContext = await browser.newContext(testInfo.project.use);
  const mover = await moverContext.newPage();
  await signIn(mover, { user: 'user3.s1', password: 'demo-password' });
  await mover.goto(url);
  await checkPage(mover);
  const moverName = (await mover.locator('.site-header').textContent())!;
  await mover.getByRole('link', { name: 'Transfer', exact: true }).click();
  const dialog = mover.getByRole('dialog');
  // The dialog's form is read when it opens: focus lands in it once it has arrived.
  await expect(dialog.getByLabel('Transfer to')).toBeFocused();
  const labels = await dialog.getByLabel('Transfer to').locator('option').allTextContents();
  const to = labels.find((l) => isSeededUser(l) && !l.startsWith(before))!;
  await dialog.getByLabel('Transfer to').selectOption({ label: to });
  await dialog.getByRole('button', { name: 'Transfer' }).click();
  await expect(mover.getByRole('dialog', { name: 'The CoS has been transferred' })).toBeVisible();
  const toName = to.replace(/ \(.*\)$/, '');

  // Within 2 seconds, without a reload: who has it now, and who moved it.
  await expect(banner).toContainText(`This CoS was just transferred to ${toName} by `, { timeout: 2_000 });
  const by = (await banner.textContent())!.match(/ by (.*)\.Show the latest/)![1];
  expect(moverName).toContain(by);
  await expect(owner(watcher)).toHaveText(before);
  await expectAccessible(watcher);
  await expectNoHorizontalScroll(watcher);

  await watcher.getByRole('button', { name: 'Show the latest' }).click();
  await expect(owner(watcher)).toHaveText(toName);
  await expect(banner).toHaveText('');

  // The user's own transfer is not announced to them as news.
  await watcher.getByRole('link', { name: 'Transfer', exact: true }).click();
  const mine = watcher.getByRole('dialog');
  await expect(mine.getByLabel('Transfer to')).toBeFocused();
  const back = (await mine.getByLabel('Transfer to').locator('option').allTextContents()).find((l) => l.startsWith(before))!;
  await mine.getByLabel('Transfer to').selectOption({ label: back });
  await mine.getByRole('button', { name: 'Transfer' }).click();
  await expect(watcher.getByRole('dialog', { name: 'The CoS has been transferred' })).toBeVisible();
  await watcher.waitForTimeout(1_500);
  await expect(banner).toHaveText('');
  expect(errors).toEqual([]);
  await watcherContext.close();
  await moverContext.close();
});

test('the Home Office marks a CoS USED from the command line: the screen says so', async ({ page, consoleErrors }, testInfo) => {
  // Another sponsor's CoS than the tests that count Acme's statuses.
  await signIn(page, DEMO.other);
  await page.goto('/view-cos/advanced?status=assigned');
  await page.locator('table tbody tr').nth(testInfo.project.name === 'phone' ? 6 : 5).getByRole('link').click();
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toContainText('View CoS C');
  await checkPage(page);
  const number = (await heading.textContent())!.replace('View CoS', '').trim();

  // The Home Office's side is the server's command line: another process altogether.
  const env = { ...process.env, SMS_TARGET_DIR: '../target' };
  delete env.DATABASE_URL;
  execFileSync(process.env.SMS_SERVER_BIN ?? '../target/debug/server',
    ['--database', process.env.SMS_E2E_DATABASE ?? 'sms_e2e', 'home-office', 'mark-used', number], { env, cwd: process.cwd() });

  const banner = page.locator('.live-banner');
  await expect(banner).toContainText('This CoS is now USED.', { timeout: 2_000 });
  await expect(page.locator('.status--large')).toHaveText('ASSIGNED');
  await page.getByRole('button', { name: 'Show the latest' }).click();
  await expect(page.locator('.status--large')).toHaveText('USED');
});

test('search results count and mark the CoS someone else changes, and Refresh results re-reads them', async ({ browser }, testInfo) => {
  // Acme's Level 2 user's own CoS: their list, and a Level 1 user moving two of them away.
  const row = testInfo.project.name === 'phone' ? 2 : 0;
  const watcherContext = await browser.newContext(testInfo.project.use);
  const watcher = await watcherContext.newPage();
  await signIn(watcher, DEMO.l2);
  await watcher.goto('/view-cos/advanced?status=assigned');
  await checkPage(watcher);
  const rows = watcher.locator('table tbody tr');
  const picked = [
    (await rows.nth(row).getByRole('link').textContent())!.trim(),
    (await rows.nth(row + 1).getByRole('link').textContent())!.trim(),
  ];

  const moverContext = await browser.newContext(testInfo.project.use);
  const mover = await moverContext.newPage();
  await signIn(mover, DEMO.l1);
  for (const number of picked) {
    await transferOnScreen(mover, number, (l) => l.includes('l2.demo'));
  }

  const banner = watcher.locator('.live-banner');
  await expect(banner).toContainText('2 CoS in these results have changed.', { timeout: 2_000 });
  for (const number of picked) {
    await expect(rows.filter({ hasText: number })).toContainText('Changed');
  }
  await expectAccessible(watcher);
  await expectNoHorizontalScroll(watcher);
  await watcher.getByRole('button', { name: 'Refresh results' }).click();
  // No longer theirs: gone from a Level 2 user's list.
  for (const number of picked) {
    await expect(rows.filter({ hasText: number })).toHaveCount(0);
  }
  await expect(banner).toHaveText('');
  await watcherContext.close();
  await moverContext.close();
});

test('a batch screen marks its CoS that someone else moves', async ({ browser }, testInfo) => {
  const row = testInfo.project.name === 'phone' ? 5 : 4;
  const watcherContext = await browser.newContext(testInfo.project.use);
  const watcher = await watcherContext.newPage();
  await signIn(watcher, DEMO.l1);
  await watcher.goto('/view-cos/batches?reference=');
  await watcher.locator('table tbody tr').nth(row).getByRole('link').click();
  await expect(watcher.getByRole('heading', { level: 1 })).toHaveText('CoS search result');
  await checkPage(watcher);
  const first = watcher.locator('table tbody tr').first();
  const number = (await first.getByRole('link').textContent())!.trim();

  const moverContext = await browser.newContext(testInfo.project.use);
  const mover = await moverContext.newPage();
  await signIn(mover, { user: 'user3.s1', password: 'demo-password' });
  const label = await transferOnScreen(mover, number);

  await expect(watcher.locator('.live-banner')).toContainText('1 CoS in these results has changed.', { timeout: 2_000 });
  await expect(first).toContainText('Changed');
  await expectAccessible(watcher);
  await watcher.getByRole('button', { name: 'Refresh results' }).click();
  await expect(first).toContainText(label.replace(/ \(.*\)$/, ''));
  await expect(first).not.toContainText('Changed');
  await watcherContext.close();
  await moverContext.close();
});

/** A second server process of the app on `port`, on the suite's database; resolves once it answers. */
async function startServer(port: number): Promise<ChildProcess> {
  const env = {
    ...process.env,
    LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
    LEPTOS_SITE_ROOT: '../target/site',
    SMS_TARGET_DIR: '../target',
    SMS_DATABASE: process.env.SMS_E2E_DATABASE ?? 'sms_e2e',
    RUST_LOG: 'warn',
  };
  delete env.DATABASE_URL;
  const child = spawn(process.env.SMS_SERVER_BIN ?? '../target/debug/server', ['serve'], { env, stdio: 'ignore' });
  for (let tries = 0; tries < 300; tries++) {
    if (child.exitCode !== null) throw new Error(`the second server stopped with ${child.exitCode}`);
    const up = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
    if (up) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the second server did not answer within 30 s');
}

async function kill(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

test('when its server restarts, an open View CoS reconnects by itself and says it may have missed a change', async ({ browser }, testInfo) => {
  const phone = testInfo.project.name === 'phone';
  const nationality = phone ? 'bangladesh' : 'argentina';
  // A server of the watcher's own, beside the suite's, so it can be killed and started again.
  const port = Number(process.env.E2E_PORT ?? 3100) + (phone ? 71 : 70);
  let server = await startServer(port);
  try {
    const watcherContext = await browser.newContext({ ...testInfo.project.use, baseURL: `http://127.0.0.1:${port}` });
    const watcher = await watcherContext.newPage();
    await signIn(watcher, DEMO.l1);
    await watcher.goto(`/view-cos?nationality=${nationality}`);
    await watcher.locator('table tbody tr').first().getByRole('link').click();
    const heading = watcher.getByRole('heading', { level: 1 });
    await expect(heading).toContainText('View CoS C');
    await checkPage(watcher);
    const number = (await heading.textContent())!.replace('View CoS', '').trim();
    const before = (await owner(watcher).textContent())!;
    const banner = watcher.locator('.live-banner');

    // The server dies mid-stream; while it is down a colleague, on the suite's server, moves the CoS.
    await kill(server);
    const moverContext = await browser.newContext(testInfo.project.use);
    const mover = await moverContext.newPage();
    await signIn(mover, { user: 'user3.s1', password: 'demo-password' });
    const to = (await transferOnScreen(mover, number, (l) => l.startsWith(before))).replace(/ \(.*\)$/, '');
    await expect(banner).toHaveText('');

    // Started again: the page, untouched, reconnects and says a change may have been missed.
    server = await startServer(port);
    await expect(banner).toContainText('The connection to the service was lost for a moment, so this CoS may have changed meanwhile.', { timeout: 20_000 });
    await expect(owner(watcher)).toHaveText(before);
    await expectAccessible(watcher);
    await watcher.getByRole('button', { name: 'Show the latest' }).click();
    await expect(owner(watcher)).toHaveText(to);
    await expect(banner).toHaveText('');

    // And the stream is live again: the next transfer is told as usual.
    const next = (await transferOnScreen(mover, number, (l) => l.startsWith(to))).replace(/ \(.*\)$/, '');
    await expect(banner).toContainText(`This CoS was just transferred to ${next} by `, { timeout: 2_000 });
    await watcherContext.close();
    await moverContext.close();
  } finally {
    await kill(server);
  }
});
