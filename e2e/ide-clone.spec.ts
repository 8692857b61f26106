import { test, expect, screenshotDir } from './fixtures';
import { openIde, openFromSpotter, slotRow, windowNamed } from './ide-helpers';

test('cloning Circle and changing the clone’s radius leaves Circle as it was', async ({ page }) => {
  await openIde(page);
  const circle = await openFromSpotter(page, 'Circle');
  await circle.getByRole('button', { name: 'Clone', exact: true }).click();
  const clone = windowNamed(page, 'a Circle');
  await expect(clone).toBeVisible();
  await expect(slotRow(clone, 'radius')).toContainText('1');

  await slotRow(clone, 'radius').getByRole('button', { name: /^Edit value of radius/ }).click();
  const field = clone.getByRole('textbox', { name: 'Value of radius' });
  await field.fill('5');
  await field.press('Enter');
  await expect(slotRow(clone, 'radius')).toContainText('5');
  await expect(slotRow(circle, 'radius')).toContainText('1');
  await expect(slotRow(circle, 'radius')).not.toContainText('5');
  await page.screenshot({ path: `${screenshotDir}/ide-clone.png` });
});
