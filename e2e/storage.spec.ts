// Storage the browser keeps: the status bar shows the quota use and whether the browser
// keeps the image (persistent storage, asked for at the first real edit); when it refuses,
// the status bar says what that means and offers an export.
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { openIde, setEditorText, editorText, windowNamed } from './ide-helpers';

const storage = (page: Page) => page.getByRole('status', { name: 'Status bar' }).locator('.status-storage');

async function editSomething(page: Page) {
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Workspace' }).click();
  const ws = windowNamed(page, 'Workspace').last();
  await setEditorText(page, ws, 'Workspace code', 'self.Circle.radius = 5');
  await ws.getByRole('button', { name: 'Print it' }).click();
  await expect.poll(() => editorText(ws)).toContain('self.Circle.radius = 5 5');
}

test('before an edit nothing is asked; a refused request says the image may be evicted and offers an export', async ({ page }) => {
  await openIde(page);
  await expect(storage(page)).toHaveAttribute('data-persistence', 'not-asked');
  await expect(storage(page)).toContainText(/Storage: [\d.]+ [KMG]B of [\d.]+ [KMG]B/);
  // Moving windows is no reason to ask: only an edit of the image is.
  await editSomething(page);
  // Headless Chromium answers persist() from its heuristics: a site never visited is refused.
  await expect(storage(page)).toHaveAttribute('data-persistence', 'best-effort');
  await expect(storage(page)).toContainText('may be evicted');
  await expect(storage(page)).toContainText('images can be deleted when disk space runs low');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    storage(page).getByRole('button', { name: 'Export a copy' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('default.telos');
  const lines = gunzipSync(readFileSync(await download.path())).toString('utf8').trimEnd().split('\n');
  expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'telos-image' });
});

test('where the browser grants persistent storage, the status bar says the image is kept', async ({ page, context }) => {
  await openIde(page);
  // As a browser does for an installed app or a bookmarked site (Chromium's durableStorage).
  const { targetInfo } = await (await context.newCDPSession(page)).send('Target.getTargetInfo');
  await (await context.browser()!.newBrowserCDPSession()).send('Browser.grantPermissions', {
    permissions: ['durableStorage'],
    origin: new URL(page.url()).origin,
    browserContextId: targetInfo.browserContextId,
  });
  await editSomething(page);
  await expect(storage(page)).toHaveAttribute('data-persistence', 'persistent');
  await expect(storage(page)).toContainText('kept');
  await expect(storage(page).getByRole('button', { name: 'Export a copy' })).toHaveCount(0);
});
