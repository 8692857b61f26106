import { test, expect, screenshotDir } from './fixtures';
import { openIde, openFromSpotter } from './ide-helpers';

test('the genesis traits conflict is resolved by excluding a method from one trait', async ({ page }) => {
  await openIde(page);
  const cc = await openFromSpotter(page, 'ColoredCircle');
  const conflicts = cc.getByRole('alert').filter({ hasText: 'conflicts between' });
  // The outliner may still be loading: wait for the conflict as a person would see it.
  const first = conflicts.first();
  await expect(first).toBeVisible();
  const selector = (await first.locator('.mono').innerText()).trim();
  await page.screenshot({ path: `${screenshotDir}/ide-traits-conflict.png` });
  await first.getByRole('button', { name: `Exclude ${selector} from TColor` }).click();
  await expect(cc.getByRole('alert', { name: `Conflict on ${selector}` })).toHaveCount(0);
  await expect(cc.getByRole('group', { name: 'Traits of ColoredCircle' })).toContainText(`− ${selector}`);
});

test('the genesis traits conflict is resolved by aliasing one trait’s method', async ({ page }) => {
  await openIde(page);
  const cc = await openFromSpotter(page, 'ColoredCircle');
  const first = cc.getByRole('alert').filter({ hasText: 'conflicts between' }).first();
  const selector = (await first.locator('.mono').innerText()).trim();
  const alias = `color${selector.charAt(0).toUpperCase()}${selector.slice(1)}`;
  await first.getByRole('button', { name: `Alias TColor's ${selector} as ${alias}` }).click();
  await expect(cc.getByRole('alert', { name: `Conflict on ${selector}` })).toHaveCount(0);
  await expect(cc.getByRole('group', { name: 'Traits of ColoredCircle' })).toContainText(`${alias}→${selector}`);
  await cc.locator('.vlist').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(cc.getByRole('listitem', { name: alias, exact: true })).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/ide-traits-alias.png` });
});
