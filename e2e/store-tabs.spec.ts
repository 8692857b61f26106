// The living image store across real Chromium tabs and reloads: a commit survives a reload;
// another tab sees it within a second; a stale tab's commit is refused with a ConflictError
// naming what changed, and nothing is lost.
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';

const harness = '/e2e/pages/store-harness.html';

async function openTab(page: Page, db: string): Promise<number> {
  await page.goto(harness);
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  return page.evaluate((name) => window.storeHarness.tab.open(name), db);
}

test('a committed change survives a page reload', async ({ page, consoleErrors }) => {
  void consoleErrors;
  const db = `telos-tabs-reload-${Date.now()}`;
  await openTab(page, db);
  const before = await page.evaluate(() => window.storeHarness.tab.read(1));
  const r = await page.evaluate((serial) => window.storeHarness.tab.write(1, 41, serial), before.serial);
  expect(r.error).toBeUndefined();
  await page.reload();
  await openTab(page, db);
  expect(await page.evaluate(() => window.storeHarness.tab.read(1))).toEqual({ serial: r.tid, x: 41 });
});

test('a second tab sees the first tab’s commit within a second, and its stale commit is refused', async ({ page, context, consoleErrors }) => {
  void consoleErrors;
  const db = `telos-tabs-two-${Date.now()}`;
  const other = await context.newPage();
  await openTab(page, db);
  await openTab(other, db);
  const seenByOther = await other.evaluate(() => window.storeHarness.tab.read(1));

  const started = Date.now();
  const first = await page.evaluate((serial) => window.storeHarness.tab.write(1, 7, serial), seenByOther.serial);
  expect(first.error).toBeUndefined();
  await expect.poll(() => other.evaluate(() => window.storeHarness.tab.invalidations), { timeout: 1_000, intervals: [20] }).toEqual([[1]]);
  expect(Date.now() - started).toBeLessThan(1_000);

  // The other tab still holds the old serial: its write is refused and says what changed.
  const late = await other.evaluate((serial) => window.storeHarness.tab.write(1, 8, serial), seenByOther.serial);
  expect(late.error).toMatchObject({ name: 'ConflictError', code: 'conflict' });
  expect(late.error!.message).toMatch(/object 1 was changed by transaction \d+ “set x to 7” \(tab\).*Nothing was written/);
  expect(await other.evaluate(() => window.storeHarness.tab.read(1))).toEqual({ serial: first.tid, x: 7 });
  await other.close();
});
