import { defineConfig } from '@playwright/test';

// `cargo xtask test` builds the app and the server and passes their paths and a free port.
const port = Number(process.env.OPSUX_E2E_PORT ?? 4173);
const server = process.env.OPSUX_E2E_SERVER ?? '../target/debug/opsux';
const dist = process.env.OPSUX_E2E_DIST ?? '../dist';
const database = process.env.OPSUX_E2E_DATABASE ?? 'sqlite://../target/e2e/opsux.db';
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './e2e',
  // A stray `test.only` would silently skip the rest of the suite.
  forbidOnly: true,
  retries: 0,
  workers: 2,
  reporter: [['list']],
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: 'retain-on-failure',
    browserName: 'chromium',
    launchOptions: {
      // The system's Chromium: tests never download a browser.
      executablePath: process.env.OPSUX_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `"${server}" serve --demo --listen 127.0.0.1:${port} --assets-dir "${dist}" --database-url "${database}"`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
