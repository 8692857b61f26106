// Accessibility: axe-core scans each main window of the IDE as a person opens it (lobby
// outliner, method editor, workspace, debugger, history, images and its import form, Machine,
// console, Files (its New folder form open) and a file viewer, search)
// and finds no serious or critical violation; keyboard focus stays visible.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { openIde, openFromSpotter, setEditorText, windowNamed, slotRow } from './ide-helpers';
import { openMachineWindows, press, waitForConsole } from './machine-helpers';

// An axe scan of a window takes seconds on a busy machine.
test.describe.configure({ timeout: 240_000 });

/** Serious and critical violations inside `selector`, one line each (rule, target, summary). */
async function violations(page: Page, selector: string): Promise<string[]> {
  // Monaco's syntax colours (its built-in theme) are left out: open, listed in the issue note.
  const result = await new AxeBuilder({ page }).include(selector).exclude('.monaco-editor .view-lines').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}) at ${n.target.join(' ')}: ${n.failureSummary?.split('\n')[1]?.trim() ?? v.help}`));
}

const menu = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name, exact: true }).click();
const windowSelector = (title: string) => `[role="dialog"][aria-label="${title}"]`;

test('the world, menu, status bar and lobby outliner', async ({ page }) => {
  await openIde(page);
  await menu(page, 'Lobby');
  await expect(windowNamed(page, 'lobby')).toBeVisible();
  expect(await violations(page, 'body')).toEqual([]);
  // The notifications area, opened from the status bar.
  await page.getByRole('button', { name: /^Notifications/ }).click();
  await expect(page.getByRole('region', { name: 'Notifications' })).toBeVisible();
  expect(await violations(page, '.notifications-panel')).toEqual([]);
});

test('the method editor, workspace and debugger', async ({ page }) => {
  await openIde(page);
  const circle = await openFromSpotter(page, 'Circle');
  // A method failing on its second line (added before the method editor covers the outliner):
  // the debugger opens with its frame selected, whose "line 2" is scanned on the selection's colours.
  await circle.getByRole('button', { name: 'Add slot' }).click();
  const form = circle.getByRole('form', { name: 'New slot' });
  await form.getByRole('textbox', { name: 'Slot name' }).fill('describe');
  await form.getByRole('combobox', { name: 'Slot kind' }).selectOption('method');
  await form.getByRole('textbox', { name: 'Method source' }).fill("function () {\n  return 'r=' + self.radiusTypo();\n}");
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(slotRow(circle, 'describe')).toBeVisible();

  await slotRow(circle, 'area').getByRole('button').first().click();
  const editor = page.getByRole('dialog', { name: /» area$/ });
  await expect(editor.locator('.code-editor[data-loaded="true"]')).toBeVisible({ timeout: 30_000 });
  expect(await violations(page, '[role="dialog"][aria-label$="» area"]')).toEqual([]);

  await menu(page, 'Workspace');
  const ws = windowNamed(page, 'Workspace').last();
  await setEditorText(page, ws, 'Workspace code', 'self.Circle.describe()');
  expect(await violations(page, windowSelector('Workspace'))).toEqual([]);
  await ws.getByRole('button', { name: 'Do it' }).click();
  const debuggerWindow = page.getByRole('dialog', { name: /^Debugger: / });
  await expect(debuggerWindow).toBeVisible();
  await expect(debuggerWindow.getByRole('listbox', { name: 'Frames' }).getByRole('option', { selected: true })).toContainText('line 2');
  expect(await violations(page, '[role="dialog"][aria-label^="Debugger: "]')).toEqual([]);
});

test('history, images and search', async ({ page }) => {
  await openIde(page);
  await menu(page, 'History');
  await expect(windowNamed(page, 'History')).toBeVisible();
  expect(await violations(page, windowSelector('History'))).toEqual([]);
  await menu(page, 'Images');
  await expect(windowNamed(page, 'Images').getByRole('listitem').first()).toBeVisible();
  expect(await violations(page, windowSelector('Images'))).toEqual([]);
  // The import form, with a name that is taken (its explanation showing).
  const images = windowNamed(page, 'Images');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), images.getByRole('button', { name: 'Import', exact: true }).click()]);
  await chooser.setFiles({ name: 'default.telos', mimeType: 'application/octet-stream', buffer: Buffer.from('not read until Import') });
  const importName = images.getByRole('form', { name: 'Import default.telos' }).getByRole('textbox', { name: 'Name of the new image' });
  await expect(importName).toHaveValue('default-2');
  await importName.fill('default');
  await expect(images.getByText('There is already an image named')).toBeVisible();
  expect(await violations(page, windowSelector('Images'))).toEqual([]);
  await page.keyboard.press('Control+k');
  await page.keyboard.insertText('Circle');
  const spotter = page.getByRole('dialog', { name: 'Spotter' });
  await expect(spotter.getByRole('option').first()).toBeVisible();
  expect(await violations(page, '[role="dialog"][aria-label="Spotter"]')).toEqual([]);
});

test('the Machine and its console', async ({ page }) => {
  await openIde(page);
  const { machine } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await waitForConsole(page, 'telos> ');
  expect(await violations(page, windowSelector('Machine'))).toEqual([]);
  expect(await violations(page, '[role="region"][aria-label="Console"]')).toEqual([]);
  // Files and a file opened from it, read over the bridge.
  await waitForConsole(page, 'TelOS: monitor: ready on COM1', 60_000);
  await machine.getByRole('heading', { name: 'Machine' }).click();
  await machine.getByRole('button', { name: 'Files', exact: true }).click();
  const files = page.getByRole('dialog', { name: 'Files', exact: true });
  await files.getByRole('list', { name: 'Files in /' }).getByRole('button', { name: 'image/' }).click({ timeout: 20_000 });
  await files.getByRole('list', { name: 'Files in /image' }).getByRole('button', { name: 'Open roots' }).click();
  await expect(page.getByRole('region', { name: 'Text of /image/roots' })).toContainText('lobby', { timeout: 20_000 });
  // Scanned with its Delete buttons and the New folder form open.
  await files.getByRole('heading', { name: 'Files' }).click();
  await files.getByRole('button', { name: 'New folder', exact: true }).click();
  await expect(files.getByRole('form', { name: 'New folder in /image' })).toBeVisible();
  expect(await violations(page, windowSelector('Files'))).toEqual([]);
  expect(await violations(page, windowSelector('/image/roots'))).toEqual([]);
  await press(machine, 'Power off');
});

test('keyboard focus is visible on buttons, title bars and inputs', async ({ page }) => {
  await openIde(page);
  await menu(page, 'Images');
  const images = windowNamed(page, 'Images');
  const targets = [
    page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Workspace' }),
    images.locator('.morph-titlebar'),
    images.getByRole('textbox', { name: 'New image name' }),
    images.getByRole('button', { name: 'New image' }),
  ];
  for (const target of targets) {
    await target.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await expect(target).toBeFocused();
    // A focus ring: an outline or a box shadow that is not there without focus.
    const ring = await target.evaluate((el) => {
      const s = getComputedStyle(el);
      return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
    });
    expect(ring, `focus ring on ${await target.evaluate((el) => el.outerHTML.slice(0, 80))}`).toBe(true);
  }
});
