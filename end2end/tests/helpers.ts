// Checks every page test uses: hydration, console, layout at the viewport, accessibility.
import { test as base, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const DEMO = {
  l1: { user: 'l1.demo', password: 'demo-password-1', name: 'Alex Morgan', sponsor: 'Acme Engineering Ltd' },
  l2: { user: 'l2.demo', password: 'demo-password-2', name: "Sam O'Neill", sponsor: 'Acme Engineering Ltd' },
  other: { user: 'other.l1', password: 'demo-password-3', name: 'Jordan Ellis', sponsor: 'Northern Lights Care Ltd' },
};

/**
 * Whether a "Name (user id)" option is a user the seed made. Tests that move a CoS choose one
 * of these: users.spec creates users and deactivates them while other tests run, and a
 * transfer to a user deactivated meanwhile is rightly refused.
 */
export const isSeededUser = (label: string) => /\((l[12]\.demo|other\.l1|user\d+\.s\d+)\)$/.test(label);

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** A test whose page records console errors and uncaught exceptions; each test must end with none. */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
    await use(errors);
    expect(errors, 'console errors').toEqual([]);
  },
});
export { expect };

/** Waits for the marker the app sets once the WebAssembly has hydrated the page. */
export async function expectHydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

export async function expectNoHorizontalScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll, `page is ${scroll}px wide in a ${client}px viewport`).toBeLessThanOrEqual(client);
}

export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const found = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(found, 'axe-core violations').toEqual([]);
}

/**
 * Everything a finished page must satisfy. With JavaScript off (`javascript: false`) Playwright
 * cannot run scripts in the page, so the layout and axe checks, which measure in the page, are
 * made on the same screens by the runs with JavaScript.
 */
export async function checkPage(page: Page, { javascript = true } = {}) {
  await expect(page.locator('h1')).toHaveCount(1);
  if (!javascript) return;
  await expectHydrated(page);
  await expectNoHorizontalScroll(page);
  await expectAccessible(page);
}

export async function signIn(page: Page, who: { user: string; password: string }, path = '/') {
  await page.goto(path);
  await page.getByLabel('User ID').fill(who.user);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
