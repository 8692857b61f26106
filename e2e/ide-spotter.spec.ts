import { test, expect, screenshotDir } from './fixtures';
import { openIde, openFromSpotter, slotRow } from './ide-helpers';

test('the spotter finds Circle and opens its outliner', async ({ page }) => {
  await openIde(page);
  const circle = await openFromSpotter(page, 'Circle');
  await expect(circle.getByLabel(/^OID \d+$/)).toBeVisible();
  await expect(slotRow(circle, 'radius')).toContainText('1');
  await expect(slotRow(circle, 'radius')).toContainText('data');
  await expect(slotRow(circle, 'parent')).toContainText('defaultBehavior');
  await expect(circle.getByRole('listitem', { name: 'Category geometry' })).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/ide-spotter-circle.png` });
});

test('the spotter finds methods by their source', async ({ page }) => {
  await openIde(page);
  await page.keyboard.press('Control+k');
  await page.keyboard.insertText('radius');
  const results = page.getByRole('dialog', { name: 'Spotter' }).getByRole('option');
  await expect(results.filter({ hasText: 'method' }).first()).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Spotter' })).toHaveCount(0);
});
