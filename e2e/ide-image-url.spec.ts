// The open image is part of the page's address (`?image=NAME`): a reload brings back the image
// that was open, two tabs can hold two images, and an address naming an image that does not
// exist says so instead of creating one.
import { test, expect, screenshotDir } from './fixtures';
import { openIde, setEditorText, editorText, windowNamed } from './ide-helpers';
import type { Page } from '@playwright/test';

async function openImages(page: Page) {
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Images', exact: true }).click();
  const images = windowNamed(page, 'Images');
  await expect(images).toBeVisible();
  return images;
}

async function newImage(page: Page, name: string): Promise<void> {
  const images = await openImages(page);
  await images.getByRole('textbox', { name: 'New image name' }).fill(name);
  await images.getByRole('button', { name: 'New image' }).click();
  await expect(page.getByRole('status', { name: 'Status bar' })).toContainText(`Image: ${name}`);
}

/** Evaluates `code` in a Workspace with Print it and answers what it printed. */
async function printIt(page: Page, code: string): Promise<string> {
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Workspace' }).click();
  const ws = windowNamed(page, 'Workspace').last();
  await setEditorText(page, ws, 'Workspace code', code);
  await ws.getByRole('button', { name: 'Print it' }).click();
  await expect.poll(() => editorText(ws), { timeout: 30_000 }).not.toBe(code);
  const text = await editorText(ws);
  await ws.getByRole('button', { name: 'Close' }).first().click();
  return text;
}

async function waitForWorld(page: Page): Promise<void> {
  await expect(page.locator('html[data-world-ready]')).toBeAttached({ timeout: 30_000 });
  await expect(page.getByRole('status', { name: 'Status bar' }).locator('.status-world')).toHaveText('World: ready', { timeout: 30_000 });
}

const imageParam = (page: Page) => new URL(page.url()).searchParams.get('image');

test('an image opened from the Images window is in the address and is still open after a reload', async ({ page }) => {
  // Two switches, a reload and three evaluations: more than the default budget on a busy machine.
  test.setTimeout(150_000);
  await openIde(page);
  const status = page.getByRole('status', { name: 'Status bar' });
  // The first visit opens "default" and leaves the address as it was.
  await expect(status).toContainText('Image: default');
  expect(imageParam(page)).toBeNull();

  await newImage(page, 'scratch');
  await expect.poll(() => imageParam(page)).toBe('scratch');
  expect(await printIt(page, 'reflect(self).addSlot("mark", "kept in scratch"); 1')).toContain('1');

  // Back to default and to scratch again, by Open image.
  let images = await openImages(page);
  const list = images.getByRole('list', { name: 'Images' });
  await list.getByRole('listitem', { name: 'default', exact: true }).getByRole('button', { name: 'Open image' }).click();
  await expect(status).toContainText('Image: default');
  await expect.poll(() => imageParam(page)).toBe('default');
  await list.getByRole('listitem', { name: 'scratch', exact: true }).getByRole('button', { name: 'Open image' }).click();
  await expect(status).toContainText('Image: scratch');
  await expect.poll(() => imageParam(page)).toBe('scratch');

  await page.reload();
  await waitForWorld(page);
  await expect(status).toContainText('Image: scratch');
  expect(await printIt(page, 'self.mark')).toContain('kept in scratch');
  images = await openImages(page);
  await expect(images.getByRole('list', { name: 'Images' }).getByRole('listitem', { name: 'scratch', exact: true })).toContainText('(open)');
});

test('renaming the open image changes the address with it', async ({ page }) => {
  await openIde(page);
  await newImage(page, 'draft');
  await expect.poll(() => imageParam(page)).toBe('draft');
  const images = await openImages(page);
  const item = images.getByRole('list', { name: 'Images' }).getByRole('listitem', { name: 'draft', exact: true });
  await item.getByRole('button', { name: 'Rename' }).click();
  await images.getByRole('textbox', { name: 'New name for image draft' }).fill('final');
  await images.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status', { name: 'Status bar' })).toContainText('Image: final');
  await expect.poll(() => imageParam(page)).toBe('final');
  await page.reload();
  await waitForWorld(page);
  await expect(page.getByRole('status', { name: 'Status bar' })).toContainText('Image: final');
});

