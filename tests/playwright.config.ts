import { defineConfig } from '@playwright/test';

// `cargo xtask test` builds the app and the server and passes their paths and free ports: one
// for opsux, one for an embedding page on an allowed origin, one for a page on an origin that
// is not allowed, one for the Graph simulator `serve --demo` starts (whose faults tests set), one
// for a webhook receiver on loopback (which `--webhook-allow-private` lets the server reach).
const port = Number(process.env.OPSUX_E2E_PORT ?? 4173);
const embedPort = Number(process.env.OPSUX_E2E_EMBED_PORT ?? 4174);
const foreignPort = Number(process.env.OPSUX_E2E_FOREIGN_PORT ?? 4175);
const simulatorPort = Number(process.env.OPSUX_E2E_SIMULATOR_PORT ?? 4176);
const webhookPort = Number(process.env.OPSUX_E2E_WEBHOOK_PORT ?? 4177);
const server = process.env.OPSUX_E2E_SERVER ?? '../target/debug/opsux';
const dist = process.env.OPSUX_E2E_DIST ?? '../dist';
const database = process.env.OPSUX_E2E_DATABASE ?? 'sqlite://../target/e2e/opsux.db';
const baseURL = `http://127.0.0.1:${port}`;
const embedOrigin = `http://127.0.0.1:${embedPort}`;

export default defineConfig({
  testDir: './e2e',
  // A stray `test.only` would silently skip the rest of the suite.
  forbidOnly: true,
  retries: 0,
  // One at a time: the tests share one server and its demo users, whose notifications and
  // active runs they count.
  workers: 1,
  reporter: [['list']],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  outputDir: './test-results',
  use: {
    baseURL,
    // Elements are picked by role and name, else by their data-test attribute.
    testIdAttribute: 'data-test',
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
  webServer: [
    {
      command: `"${server}" serve --demo --listen 127.0.0.1:${port} --assets-dir "${dist}" --database-url "${database}" --allowed-origin ${embedOrigin} --simulator-listen 127.0.0.1:${simulatorPort} --scheduler-tick-secs 1 --webhook-allow-private`,
      url: `${baseURL}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
    {
      command: `node embed-host.mjs --server ${baseURL} --port ${embedPort} --port ${foreignPort}`,
      url: `${embedOrigin}/`,
      reuseExistingServer: false,
      timeout: 20_000,
    },
    {
      command: `node webhook-receiver.mjs --port ${webhookPort}`,
      url: `http://127.0.0.1:${webhookPort}/received`,
      reuseExistingServer: false,
      timeout: 20_000,
    },
  ],
});

export const ports = { port, embedPort, foreignPort, simulatorPort, webhookPort };
