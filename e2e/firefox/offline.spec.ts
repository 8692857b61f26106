// Offline in Firefox ESR: after one visit the service worker holds the app, so with its
// server gone the IDE opens and the Machine boots (v86's wasm and the kernel ELF cached).
import { test, expect, menu, windowNamed, click, find, waitForConsole } from './firefox-fixtures';
import { serveCopyOfApp } from '../static-server';

test('after one visit the World opens and the Machine boots with the server gone', async ({ ff: page }) => {
  test.setTimeout(240_000);
  const site = await serveCopyOfApp();
  try {
    await page.goto(site.url);
    await page.waitForSelector('html[data-world-ready]', { timeout: 60_000 });
    await expect
      .poll(() => page.$eval('.status-offline', (e) => e.textContent ?? '').catch(() => ''), { timeout: 120_000 })
      .toBe('Works offline');

    await site.stop();
    await page.reload();
    await page.waitForSelector('html[data-world-ready]', { timeout: 60_000 });
    await expect.poll(() => page.$eval('.status-world', (e) => e.textContent), { timeout: 30_000 }).toBe('World: ready');
    await menu(page, 'Machine');
    const machine = await windowNamed(page, 'Machine');
    await click(machine, 'button', 'Open console');
    await find(page, 'region', 'Console');
    await click(machine, 'button', 'Boot');
    await waitForConsole(page, 'TelOS: Root task alive and well.', 120_000);
    await click(machine, 'button', 'Power off');
  } finally {
    await site.dispose();
  }
});