test('two pages on ?image=a and ?image=b each show their own image', async ({ page, context }) => {
  test.setTimeout(180_000);
  await openIde(page);
  await newImage(page, 'a');
  await expect.poll(() => imageParam(page)).toBe('a');
  expect(await printIt(page, 'reflect(self).addSlot("mark", "in a"); 1')).toContain('1');
  await newImage(page, 'b');
  await expect.poll(() => imageParam(page)).toBe('b');
  expect(await printIt(page, 'reflect(self).addSlot("mark", "in b"); 1')).toContain('1');

  await page.goto('/?image=a');
  await waitForWorld(page);
  const other = await context.newPage();
  await other.goto('/?image=b');
  await waitForWorld(other);

  await expect(page.getByRole('status', { name: 'Status bar' })).toContainText('Image: a');
  await expect(other.getByRole('status', { name: 'Status bar' })).toContainText('Image: b');
  expect(await printIt(page, 'self.mark')).toContain('in a');
  expect(await printIt(other, 'self.mark')).toContain('in b');
  // A change in one stays in its image.
  expect(await printIt(page, 'self.mark = "changed in a"; 1')).toContain('1');
  expect(await printIt(other, 'self.mark')).toContain('in b');
  expect(imageParam(page)).toBe('a');
  expect(imageParam(other)).toBe('b');
  await other.close();
});

test('an address naming an image that does not exist says so and creates nothing', async ({ page }) => {
  await openIde(page);
  await page.goto('/?image=nowhere');
  await waitForWorld(page);
  const missing = page.getByRole('dialog', { name: 'No image “nowhere”' });
  await expect(missing).toBeVisible();
  await expect(missing.getByRole('alert')).toContainText('There is no image named “nowhere” in this browser');
  await expect(missing.getByRole('alert')).toContainText('nothing is saved');
  const status = page.getByRole('status', { name: 'Status bar' });
  await expect(status).not.toContainText('Image: nowhere');
  await page.screenshot({ path: `${screenshotDir}/ide-missing-image.png` });
  // The address still names it (a reload asks again), and no image of that name was made.
  expect(imageParam(page)).toBe('nowhere');
  await expect(missing.getByRole('list', { name: 'Images in this browser' }).getByRole('listitem', { name: 'default', exact: true })).toBeVisible();
  const images = await openImages(page);
  const list = images.getByRole('list', { name: 'Images' });
  await expect(list.getByRole('listitem', { name: 'default', exact: true })).toBeVisible();
  await expect(list.getByRole('listitem', { name: 'nowhere', exact: true })).toHaveCount(0);
  await page.reload();
  await waitForWorld(page);
  await expect(page.getByRole('dialog', { name: 'No image “nowhere”' })).toBeVisible();

  // Opening an existing image from the message takes the page there.
  await page
    .getByRole('dialog', { name: 'No image “nowhere”' })
    .getByRole('list', { name: 'Images in this browser' })
    .getByRole('listitem', { name: 'default', exact: true })
    .getByRole('button', { name: 'Open image' })
    .click();
  await expect(status).toContainText('Image: default');
  await expect.poll(() => imageParam(page)).toBe('default');
  await expect(page.getByRole('dialog', { name: 'No image “nowhere”' })).toHaveCount(0);
});

test('the message about a missing image offers to create it, on request only', async ({ page }) => {
  await openIde(page);
  await page.goto('/?image=fresh');
  await waitForWorld(page);
  const missing = page.getByRole('dialog', { name: 'No image “fresh”' });
  await missing.getByRole('button', { name: 'Create image “fresh”' }).click();
  const status = page.getByRole('status', { name: 'Status bar' });
  await expect(status).toContainText('Image: fresh');
  await expect(missing).toHaveCount(0);
  expect(imageParam(page)).toBe('fresh');
  await page.reload();
  await waitForWorld(page);
  await expect(status).toContainText('Image: fresh');
  await expect(page.getByRole('dialog', { name: 'No image “fresh”' })).toHaveCount(0);
});

test('the browser tab names the open image, and follows a switch and a rename', async ({ page }) => {
  await openIde(page);
  await expect(page).toHaveTitle('TelOS — default');
  await newImage(page, 'notes');
  await expect(page).toHaveTitle('TelOS — notes');
  const images = await openImages(page);
  const item = images.getByRole('list', { name: 'Images' }).getByRole('listitem', { name: 'notes', exact: true });
  await item.getByRole('button', { name: 'Rename' }).click();
  await images.getByRole('textbox', { name: 'New name for image notes' }).fill('journal');
  await images.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveTitle('TelOS — journal');
  await page.reload();
  await waitForWorld(page);
  await expect(page).toHaveTitle('TelOS — journal');
});
