import { test, expect, screenshotDir } from './fixtures';
import { openIde, openFromSpotter, setEditorText, editorText, windowNamed } from './ide-helpers';

test('a broken method opens the debugger, is fixed there, and the evaluation runs again', async ({ page }) => {
  await openIde(page);
  const circle = await openFromSpotter(page, 'Circle');
  await circle.getByRole('button', { name: 'Add slot' }).click();
  const form = circle.getByRole('form', { name: 'New slot' });
  await form.getByRole('textbox', { name: 'Slot name' }).fill('describe');
  await form.getByRole('combobox', { name: 'Slot kind' }).selectOption('method');
  await form.getByRole('textbox', { name: 'Method source' }).fill("function () {\n  return 'r=' + self.radiusTypo();\n}");
  await form.getByRole('button', { name: 'Save' }).click();

  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Workspace' }).click();
  const ws = windowNamed(page, 'Workspace');
  await setEditorText(page, ws, 'Workspace code', 'self.Circle.describe()');
  await ws.getByRole('button', { name: 'Do it' }).click();

  const dbg = page.getByRole('dialog', { name: /^Debugger: MessageNotUnderstood/ });
  await expect(dbg).toBeVisible();
  await expect(dbg.getByRole('alert').first()).toContainText('radiusTypo');
  const frames = dbg.getByRole('listbox', { name: 'Frames' });
  await expect(frames.getByRole('option', { selected: true })).toContainText('describe');
  await expect(frames.getByRole('option', { selected: true })).toContainText('line 2');
  await expect(dbg.locator('.failing-line')).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/ide-debugger.png` });

  // Typed on one line: Monaco's auto-indent would move an auto-closed brace after a newline.
  await setEditorText(page, dbg, /Source of .* » describe/, "function () { return 'r=' + self.radius; }");
  await expect.poll(() => editorText(dbg)).toContain("return 'r=' + self.radius;");
  await dbg.getByRole('button', { name: 'Save' }).click();
  await expect(dbg.getByRole('status')).toContainText('Saved');
  await dbg.getByRole('button', { name: 'Run again' }).click();
  await expect(dbg).toHaveCount(0);
  await expect(page.getByRole('dialog', { name: /^Debugger/ })).toHaveCount(0);
  await expect(page.getByRole('status', { name: 'Status bar' })).toContainText('r=1');

  await ws.getByRole('button', { name: 'Print it' }).click();
  await expect.poll(() => editorText(ws)).toContain('r=1');
});
