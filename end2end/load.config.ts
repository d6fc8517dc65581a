import { defineConfig } from '@playwright/test';

// Figures, not tests: `make load` runs this while its 1,000 live streams are open, against the
// server it started (LOAD_BASE), to time a change from its commit to the banner on a real
// page. It prints one line a sample; the load bench reads them. Nothing is asserted.
export default defineConfig({
  testDir: './load',
  timeout: 300_000,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: process.env.LOAD_BASE ?? 'http://127.0.0.1:3400',
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
    },
  },
});
