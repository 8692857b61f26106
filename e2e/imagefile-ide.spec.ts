// Images as files from the IDE: export the open image, import the file as a new image (by
// the file picker and by dropping it on the world), open it and find the same objects.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { test, expect, screenshotDir } from './fixtures';
import { openIde, setEditorText, editorText, windowNamed } from './ide-helpers';
import type { Locator, Page } from '@playwright/test';

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

/** Names the file waiting in the Images window's import form and imports it. */
async function importAs(images: Locator, name: string): Promise<void> {
  const form = images.getByRole('form', { name: /^Import / });
  await form.getByRole('textbox', { name: 'Name of the new image' }).fill(name);
  await form.getByRole('button', { name: 'Import', exact: true }).click();
}

/** Waits for the import named `name` to finish: the form closes and the image is listed. A
 * refusal stays in the form, so a failure reads it (and the status bar) instead of timing out blind. */
async function expectImported(page: Page, images: Locator, name: string): Promise<void> {
  const form = images.getByRole('form', { name: /^Import / });
  const alert = form.getByRole('alert');
  await expect
    .poll(
      async () => {
        if (await alert.count()) return `refused: ${await alert.innerText()}`;
        if (await form.count()) return `importing (status bar: ${await page.getByRole('status', { name: 'Status bar' }).innerText()})`;
        return 'done';
      },
      { timeout: 60_000 },
    )
    .toBe('done');
  await expect(images.getByRole('listitem', { name, exact: true })).toBeVisible();
}

async function openImages(page: Page) {
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Images', exact: true }).click();
  return windowNamed(page, 'Images');
}

test('an image exported from the IDE and imported as a new image has the same objects', async ({ page }) => {
  test.setTimeout(150_000); // two imports and four evaluations on a busy machine
  await openIde(page);
  expect(await printIt(page, 'self.Circle.radius = 42; reflect(self).addSlot("exportMark", "travelled"); 1')).toContain('1');

  let images = await openImages(page);
  const current = images.getByRole('listitem').filter({ hasText: '(open)' });
  const [download] = await Promise.all([page.waitForEvent('download'), current.getByRole('button', { name: 'Export' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.telos$/);
  const path = await download.path();
  // The export's "done" stays in the notifications (the status bar's message may be replaced
  // by the next one before anyone reads it), and the file is whole: a telos header first and
  // the checksum line last.
  await page.getByRole('button', { name: /^Notifications/ }).click();
  await expect(page.getByRole('list', { name: 'Notifications list' })).toContainText('Export default: done');
  await page.getByRole('button', { name: 'Close notifications' }).click();
  const lines = gunzipSync(readFileSync(path)).toString('utf8').trimEnd().split('\n');
  expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'telos-image' });
  expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'end' });

  // Import through the file picker, named in the Images window's import form.
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), images.getByRole('button', { name: 'Import', exact: true }).click()]);
  await chooser.setFiles(path);
  await importAs(images, 'round-trip');
  await expectImported(page, images, 'round-trip');
  const copy = images.getByRole('listitem', { name: 'round-trip', exact: true });
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
  await page.getByRole('main', { name: 'World' }).dispatchEvent('dragover', { dataTransfer });
  await page.getByRole('main', { name: 'World' }).dispatchEvent('drop', { dataTransfer });
  images = windowNamed(page, 'Images');
  await importAs(images, 'dropped');
  await expectImported(page, images, 'dropped');
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
  await page.getByRole('main', { name: 'World' }).dispatchEvent('drop', { dataTransfer });
  await importAs(windowNamed(page, 'Images'), 'broken');
  // The form keeps its refusal (the status bar's message is replaced by the next one).
  const refusal = windowNamed(page, 'Images').getByRole('form', { name: /^Import / }).getByRole('alert');
  await expect(refusal).toContainText('“broken.telos” could not be imported', { timeout: 30_000 });
  await expect(refusal).toContainText('line 1');
  await expect(refusal).toContainText('Nothing was imported');
  const images = await openImages(page);
  await expect(images.getByRole('listitem', { name: 'broken', exact: true })).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});
