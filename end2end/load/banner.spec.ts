// From a transfer's commit to the banner on a colleague's open View CoS: the watcher's page is
// hydrated and its stream open; the mover transfers the CoS through the server functions; the
// page notes (MutationObserver) when the banner says so. Printed as `banner-ms <n>`, one line
// a sample, for the load bench to put in its histogram.
import { test, expect } from '@playwright/test';

const password = process.env.LOAD_PASSWORD ?? 'demo-password';
const numbers = (process.env.LOAD_COS ?? '').split(',').filter(Boolean);
const rounds = Number(process.env.LOAD_BANNER_ROUNDS ?? 20);

test('commit to banner', async ({ browser, baseURL }) => {
  const watcher = await (await browser.newContext()).newPage();
  const moverContext = await browser.newContext();
  const mover = await moverContext.newPage();
  for (const [page, user] of [[watcher, process.env.LOAD_WATCHER!], [mover, process.env.LOAD_MOVER!]] as const) {
    await page.goto('/sign-in');
    await page.getByLabel('User ID').fill(user);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  }
  const api = { accept: 'application/json', origin: baseURL! };

  let samples = 0;
  for (const number of numbers) {
    if (samples === rounds) break;
    const form = await moverContext.request.post('/api/cos/transfer_form', { headers: api, form: { cos_number: number } });
    const v = form.ok() ? await form.json().catch(() => null) : null;
    const to = v?.users?.[0]?.[0];
    if (v?.version === undefined || to === undefined) continue;

    // The watcher's page, hydrated, with its stream open.
    const streamOpen = watcher.waitForResponse((r) => r.url().endsWith('/changes'));
    await watcher.goto(`/view-cos/${number}`);
    await expect(watcher.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await streamOpen;
    await watcher.evaluate(() => {
      const banner = document.querySelector('.live-banner')!;
      (window as any).bannerAt = 0;
      new MutationObserver(() => {
        if (!(window as any).bannerAt && banner.textContent!.includes('transferred')) (window as any).bannerAt = Date.now();
      }).observe(banner, { childList: true, subtree: true, characterData: true });
    });

    const r = await moverContext.request.post('/api/cos/transfer', {
      headers: api,
      form: { cos_number: number, to_user: String(to), version: String(v.version), q: '' },
    });
    const committed = Date.now();
    if (r.status() !== 200) continue;
    await watcher.waitForFunction(() => (window as any).bannerAt > 0, null, { timeout: 10_000 });
    const at = await watcher.evaluate(() => (window as any).bannerAt as number);
    console.log(`banner-ms ${at - committed}`);
    samples += 1;
  }
});
