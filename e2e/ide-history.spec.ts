import { test, expect, screenshotDir } from './fixtures';
import { openIde, openFromSpotter, slotRow, windowNamed } from './ide-helpers';

test('History undoes a value change, an added slot and a conflict resolution', async ({ page }) => {
  await openIde(page);
  const circle = await openFromSpotter(page, 'Circle');

  // A value change.
  await slotRow(circle, 'radius').getByRole('button', { name: /^Edit value of radius/ }).click();
  await circle.getByRole('textbox', { name: 'Value of radius' }).fill('7');
  await circle.getByRole('textbox', { name: 'Value of radius' }).press('Enter');
  await expect(slotRow(circle, 'radius')).toContainText('7');

  // An added slot.
  await circle.getByRole('button', { name: 'Add slot' }).click();
  const form = circle.getByRole('form', { name: 'New slot' });
  await form.getByRole('textbox', { name: 'Slot name' }).fill('weight');
  await form.getByRole('textbox', { name: 'Slot value' }).fill('2');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(slotRow(circle, 'weight')).toBeVisible();

  // A conflict resolution.
  const cc = await openFromSpotter(page, 'ColoredCircle');
  const conflict = cc.getByRole('alert').filter({ hasText: 'conflicts between' }).first();
  const selector = (await conflict.locator('.mono').innerText()).trim();
  await conflict.getByRole('button', { name: `Exclude ${selector} from TColor` }).click();
  await expect(cc.getByRole('alert', { name: `Conflict on ${selector}` })).toHaveCount(0);

  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'History' }).click();
  const history = windowNamed(page, 'History');
  const txs = history.getByRole('list', { name: 'Transactions' }).getByRole('listitem');
  await expect(txs.first()).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/ide-history.png` });

  // Newest first: undo the resolution, then the slot, then the value.
  await txs.first().getByRole('button', { name: 'Undo' }).click();
  await expect(cc.getByRole('alert', { name: `Conflict on ${selector}` })).toBeVisible();
  await history.getByRole('listitem').filter({ hasText: 'weight' }).first().getByRole('button', { name: 'Undo' }).click();
  await expect(slotRow(circle, 'weight')).toHaveCount(0);
  await history.getByRole('listitem').filter({ hasText: 'radius' }).first().getByRole('button', { name: 'Undo' }).click();
  await expect(slotRow(circle, 'radius')).toContainText('1');
});
