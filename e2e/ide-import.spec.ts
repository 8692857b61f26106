// Importing a `.telos` file from the Images window: an inline form shows the file's name and
// size and suggests a name no image has yet; a name that is taken, or a file that cannot be
// read, is explained in words and nothing is created.
import { test, expect, screenshotDir } from './fixtures';
import { openIde, windowNamed } from './ide-helpers';
import type { Locator, Page } from '@playwright/test';

async function openImages(page: Page): Promise<Locator> {
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Images', exact: true }).click();
  const images = windowNamed(page, 'Images');
  await expect(images).toBeVisible();
  return images;
}

/** Exports the open image ("default") through the Images window and answers the file's path. */
async function exportDefault(page: Page, images: Locator): Promise<string> {
  const current = images.getByRole('listitem').filter({ hasText: '(open)' });
  const [download] = await Promise.all([page.waitForEvent('download'), current.getByRole('button', { name: 'Export' }).click()]);
  expect(download.suggestedFilename()).toBe('default.telos');
  // Saved under the name a user's download would have.
  const path = test.info().outputPath('default.telos');
  await download.saveAs(path);
  return path;
}

async function chooseFile(page: Page, images: Locator, path: string): Promise<Locator> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), images.getByRole('button', { name: 'Import', exact: true }).click()]);
  await chooser.setFiles(path);
  const form = images.getByRole('form', { name: 'Import default.telos' });
  await expect(form).toBeVisible();
  return form;
}

test('importing a file named like an existing image suggests a free name, and the import lands under it', async ({ page }) => {
  test.setTimeout(120_000);
  await openIde(page);
  const images = await openImages(page);
  const path = await exportDefault(page, images);
  const list = images.getByRole('list', { name: 'Images' });

  let form = await chooseFile(page, images, path);
  // The file's name and size, and a name no image has.
  await expect(form).toContainText('default.telos');
  await expect(form).toContainText(/\d+(\.\d+)? (KB|MB|bytes)/);
  const name = form.getByRole('textbox', { name: 'Name of the new image' });
  await expect(name).toHaveValue('default-2');
  await page.screenshot({ path: `${screenshotDir}/ide-import-form.png` });
  await form.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(list.getByRole('listitem', { name: 'default-2', exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(form).toHaveCount(0);

  // Again: default and default-2 exist now.
  form = await chooseFile(page, images, path);
  await expect(form.getByRole('textbox', { name: 'Name of the new image' })).toHaveValue('default-3');
  await form.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(list.getByRole('listitem', { name: 'default-3', exact: true })).toBeVisible({ timeout: 30_000 });

  // The imported copy opens.
  await list.getByRole('listitem', { name: 'default-3', exact: true }).getByRole('button', { name: 'Open image' }).click();
  await expect(page.getByRole('status', { name: 'Status bar' })).toContainText('Image: default-3');
});

test('a name that is taken is explained before anything is imported, and Cancel imports nothing', async ({ page }) => {
  await openIde(page);
  const images = await openImages(page);
  const path = await exportDefault(page, images);
  const form = await chooseFile(page, images, path);
  const name = form.getByRole('textbox', { name: 'Name of the new image' });
  await expect(name).toHaveValue('default-2');

  await name.fill('default');
  await expect(form.getByText('There is already an image named “default”. Choose another name.')).toBeVisible();
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();
  await name.fill('   ');
  await expect(form.getByText('An image needs a name.')).toBeVisible();
  await expect(form.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();

  await form.getByRole('button', { name: 'Cancel' }).click();
  await expect(form).toHaveCount(0);
  await expect(images.getByRole('list', { name: 'Images' }).getByRole('listitem')).toHaveCount(1);
});

test('a file that cannot be read is refused in the form, in words, and no image is created', async ({ page }) => {
  await openIde(page);
  const images = await openImages(page);
  const path = test.info().outputPath('default.telos');
  // Not gzip at all: a text file renamed.
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path, 'these are my notes, not an image\n');
  const form = await chooseFile(page, images, path);
  await form.getByRole('button', { name: 'Import', exact: true }).click();
  const alert = form.getByRole('alert');
  await expect(alert).toContainText('“default.telos” could not be imported', { timeout: 30_000 });
  await expect(alert).toContainText('Nothing was imported');
  await page.screenshot({ path: `${screenshotDir}/ide-import-refused.png` });
  await expect(images.getByRole('list', { name: 'Images' }).getByRole('listitem', { name: 'default-2', exact: true })).toHaveCount(0);
  // The form stays, so another name or Cancel can follow.
  await form.getByRole('button', { name: 'Cancel' }).click();
  await expect(form).toHaveCount(0);
});

test('a file dropped on the world opens the import form in the Images window', async ({ page }) => {
  await openIde(page);
  let images = await openImages(page);
  const path = await exportDefault(page, images);
  await images.getByRole('button', { name: 'Close' }).first().click();
  await expect(images).toHaveCount(0);
  const { readFileSync } = await import('node:fs');
  const dataTransfer = await page.evaluateHandle((b64) => {
    const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bin], 'default.telos', { type: 'application/octet-stream' }));
    return dt;
  }, readFileSync(path).toString('base64'));
  await page.getByRole('main', { name: 'World' }).dispatchEvent('drop', { dataTransfer });
  images = windowNamed(page, 'Images');
  const form = images.getByRole('form', { name: 'Import default.telos' });
  await expect(form.getByRole('textbox', { name: 'Name of the new image' })).toHaveValue('default-2');
  await form.getByRole('textbox', { name: 'Name of the new image' }).fill('dropped');
  await form.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(images.getByRole('list', { name: 'Images' }).getByRole('listitem', { name: 'dropped', exact: true })).toBeVisible({ timeout: 30_000 });
});
