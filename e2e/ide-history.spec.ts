import { test, expect, screenshotDir } from './fixtures';
import { openIde, openFromSpotter, slotRow, windowNamed } from './ide-helpers';

// Each change is on its own object: the store refuses to undo a transaction whose objects
// changed since, so three changes to one object could only be undone newest first.
test('History undoes a value change, an added slot and a conflict resolution', async ({ page }) => {
  await openIde(page);

  // A value change.
  const point = await openFromSpotter(page, 'Point');
  await slotRow(point, 'x').getByRole('button', { name: /^Edit value of x/ }).click();
  await point.getByRole('textbox', { name: 'Value of x' }).fill('7');
  await point.getByRole('textbox', { name: 'Value of x' }).press('Enter');
  await expect(slotRow(point, 'x')).toContainText('7');
  const circle = await openFromSpotter(page, 'Circle');

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
  await history.getByRole('listitem').filter({ hasText: /\bx\b/ }).first().getByRole('button', { name: 'Undo' }).click();
  await expect(slotRow(point, 'x')).toContainText('0');
  await expect(history.getByRole('alert')).toHaveCount(0);
});

test('History offers Undo only where it is possible: not on Genesis, which only created objects', async ({ page }) => {
  await openIde(page);
  const point = await openFromSpotter(page, 'Point');
  await slotRow(point, 'x').getByRole('button', { name: /^Edit value of x/ }).click();
  await point.getByRole('textbox', { name: 'Value of x' }).fill('7');
  await point.getByRole('textbox', { name: 'Value of x' }).press('Enter');
  await expect(slotRow(point, 'x')).toContainText('7');

  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'History' }).click();
  const history = windowNamed(page, 'History');
  const txs = history.getByRole('list', { name: 'Transactions' });
  const genesis = txs.getByRole('listitem', { name: /^Transaction \d+: Genesis$/ });
  await expect(genesis).toBeVisible();
  await expect(txs.getByRole('listitem').filter({ hasText: /\bx\b/ }).first().getByRole('button', { name: 'Undo' })).toBeVisible();
  await expect(genesis.getByRole('button', { name: 'Undo' })).toHaveCount(0);
});
