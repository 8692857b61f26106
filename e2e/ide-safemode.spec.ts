import { test, expect, screenshotDir } from './fixtures';
import { openIde, openFromSpotter, windowNamed } from './ide-helpers';

/** Damages one stored object of the open image, as a bad disk or a buggy writer might. */
async function damageObject(page: import('@playwright/test').Page, objectName: string): Promise<number> {
  return page.evaluate(async (name) => {
    const open = (db: string) =>
      new Promise<IDBDatabase>((ok, fail) => {
        const r = indexedDB.open(db);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
    const all = <T,>(req: IDBRequest<T>) =>
      new Promise<T>((ok, fail) => {
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error);
      });
    const registry = await open('telos-images');
    const entries = (await all(registry.transaction('images').objectStore('images').getAll())) as { name: string; dbName: string }[];
    registry.close();
    const db = await open(entries.find((e) => e.name === 'default')!.dbName);
    const store = db.transaction('objects', 'readwrite').objectStore('objects');
    const records = (await all(store.getAll())) as { oid: number; state: { name: string; slots: unknown } }[];
    const victim = records.find((r) => r.state.name === name)!;
    victim.state.slots = 'not a slot list';
    await all(store.put(victim));
    db.close();
    return victim.oid;
  }, objectName);
}

test('an image with a damaged object opens in safe mode, saying what failed', async ({ page }) => {
  await openIde(page);
  await openFromSpotter(page, 'Point');
  const point = await damageObject(page, 'Point');
  await page.reload();
  await expect(page.locator('html[data-world-ready]')).toBeAttached({ timeout: 30_000 });
  const safe = page.getByRole('dialog', { name: /^Safe mode/ });
  await expect(safe).toBeVisible({ timeout: 20_000 });
  // The worker reports the damaged object by OID with what is wrong with it; the image
  // opens read-only with that object left out.
  const failures = safe.getByRole('list', { name: 'Failing objects' }).getByRole('listitem');
  await expect(failures).toHaveCount(1);
  await expect(failures.first()).toContainText(`#${point} object`);
  await expect(safe.getByRole('alert')).toContainText('read-only');
  await expect(page.getByRole('status', { name: 'Status bar' })).toContainText('safe mode');
  // Everything else is usable: the lobby's outliner and the workspace still answer.
  await expect(windowNamed(page, 'lobby')).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/ide-safe-mode.png` });
});
