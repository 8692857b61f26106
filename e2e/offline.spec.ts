// Offline and installable: after one visit the service worker holds the whole app (the
// kernel ELF and every wasm included), so the IDE opens and the Machine boots with the
// network gone; a new deployment is announced and taken only when the user says so.
// The app is served from a copy of the build by a server the spec controls.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures';
import { openMachineWindows, press, waitForConsole } from './machine-helpers';
import { serveCopyOfApp, type StaticSite } from './static-server';
import { windowNamed, setEditorText, editorText } from './ide-helpers';

let site: StaticSite;
test.beforeEach(async () => {
  site = await serveCopyOfApp();
});
test.afterEach(async () => {
  await site.dispose();
});

const status = (page: import('@playwright/test').Page) => page.getByRole('status', { name: 'Status bar' });

test('the app declares a manifest an installing browser accepts', async ({ page }) => {
  await page.goto(site.url);
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  const manifest = JSON.parse(readFileSync(join(site.root, href!), 'utf8'));
  expect(manifest).toMatchObject({ name: 'TelOS Studio', display: 'standalone', start_url: '/' });
  expect(manifest.icons.map((i: { sizes: string }) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
});

test('after one visit the World opens and the Machine boots with the network gone', async ({ page, context }) => {
  test.setTimeout(240_000);
  await page.goto(site.url);
  await expect(page.locator('html[data-world-ready]')).toBeAttached({ timeout: 60_000 });
  // The service worker caches the app once the World is ready; the status bar says when.
  await expect(status(page).locator('.status-offline')).toHaveText('Works offline', { timeout: 120_000 });

  await context.setOffline(true);
  await site.stop();
  await page.reload();
  await expect(page.locator('html[data-world-ready]')).toBeAttached({ timeout: 60_000 });
  await expect(status(page).locator('.status-world')).toHaveText('World: ready');
  // Monaco is a chunk loaded on first use: it comes from the cache too.
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Workspace' }).click();
  const ws = windowNamed(page, 'Workspace').last();
  await setEditorText(page, ws, 'Workspace code', 'self.Circle.clone().radius');
  await ws.getByRole('button', { name: 'Print it' }).click();
  await expect.poll(() => editorText(ws)).toMatch(/self\.Circle\.clone\(\)\.radius \d+/);

  const { machine } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await waitForConsole(page, 'TelOS: Root task alive and well.', 120_000);
  await press(machine, 'Power off');
});

test('a new deployment is announced in the status bar and taken when the user reloads to update', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(site.url);
  await expect(page.locator('html[data-world-ready]')).toBeAttached({ timeout: 60_000 });
  await expect(status(page).locator('.status-offline')).toHaveText('Works offline', { timeout: 120_000 });
  const firstWorker = await page.evaluate(async () => (await navigator.serviceWorker.ready).active!.scriptURL);

  // Deploy a new version: a service worker whose bytes differ.
  appendFileSync(join(site.root, 'sw.js'), '\n// next deployment\n');
  await page.reload();
  await expect(page.locator('html[data-world-ready]')).toBeAttached({ timeout: 60_000 });
  const prompt = status(page).getByRole('button', { name: 'Reload to update' });
  await expect(prompt).toBeVisible({ timeout: 120_000 });
  // Until the user agrees, the page keeps running the version it started with.
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(firstWorker);

  const reloaded = page.waitForEvent('load', { timeout: 60_000 });
  await prompt.click();
  await reloaded;
  await expect(page.locator('html[data-world-ready]')).toBeAttached({ timeout: 60_000 });
  await expect(status(page).getByRole('button', { name: 'Reload to update' })).toHaveCount(0);
  const served = await page.evaluate(async () => (await fetch('/sw.js', { cache: 'no-store' })).text());
  expect(served).toContain('// next deployment');
  // The new worker controls the page and holds no waiting successor.
  expect(await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting)).toBe(false);
});
