// The Firefox project: Debian's firefox-esr driven over WebDriver BiDi by puppeteer-core
// (no browser download). Playwright's own BiDi Firefox support sends commands this ESR does
// not implement (emulation.setMediaFeaturesOverride), so the Playwright runner only
// schedules these tests; puppeteer drives the browser. One Firefox per worker, a fresh user
// context (its own cookies and IndexedDB) per test; console errors fail the test as in the
// Chromium fixture.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

interface Worker {
  firefox: { browser: Browser; downloads: string };
}
interface Fixtures {
  ff: Page;
  consoleErrors: string[];
}

export const test = base.extend<Fixtures, Worker>({
  firefox: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a fixture uses from its first parameter
    async ({}, use) => {
      const downloads = mkdtempSync(join(tmpdir(), 'telos-ff-downloads-'));
      const browser = await puppeteer.launch({
        browser: 'firefox',
        protocol: 'webDriverBiDi',
        executablePath: FIREFOX,
        headless: true,
        timeout: 120_000,
        protocolTimeout: 120_000,
        defaultViewport: { width: 1280, height: 800 },
        extraPrefsFirefox: {
          // Downloads go to a folder the test reads, without a dialog.
          'browser.download.folderList': 2,
          'browser.download.dir': downloads,
          'browser.download.useDownloadDir': true,
          'browser.download.always_ask_before_handling_new_types': false,
          'browser.download.start_downloads_in_tmp_dir': false,
          // The downloads panel would take the focus from the page, as it does for a person.
          'browser.download.alwaysOpenPanel': false,
          'browser.download.panel.shown': true,
          'browser.helperApps.neverAsk.saveToDisk': 'application/octet-stream,application/gzip,application/x-gzip',
        },
      });
      await use({ browser, downloads });
      await browser.close().catch(() => undefined);
      rmSync(downloads, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a fixture uses from its first parameter
  consoleErrors: async ({}, use) => {
    const errors: string[] = [];
    await use(errors);
    expect(errors, 'console errors on the page').toEqual([]);
  },
  ff: async ({ firefox, consoleErrors, baseURL }, use) => {
    const context = await firefox.browser.createBrowserContext();
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e instanceof Error ? e.message : String(e)}`));
    (page as Page & { baseURL?: string }).baseURL = baseURL;
    await use(page);
    const info = base.info();
    if (info.status !== info.expectedStatus)
      await page.screenshot({ path: info.outputPath('firefox-failure.png') }).catch(() => undefined);
    await context.close().catch(() => undefined);
  },
});

export { expect };

/** An element found by ARIA role and accessible name (as Firefox's accessibility tree has it). */
export function aria(role: string, name: string): string {
  return `::-p-aria([name=${JSON.stringify(name)}][role=${JSON.stringify(role)}])`;
}

/** Waits for an element by role and name, inside `scope` (an element) or the page. */
export async function find(scope: Page | ElementHandle, role: string, name: string, timeout = 30_000, visible = true): Promise<ElementHandle> {
  const handle = await scope.waitForSelector(aria(role, name), { timeout, visible });
  if (!handle) throw new Error(`no ${role} named ${name}`);
  return handle as ElementHandle;
}

export async function click(scope: Page | ElementHandle, role: string, name: string): Promise<void> {
  const el = await find(scope, role, name);
  // A button may be disabled for a moment (a request in flight): wait until it is not.
  await expect.poll(() => el.evaluate((e) => !(e as HTMLButtonElement).disabled), { timeout: 30_000 }).toBe(true);
  await el.click();
}

/** Opens the IDE on a fresh profile and waits until the World is ready. */
export async function openIde(page: Page): Promise<void> {
  await page.goto(new URL('/', (page as Page & { baseURL?: string }).baseURL).href);
  await page.waitForSelector('html[data-world-ready]', { timeout: 60_000 });
  await expect.poll(() => page.$eval('.status-world', (e) => e.textContent), { timeout: 30_000 }).toBe('World: ready');
}

/** The World menu's button `name`. */
export async function menu(page: Page, name: string): Promise<void> {
  const nav = await find(page, 'navigation', 'World menu');
  await click(nav, 'button', name);
}

/** The newest window morph (a labelled dialog) whose title is `name` or ends with `suffix`. */
export async function windowNamed(page: Page, name: string, match: 'exact' | 'suffix' = 'exact'): Promise<ElementHandle> {
  const handle = await page.waitForFunction(
    (n, m) => {
      const all = [...document.querySelectorAll<HTMLElement>('[role=dialog][aria-label]')].filter((d) =>
        m === 'exact' ? d.getAttribute('aria-label') === n : d.getAttribute('aria-label')!.endsWith(n),
      );
      return all.at(-1) ?? null;
    },
    { timeout: 30_000 },
    name,
    match,
  );
  return handle as unknown as ElementHandle;
}

/** Replaces the text of a Monaco pane found by its accessible name. */
export async function setEditorText(page: Page, scope: ElementHandle, label: string, text: string, timeout = 15_000): Promise<void> {
  await scope.waitForSelector('.code-editor[data-loaded="true"]', { timeout: 60_000 });
  // Monaco's input is a tiny textarea: present, focusable, not "visible" by size.
  const area = await find(scope, 'textbox', label, 30_000, false);
  await area.focus();
  await page.keyboard.down('Control');
  await page.keyboard.press('a');
  await page.keyboard.up('Control');
  await page.keyboard.press('Delete');
  // Inserted as one piece of text, as a paste is: Monaco's auto-closing does not apply.
  await area.evaluate((e, t) => {
    (e as HTMLTextAreaElement).ownerDocument.execCommand('insertText', false, t);
  }, text);
  await expect.poll(() => editorText(scope), { timeout }).toBe(text);
}

export function editorText(scope: ElementHandle): Promise<string> {
  return scope.$eval('.view-lines', (e) => (e as HTMLElement).innerText.replace(/\u00a0/g, ' '));
}

/** Waits for a file to appear in the download folder, complete (no .part beside it). */
export async function downloaded(folder: string, name: RegExp): Promise<string> {
  let found = '';
  await expect
    .poll(
      () => {
        const files = readdirSync(folder);
        found = files.find((f) => name.test(f)) ?? '';
        return found !== '' && !files.some((f) => f.endsWith('.part'));
      },
      { timeout: 30_000, message: `a download named ${name}` },
    )
    .toBe(true);
  return join(folder, found);
}

/** Everything the Console window's terminal shows. */
export function consoleText(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as { telosConsole?: { text(): string } }).telosConsole?.text() ?? '');
}

export async function waitForConsole(page: Page, text: string | RegExp, timeout = 60_000): Promise<string> {
  let last = '';
  await expect
    .poll(
      async () => {
        last = await consoleText(page);
        return typeof text === 'string' ? last.includes(text) : text.test(last);
      },
      { timeout, message: `console to show ${String(text)}` },
    )
    .toBe(true);
  return last;
}
