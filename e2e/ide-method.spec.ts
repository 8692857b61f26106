import { test, expect, screenshotDir } from './fixtures';
import { openIde, openFromSpotter, slotRow, setEditorText, editorText, windowNamed } from './ide-helpers';

test('a slot and a method added in the outliner answer a send from the workspace', async ({ page }) => {
  await openIde(page);
  const circle = await openFromSpotter(page, 'Circle');

  await circle.getByRole('button', { name: 'Add slot' }).click();
  let form = circle.getByRole('form', { name: 'New slot' });
  await form.getByRole('textbox', { name: 'Slot name' }).fill('scale');
  await form.getByRole('textbox', { name: 'Slot value' }).fill('3');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(slotRow(circle, 'scale')).toContainText('3');

  await circle.getByRole('button', { name: 'Add slot' }).click();
  form = circle.getByRole('form', { name: 'New slot' });
  await form.getByRole('textbox', { name: 'Slot name' }).fill('scaledRadius');
  await form.getByRole('combobox', { name: 'Slot kind' }).selectOption('method');
  await form.getByRole('textbox', { name: 'Method source' }).fill('function () { return self.radius * self.scale; }');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(slotRow(circle, 'scaledRadius')).toContainText('method');

  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Workspace' }).click();
  const ws = windowNamed(page, 'Workspace');
  await setEditorText(page, ws, 'Workspace code', 'self.Circle.scaledRadius()');
  await ws.getByRole('button', { name: 'Print it' }).click();
  await expect.poll(() => editorText(ws)).toContain('self.Circle.scaledRadius() 3');

  // The keyboard does the same: Ctrl+P prints after the current line.
  await setEditorText(page, ws, 'Workspace code', 'self.Circle.scale + 1');
  await page.keyboard.press('Control+p');
  await expect.poll(() => editorText(ws)).toContain('self.Circle.scale + 1 4');
  await page.screenshot({ path: `${screenshotDir}/ide-method-workspace.png` });

  // Inspect it (Ctrl+I) on an object opens its outliner.
  await setEditorText(page, ws, 'Workspace code', 'self.Point');
  await page.keyboard.press('Control+i');
  await expect(windowNamed(page, 'Point')).toBeVisible();
});

test('a method with a syntax error is marked inline and not committed', async ({ page }) => {
  await openIde(page);
  const circle = await openFromSpotter(page, 'Circle');
  await slotRow(circle, 'area').getByRole('button').first().click();
  const editor = page.getByRole('dialog', { name: /» area$/ });
  await setEditorText(page, editor, /Source of .* » area/, 'function () {\n  return self.radius *;\n}');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(editor.getByRole('alert')).toContainText('nothing was committed');
  await expect(editor.locator('.squiggly-error')).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/ide-syntax-error.png` });
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'History' }).click();
  await expect(windowNamed(page, 'History')).not.toContainText('area');
});
