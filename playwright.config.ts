// End-to-end tests drive Debian's Chromium (/usr/bin/chromium, project `chromium`) and
// Debian's Firefox ESR (/usr/bin/firefox-esr over WebDriver BiDi, project `firefox`) against
// the built app served by `vite preview` on localhost. No browser is ever downloaded.
import { defineConfig } from '@playwright/test';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// `npm test` picks a free port so a running preview server never collides with the run.
const port = Number(process.env.E2E_PORT || 4173);
// Which build to serve (default dist/); lets a second build be tested beside the first.
const dist = process.env.E2E_DIST || 'dist';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    headless: true,
    viewport: { width: 1280, height: 800 },
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: 'firefox/**',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: chromium,
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
    },
    // Debian's firefox-esr over WebDriver BiDi, driven by puppeteer-core (e2e/firefox/).
    { name: 'firefox', testMatch: 'firefox/**/*.spec.ts', timeout: 120_000 },
  ],
  webServer: {
    command: `npx vite preview --outDir ${dist} --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
