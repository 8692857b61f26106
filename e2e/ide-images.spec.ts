import { test, expect, screenshotDir } from './fixtures';
import { openIde, windowNamed } from './ide-helpers';

test('the Images window makes a new image from genesis, opens it, and opens the first one again', async ({ page }) => {
  await openIde(page);
  const status = page.getByRole('status', { name: 'Status bar' });
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Images' }).click();
  const images = windowNamed(page, 'Images');
  await images.getByRole('textbox', { name: 'New image name' }).fill('second');
  await images.getByRole('button', { name: 'New image' }).click();
  await expect(status).toContainText('Image: second');
  const list = images.getByRole('list', { name: 'Images' });
  await expect(list.getByRole('listitem', { name: 'second' })).toContainText('(open)');
  await page.screenshot({ path: `${screenshotDir}/ide-images.png` });

  await list.getByRole('listitem', { name: 'default' }).getByRole('button', { name: 'Open image' }).click();
  await expect(status).toContainText('Image: default');

  // Delete asks first.
  await list.getByRole('listitem', { name: 'second' }).getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete image second?' });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Delete permanently' }).click();
  await expect(list.getByRole('listitem', { name: 'second' })).toHaveCount(0);
});
