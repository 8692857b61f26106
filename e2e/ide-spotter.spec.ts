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

test('a search with no hits says so instead of showing a blank box', async ({ page }) => {
  await openIde(page);
  await page.keyboard.press('Control+k');
  await page.keyboard.insertText('zqxjnothing');
  const spotter = page.getByRole('dialog', { name: 'Spotter' });
  await expect(spotter.getByRole('status')).toHaveText('No objects match “zqxjnothing”');
  await expect(spotter.getByRole('option')).toHaveCount(0);
  // A search with hits does not say it.
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText('Circle');
  await expect(spotter.getByRole('option').first()).toBeVisible();
  await expect(spotter.getByRole('status')).not.toContainText('No objects match');
});
