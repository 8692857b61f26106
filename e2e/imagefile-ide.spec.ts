// Images as files from the IDE: export the open image, import the file as a new image (by
// the file picker and by dropping it on the world), open it and find the same objects.
import { readFileSync } from 'node:fs';
import { test, expect, screenshotDir } from './fixtures';
import { openIde, setEditorText, editorText, windowNamed } from './ide-helpers';
import type { Page } from '@playwright/test';

async function printIt(page: Page, code: string): Promise<string> {
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Workspace' }).click();
  const ws = windowNamed(page, 'Workspace').last();
  await setEditorText(page, ws, 'Workspace code', code);
  await ws.getByRole('button', { name: 'Print it' }).click();
  await expect.poll(() => editorText(ws)).not.toBe(code);
  const text = await editorText(ws);
  await ws.getByRole('button', { name: 'Close' }).first().click();
  return text;
}

async function openImages(page: Page) {
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Images', exact: true }).click();
  return windowNamed(page, 'Images');
}

test('an image exported from the IDE and imported as a new image has the same objects', async ({ page }) => {
  await openIde(page);
  expect(await printIt(page, 'self.Circle.radius = 42; reflect(self).addSlot("exportMark", "travelled"); 1')).toContain('1');

  let images = await openImages(page);
  const current = images.getByRole('listitem').filter({ hasText: '(open)' });
  const [download] = await Promise.all([page.waitForEvent('download'), current.getByRole('button', { name: 'Export' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.telos$/);
  const path = await download.path();
  await expect(page.getByRole('status', { name: 'Status bar' })).toContainText(/Export .*: done/);

  // Import through the file picker.
  page.once('dialog', (d) => void d.accept('round-trip'));
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), images.getByRole('button', { name: 'Import', exact: true }).click()]);
  await chooser.setFiles(path);
  const copy = images.getByRole('listitem', { name: 'round-trip', exact: true });
  await expect(copy).toBeVisible({ timeout: 30_000 });
  await copy.getByRole('button', { name: 'Open image' }).click();
  await expect(page.getByRole('status', { name: 'Status bar' })).toContainText('Image: round-trip');
  await images.getByRole('button', { name: 'Close' }).first().click();

  expect(await printIt(page, 'self.Circle.radius')).toContain('42');
  expect(await printIt(page, 'self.exportMark')).toContain('travelled');
  expect(await printIt(page, 'self.Point.clone() !== null')).toContain('true');
  await page.screenshot({ path: `${screenshotDir}/imagefile-round-trip.png` });

  // Import again by dropping the file on the world.
  const bytes = readFileSync(path);
  const dataTransfer = await page.evaluateHandle((b64) => {
    const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bin], 'dropped.telos', { type: 'application/octet-stream' }));
    return dt;
  }, bytes.toString('base64'));
  page.once('dialog', (d) => void d.accept('dropped'));
  await page.getByRole('main', { name: 'World' }).dispatchEvent('dragover', { dataTransfer });
  await page.getByRole('main', { name: 'World' }).dispatchEvent('drop', { dataTransfer });
  await expect(page.getByRole('status', { name: 'Status bar' })).toContainText('Import dropped.telos: done', { timeout: 30_000 });
  images = await openImages(page);
  await expect(images.getByRole('listitem', { name: 'dropped', exact: true })).toBeVisible();
});

test('a damaged file dropped on the world is refused with the line and reason, and no image is created', async ({ page, consoleErrors }) => {
  await openIde(page);
  const dataTransfer = await page.evaluateHandle(async () => {
    // A gzip stream of one NDJSON line that is not a telos header.
    const gz = new Blob(['{"format":"not-telos"}\n']).stream().pipeThrough(new CompressionStream('gzip'));
    const bytes = new Uint8Array(await new Response(gz).arrayBuffer());
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'broken.telos'));
    return dt;
  });
  page.once('dialog', (d) => void d.accept('broken'));
  await page.getByRole('main', { name: 'World' }).dispatchEvent('drop', { dataTransfer });
  const status = page.getByRole('status', { name: 'Status bar' });
  await expect(status).toContainText('Import broken.telos refused', { timeout: 30_000 });
  await expect(status).toContainText('line 1');
  const images = await openImages(page);
  await expect(images.getByRole('listitem', { name: 'broken', exact: true })).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});
