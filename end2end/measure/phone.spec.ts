// The phone budget, measured (issue 20): a 320 px phone with its CPU slowed 4 times on a
// network like Lighthouse's "Slow 4G" (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up).
// For each page: first contentful paint, and the moment the WebAssembly has hydrated it (from
// then on it answers clicks), first with nothing cached, then as a returning visit with the
// hashed bundle in the browser's cache. Then Lighthouse's performance and accessibility
// scores of the same pages. Printed; nothing asserted (this machine is noisy).
import { test, chromium, type Page, type BrowserContext } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PHONE = { viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };
const CDP_PORT = 9333;

type Figures = { fcp: number; hydrated: number; bytes: number };

async function signIn(page: Page) {
  await page.goto('/sign-in');
  await page.getByLabel('User ID').fill('l1.demo');
  await page.getByLabel('Password').fill('demo-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('body[data-hydrated="true"]');
}

/** Loads `url` throttled and returns its first contentful paint and hydration time (ms). */
async function load(context: BrowserContext, url: string, cold: boolean): Promise<Figures> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: cold });
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => (bytes += e.encodedDataLength));
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 120_000 });
  const figures = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    hydrated: performance.now(),
  }));
  await page.close();
  return { ...figures, bytes };
}

const ms = (n: number) => `${Math.round(n)} ms`.padStart(8);
const kb = (n: number) => `${Math.round(n / 1024)} KB`.padStart(8);

async function lighthouseScores(url: string): Promise<string> {
  const { default: lighthouse } = await import('lighthouse');
  // Lighthouse's mobile preset: simulated Slow 4G and a 4x slower CPU.
  const result = await lighthouse(url, {
    port: CDP_PORT,
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance', 'accessibility'],
    disableStorageReset: true,
  });
  const c = result!.lhr.categories;
  const score = (s: number | null | undefined) => (s == null ? 'n/a' : String(Math.round(s * 100))).padStart(5);
  return `${score(c.performance?.score)}        ${score(c.accessibility?.score)}`;
}

test('phone budget', async ({ baseURL }) => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-measure-'));
  // A persistent context is the browser's default one, which Lighthouse's tabs share: once
  // signed in here, they are signed in too.
  const context = await chromium.launchPersistentContext(profile, {
    ...PHONE,
    baseURL,
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', `--remote-debugging-port=${CDP_PORT}`],
  });
  const timings: string[] = [];
  const scores: string[] = [];
  const measure = async (name: string, url: string) => {
    const cold = await load(context, url, true);
    const warm = await load(context, url, false);
    timings.push(
      `${name.padEnd(16)} cold ${ms(cold.fcp)} ${ms(cold.hydrated)} ${kb(cold.bytes)}` +
        `   | warm ${ms(warm.fcp)} ${ms(warm.hydrated)} ${kb(warm.bytes)}`,
    );
    scores.push(`${name.padEnd(28)} ${await lighthouseScores(new URL(url, baseURL).toString())}`);
  };

  await measure('Sign in', '/sign-in');
  const page = await context.newPage();
  await signIn(page);
  await page.goto('/view-cos?nationality=india');
  const cos = (await page.locator('table tbody tr td a').first().getAttribute('href'))!;
  await page.close();
  await measure('Workers', '/');
  await measure('View CoS', cos);
  await measure('Advanced search', '/view-cos/advanced?status=assigned&status=used');

  console.log(
    [
      '',
      'Phone budget: 320 px, CPU 4x slower, Slow 4G (150 ms round trip, 1.6 Mbit/s down)',
      'page             (empty cache) first paint, hydrated, sent  | (bundle cached) the same',
      ...timings,
      '',
      'Lighthouse 12.2.3, mobile     performance  accessibility',
      ...scores,
      '',
    ].join('\n'),
  );
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
});
