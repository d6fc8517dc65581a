// Issue 20 (part): every build serves a page whose named bundle exists (a plain `cargo build`
// once named `/pkg/sms_bg.wasm`, which cargo-leptos never writes), and the bundle is a file
// with a cache policy, served without a session.
import { test, expect } from './helpers';

test('the files a page names exist, by hashed names kept for a year, served without a session', async ({ page }) => {
  const html = await (await page.request.get('/sign-in')).text();
  const named = [...new Set([...html.matchAll(/\/pkg\/[A-Za-z0-9_.-]+\.(?:js|wasm|css)/g)].map((m) => m[0]))];
  expect(named.some((p) => p.endsWith('.wasm')), `${named}`).toBe(true);
  expect(named.some((p) => p.endsWith('.js')), `${named}`).toBe(true);
  for (const path of named) {
    const r = await page.request.get(path);
    expect(r.status(), path).toBe(200);
    // Named by their content's hash, so a browser may keep them for a year.
    expect(path, 'a hashed name').toMatch(/\/pkg\/sms\.[A-Za-z0-9_-]{16,}\.(js|wasm|css)$/);
    expect(r.headers()['cache-control'], path).toBe('public, max-age=31536000, immutable');
    expect(r.headers()['set-cookie'], path).toBeUndefined();
    if (path.endsWith('.wasm')) expect(r.headers()['content-type']).toBe('application/wasm');
  }
});
