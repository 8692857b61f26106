// Helpers the IDE specs share: open the page on a fresh image, find windows by name,
// type into Monaco panes, open outliners from the spotter.
import { expect, test, type Page, type Locator } from '@playwright/test';

/** Opens the IDE and waits until the World is connected and the layout restored. */
export async function openIde(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.locator('html[data-world-ready]')).toBeAttached({ timeout: 30_000 });
  const world = page.getByRole('status', { name: 'Status bar' }).locator('.status-world');
  // Until the World worker's client is part of the build, flows that need it are skipped.
  test.skip((await world.getAttribute('data-world')) === 'failed' && !!(await page.locator('[data-world-missing]').count()),
    'the World worker is not part of this build');
  await expect(world).toHaveText('World: ready');
}

export function windowNamed(page: Page, name: string): Locator {
  return page.getByRole('dialog', { name, exact: true });
}

/** Opens an object's outliner through the spotter (Ctrl+K, type, Enter). */
export async function openFromSpotter(page: Page, name: string): Promise<Locator> {
  await page.keyboard.press('Control+k');
  const spotter = page.getByRole('dialog', { name: 'Spotter' });
  await expect(spotter).toBeVisible();
  await page.keyboard.insertText(name);
  await expect(spotter.getByRole('option').first()).toContainText(name);
  await page.keyboard.press('Enter');
  await expect(spotter).toHaveCount(0);
  const outliner = windowNamed(page, name).last();
  await expect(outliner).toBeVisible();
  return outliner;
}

/** Replaces the text of a Monaco pane (found by its accessible name) without auto-closing. */
export async function setEditorText(page: Page, scope: Locator, label: string | RegExp, text: string): Promise<void> {
  const area = scope.getByRole('textbox', { name: label });
  await expect(scope.locator('.code-editor[data-loaded="true"]').first()).toBeVisible({ timeout: 30_000 });
  await area.focus();
  await expect(area).toBeFocused();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

export async function editorText(scope: Locator): Promise<string> {
  return (await scope.locator('.view-lines').first().innerText()).replace(/\u00a0/g, ' ');
}

/** A slot row of an outliner. */
export function slotRow(outliner: Locator, name: string): Locator {
  return outliner.getByRole('listitem', { name, exact: true });
}
