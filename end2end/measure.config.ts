import { defineConfig } from '@playwright/test';

// Figures, not tests: `make size` runs this against the release build on a demo database of
// its own, and prints what a phone on a slow network would wait for. Nothing is asserted.
const port = Number(process.env.MEASURE_PORT ?? 3200);

export default defineConfig({
  testDir: './measure',
  timeout: 600_000,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: { baseURL: `http://127.0.0.1:${port}` },
  webServer: {
    command: '../target/release/server serve',
    url: `http://127.0.0.1:${port}/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: '../target/site',
      SMS_TARGET_DIR: '../target',
      SMS_DATABASE: process.env.SMS_MEASURE_DATABASE ?? 'sms_measure',
      RUST_LOG: 'warn',
    },
  },
});
