import { defineConfig } from '@playwright/test';

/**
 * e2e: Debian's Chromium drives the built renderer (dist/renderer) served by the real web console
 * (main/host/web-main.ts, bundled by globalSetup) over real services. Build the renderer first:
 * `npx vite build && npx playwright test` (what `npm run test:e2e` does).
 * Browsers are never downloaded (`playwright install` is not used): the system Chromium is launched.
 */
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  globalSetup: './e2e/global-setup.ts',
  // The 2-core machines this runs on: one worker, and each test starts its own web console.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // Limits at 9× a test's time here: on a machine 3× slower every test stays under a third of its limit.
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
