// Two IDE tabs on one image (one browser context, so they share IndexedDB): an edit started
// before the other tab committed is not written over it. The second tab is told "Changed in
// another tab", sees theirs and mine, and chooses; no version is lost silently.
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { test, expect, screenshotDir } from './fixtures';
import { openIde, openFromSpotter, slotRow, windowNamed, setEditorText, editorText } from './ide-helpers';

function valueButton(outliner: Locator, slot: string): Locator {
  return slotRow(outliner, slot).getByRole('button', { name: new RegExp(`^Edit value of ${slot}`) });
}

async function setValue(outliner: Locator, slot: string, text: string): Promise<void> {
  await valueButton(outliner, slot).click();
  const field = outliner.getByRole('textbox', { name: `Value of ${slot}` });
  await field.fill(text);
  await field.press('Enter');
}

async function historyNotes(page: Page): Promise<string[]> {
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'History' }).click();
  const history = windowNamed(page, 'History');
  const list = history.getByRole('list', { name: 'Transactions' });
  await expect(list.getByRole('listitem').first()).toBeVisible();
  const labels = await list.getByRole('listitem').evaluateAll((items) => items.map((li) => li.getAttribute('aria-label') ?? ''));
  await history.getByRole('button', { name: 'Close' }).click();
  await expect(history).toHaveCount(0);
  return labels.map((l) => l.replace(/^Transaction \d+: /, ''));
}

/** The IDE in this page and in a second tab of the same browser (one shared image). */
async function secondTab(page: Page, context: BrowserContext): Promise<Page> {
  await openIde(page);
  const tab2 = await context.newPage();
  await openIde(tab2);
  return tab2;
}

/** Two tabs, each with Circle's outliner open. */
async function twoTabsOnCircle(page: Page, context: BrowserContext) {
  const tab2 = await secondTab(page, context);
  return { tab2, circle1: await openFromSpotter(page, 'Circle'), circle2: await openFromSpotter(tab2, 'Circle') };
}

test('two tabs set the same slot: the second is told, sees both values and chooses; no version is lost', async ({ page, context, consoleErrors }) => {
  void consoleErrors;
  const { tab2, circle1, circle2 } = await twoTabsOnCircle(page, context);

  // Tab 2 opens its inline editor on radius and types 6; then tab 1 sets the radius to 5.
  await valueButton(circle2, 'radius').click();
  const field2 = circle2.getByRole('textbox', { name: 'Value of radius' });
  await field2.fill('6');
  await setValue(circle1, 'radius', '5');
  await expect(slotRow(circle1, 'radius').getByRole('button', { name: 'Edit value of radius: 5' })).toBeVisible();

  // Tab 2 saves its 6: refused, and told so with both values; tab 1's 5 stands.
  await expect(field2).toHaveValue('6');
  await field2.press('Enter');
  const notice = circle2.getByRole('alert', { name: 'Changed in another tab' });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('Theirs: 5');
  await expect(notice).toContainText('yours: 6');
  await tab2.screenshot({ path: `${screenshotDir}/ide-tabs-slot-conflict.png` });
  await expect(slotRow(circle2, 'radius').getByRole('button', { name: 'Edit value of radius: 5' })).toBeVisible();
  await expect(slotRow(circle1, 'radius').getByRole('button', { name: 'Edit value of radius: 5' })).toBeVisible();

  // Keep mine: 6 is written over 5, and both tabs show it; both versions are in the history.
  await notice.getByRole('button', { name: 'Keep mine' }).click();
  await expect(notice).toHaveCount(0);
  await expect(slotRow(circle2, 'radius').getByRole('button', { name: 'Edit value of radius: 6' })).toBeVisible();
  await expect(slotRow(circle1, 'radius').getByRole('button', { name: 'Edit value of radius: 6' })).toBeVisible();
  expect((await historyNotes(page)).filter((n) => n === 'Set radius on Circle')).toHaveLength(2);

  // Again, and this time tab 2 takes theirs: 7 stays, 8 is not written, and the status says so.
  await valueButton(circle2, 'radius').click();
  await field2.fill('8');
  await setValue(circle1, 'radius', '7');
  await expect(slotRow(circle1, 'radius').getByRole('button', { name: 'Edit value of radius: 7' })).toBeVisible();
  await expect(field2).toHaveValue('8');
  await field2.press('Enter');
  await expect(notice).toContainText('Theirs: 7');
  await expect(notice).toContainText('yours: 8');
  await notice.getByRole('button', { name: 'Take theirs' }).click();
  await expect(notice).toHaveCount(0);
  await expect(tab2.getByRole('status', { name: 'Status bar' })).toContainText('yours (8) was not written');
  await expect(slotRow(circle2, 'radius').getByRole('button', { name: 'Edit value of radius: 7' })).toBeVisible();
  await expect(slotRow(circle1, 'radius').getByRole('button', { name: 'Edit value of radius: 7' })).toBeVisible();
  expect((await historyNotes(page)).filter((n) => n === 'Set radius on Circle')).toHaveLength(3);

  // An open field the user has not typed in follows the other tab: it shows the new value.
  await valueButton(circle2, 'radius').click();
  await expect(field2).toHaveValue('7');
  await setValue(circle1, 'radius', '10');
  await expect(field2).toHaveValue('10');
  await field2.fill('11');
  await field2.press('Enter');
  await expect(slotRow(circle1, 'radius').getByRole('button', { name: 'Edit value of radius: 11' })).toBeVisible();
  await expect(circle2.getByRole('alert', { name: 'Changed in another tab' })).toHaveCount(0);
  await tab2.close();
});

test('a change to another slot of the same object is not a conflict: the edit is applied over the newer version', async ({ page, context, consoleErrors }) => {
  void consoleErrors;
  const { tab2, circle1, circle2 } = await twoTabsOnCircle(page, context);
  await valueButton(circle2, 'radius').click();
  const field2 = circle2.getByRole('textbox', { name: 'Value of radius' });
  await expect(field2).toBeVisible();
  await circle1.getByRole('button', { name: 'Add slot' }).click();
  const form = circle1.getByRole('form', { name: 'New slot' });
  await form.getByRole('textbox', { name: 'Slot name' }).fill('weight');
  await form.getByRole('textbox', { name: 'Slot value' }).fill('2');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(slotRow(circle1, 'weight')).toBeVisible();
  await expect(slotRow(circle2, 'weight')).toBeVisible();
  await field2.fill('9');
  await field2.press('Enter');
  await expect(slotRow(circle1, 'radius').getByRole('button', { name: 'Edit value of radius: 9' })).toBeVisible();
  await expect(slotRow(circle2, 'radius').getByRole('button', { name: 'Edit value of radius: 9' })).toBeVisible();
  await expect(circle2.getByRole('alert', { name: 'Changed in another tab' })).toHaveCount(0);
  await tab2.close();
});

test('a slot renamed or removed in another tab while this tab types its value: the typed text is kept', async ({ page, context, consoleErrors }) => {
  void consoleErrors;
  const { tab2, circle1, circle2 } = await twoTabsOnCircle(page, context);
  // Tab 2 types 6 into radius; tab 1 renames radius to r meanwhile.
  await valueButton(circle2, 'radius').click();
  await circle2.getByRole('textbox', { name: 'Value of radius' }).fill('6');
  await slotRow(circle1, 'radius').getByRole('button', { name: 'Rename slot' }).click();
  const rename = circle1.getByRole('textbox', { name: 'New name for radius' });
  await rename.fill('r');
  await rename.press('Enter');
  await expect(valueButton(circle1, 'r')).toBeVisible();
  // Tab 2's field follows the slot to its new name with the text as typed, and says so.
  const field2 = circle2.getByRole('textbox', { name: 'Value of r' });
  await expect(field2).toHaveValue('6');
  await expect(slotRow(circle2, 'r').getByRole('status')).toHaveText('radius was renamed to r in another tab; Enter applies your edit to r');
  await field2.press('Enter');
  await expect(slotRow(circle1, 'r').getByRole('button', { name: 'Edit value of r: 6' })).toBeVisible();
  await expect(slotRow(circle2, 'r').getByRole('button', { name: 'Edit value of r: 6' })).toBeVisible();
  await expect(circle2.getByRole('alert', { name: 'Changed in another tab' })).toHaveCount(0);

  // Tab 2 types 7 into r; tab 1 removes r: tab 2 is told, with its 7, and nothing is written.
  await valueButton(circle2, 'r').click();
  await circle2.getByRole('textbox', { name: 'Value of r' }).fill('7');
  await slotRow(circle1, 'r').getByRole('button', { name: 'Remove slot' }).click();
  await expect(slotRow(circle1, 'r')).toHaveCount(0);
  const notice = circle2.getByRole('alert', { name: 'Changed in another tab' });
  await expect(notice).toContainText('Theirs: the slot was removed or renamed');
  await expect(notice).toContainText('yours: 7');
  await expect(slotRow(circle2, 'r')).toHaveCount(0);
  await notice.getByRole('button', { name: 'Take theirs' }).click();
  await expect(notice).toHaveCount(0);
  await tab2.close();
});

/** Opens the method editor on Circle's area (held by its trait TCircle) from the outliner. */
async function openArea(page: Page): Promise<Locator> {
  const circle = await openFromSpotter(page, 'Circle');
  await slotRow(circle, 'area').getByRole('button').first().click();
  const editor = page.getByRole('dialog', { name: /» area$/ });
  await expect(editor.locator('.code-editor[data-loaded="true"]')).toBeVisible({ timeout: 30_000 });
  await circle.getByRole('button', { name: 'Close' }).click();
  return editor;
}

const label = /Source of .* » area/;
// One line: typing a newline into Monaco indents, which would make the text differ from what was typed.
const source = (marker: string) => `function () { return ${marker} * self.radius * self.radius; }`;

/** Replaces an editor's text and waits until Monaco shows exactly that. */
async function typeSource(page: Page, editor: Locator, text: string): Promise<void> {
  await setEditorText(page, editor, label, text);
  await expect.poll(() => editorText(editor)).toBe(text);
}

test('two tabs change the same method: the open editor is told at once, compares both and chooses; no version is lost', async ({ page, context, consoleErrors }) => {
  void consoleErrors;
  const tab2 = await secondTab(page, context);
  const editor1 = await openArea(page);
  const editor2 = await openArea(tab2);

  // Tab 2 changes area but has not saved; tab 1 changes it too and saves.
  await typeSource(tab2, editor2, source('222'));
  await expect(editor2.getByText('modified')).toBeVisible();
  await typeSource(page, editor1, source('111'));
  await editor1.getByRole('button', { name: 'Save' }).click();
  await expect(editor1.getByRole('status')).toHaveText('Saved.');

  // Tab 2 is told before it saves, and its text is untouched.
  const notice = editor2.getByRole('alert', { name: 'Changed in another tab' });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('area was saved in another tab');
  expect(await editorText(editor2)).toContain('return 222 *');
  // Save does not write over the version it has not seen.
  await editor2.getByRole('button', { name: 'Save' }).click();
  await expect(editor2.getByRole('alert').filter({ hasText: 'keep yours or take theirs first' })).toBeVisible();

  // Compare: Monaco's diff editor, theirs on the left, mine on the right.
  await notice.getByRole('button', { name: 'Compare' }).click();
  const compare = editor2.getByRole('region', { name: 'Compare area: theirs and mine' });
  await expect(compare).toBeVisible();
  await expect(compare.locator('.editor.original .view-lines')).toContainText('return 111 *');
  await expect(compare.locator('.editor.modified .view-lines')).toContainText('return 222 *');
  await tab2.screenshot({ path: `${screenshotDir}/ide-tabs-method-compare.png` });

  // Keep mine: tab 2's version is saved over tab 1's, and tab 1's untouched editor follows.
  await notice.getByRole('button', { name: 'Keep mine' }).click();
  await expect(notice).toHaveCount(0);
  await expect(compare).toHaveCount(0);
  await expect(editor2.getByRole('status')).toHaveText('Saved.');
  await expect.poll(() => editorText(editor1), { timeout: 15_000 }).toContain('return 222 *');
  await expect(editor1.getByRole('status')).toHaveText('Updated: saved in another tab.');
  await expect(editor1.getByText('modified')).toHaveCount(0);
  expect((await historyNotes(page)).filter((n) => n === 'Save method area of TCircle')).toHaveLength(2);

  // Once more, and tab 2 takes theirs: it shows tab 1's version, and Ctrl+Z brings its own back.
  await typeSource(tab2, editor2, source('444'));
  await typeSource(page, editor1, source('333'));
  await editor1.getByRole('button', { name: 'Save' }).click();
  await expect(editor1.getByRole('status')).toHaveText('Saved.');
  await expect(notice).toBeVisible();
  await notice.getByRole('button', { name: 'Take theirs' }).click();
  await expect(notice).toHaveCount(0);
  await expect.poll(() => editorText(editor2)).toContain('return 333 *');
  await expect(editor2.getByText('modified')).toHaveCount(0);
  await editor2.getByRole('textbox', { name: label }).focus();
  await tab2.keyboard.press('Control+z');
  await expect.poll(() => editorText(editor2)).toContain('return 444 *');
  expect((await historyNotes(page)).filter((n) => n === 'Save method area of TCircle')).toHaveLength(3);
  await tab2.close();
});

test('two tabs change the same trait use: the second is told with both, and keeps its own', async ({ page, context, consoleErrors }) => {
  void consoleErrors;
  const { tab2, circle1, circle2 } = await twoTabsOnCircle(page, context);
  const editUse = async (outliner: Locator, excluded: string) => {
    await outliner.getByRole('button', { name: 'Edit use of TCircle' }).click();
    await outliner.getByRole('textbox', { name: 'Exclusions from TCircle' }).fill(excluded);
  };
  await editUse(circle2, 'diameter');
  await editUse(circle1, 'circumference');
  await circle1.getByRole('group', { name: 'Traits of Circle' }).getByRole('button', { name: 'Save' }).click();
  await expect(circle1.getByRole('group', { name: 'Traits of Circle' })).toContainText('− circumference');
  await expect(slotRow(circle2, 'circumference')).toHaveCount(0);

  await circle2.getByRole('group', { name: 'Traits of Circle' }).getByRole('button', { name: 'Save' }).click();
  const notice = circle2.getByRole('alert', { name: 'Changed in another tab' });
  await expect(notice).toContainText('Theirs: excluded: circumference');
  await expect(notice).toContainText('yours: excluded: diameter');
  await notice.getByRole('button', { name: 'Keep mine' }).click();
  await expect(notice).toHaveCount(0);
  await expect(circle1.getByRole('group', { name: 'Traits of Circle' })).toContainText('− diameter');
  await expect(slotRow(circle1, 'circumference')).toBeVisible();
  await expect(slotRow(circle1, 'diameter')).toHaveCount(0);
  // An edit begun now starts from the use as it is (tab 2's), not from what this tab typed before,
  // so saving it cannot quietly bring back the old exclusions.
  await circle1.getByRole('button', { name: 'Edit use of TCircle' }).click();
  await expect(circle1.getByRole('textbox', { name: 'Exclusions from TCircle' })).toHaveValue('diameter');
  await tab2.close();
});

test('a change to another slot is no conflict for a trait use edit: the use is saved over the newer version', async ({ page, context, consoleErrors }) => {
  void consoleErrors;
  const { tab2, circle1, circle2 } = await twoTabsOnCircle(page, context);
  const traits2 = circle2.getByRole('group', { name: 'Traits of Circle' });
  // Tab 2 starts editing Circle's use of TCircle; then tab 1 sets the radius (not the trait use).
  await circle2.getByRole('button', { name: 'Edit use of TCircle' }).click();
  await circle2.getByRole('textbox', { name: 'Exclusions from TCircle' }).fill('diameter');
  await setValue(circle1, 'radius', '5');
  await expect(slotRow(circle2, 'radius').getByRole('button', { name: 'Edit value of radius: 5' })).toBeVisible();
  // Tab 2 saves: its use is written, tab 1's radius stands, and nobody is told of a conflict.
  await traits2.getByRole('button', { name: 'Save' }).click();
  await expect(circle1.getByRole('group', { name: 'Traits of Circle' })).toContainText('− diameter');
  await expect(traits2).toContainText('− diameter');
  await expect(circle2.getByRole('alert', { name: 'Changed in another tab' })).toHaveCount(0);
  await expect(slotRow(circle1, 'diameter')).toHaveCount(0);
  await expect(slotRow(circle1, 'radius').getByRole('button', { name: 'Edit value of radius: 5' })).toBeVisible();
  await tab2.close();
});

test('Compare opened again after it was closed uses the new comparison, never the closed one', async ({ page, context, consoleErrors }) => {
  void consoleErrors;
  const tab2 = await secondTab(page, context);
  const errors2: string[] = [];
  tab2.on('pageerror', (err) => errors2.push(err.message));
  const editor1 = await openArea(page);
  const editor2 = await openArea(tab2);
  await typeSource(tab2, editor2, source('222'));
  await typeSource(page, editor1, source('111'));
  await editor1.getByRole('button', { name: 'Save' }).click();
  await expect(editor1.getByRole('status')).toHaveText('Saved.');
  const notice = editor2.getByRole('alert', { name: 'Changed in another tab' });
  const compareButton = notice.getByRole('button', { name: 'Compare' });
  const compare = editor2.getByRole('region', { name: 'Compare area: theirs and mine' });

  // Open the comparison and close it: back to the editor.
  await compareButton.click();
  await expect(compare).toHaveAttribute('data-loaded', 'true');
  await compareButton.click();
  await expect(compare).toHaveCount(0);
  // Open it again and close it at once, before the new diff editor has reported in: closing
  // must not read the closed comparison's disposed text.
  await compareButton.evaluate(async (button: HTMLElement) => {
    button.click();
    await Promise.resolve();
    button.click();
  });
  await expect(compare).toHaveCount(0);
  await expect(compareButton).toHaveAttribute('aria-pressed', 'false');
  expect(errors2).toEqual([]);
  expect(await editorText(editor2)).toContain('return 222 *');

  // And the comparison still works: opened, then Keep mine saves tab 2's version.
  await compareButton.click();
  await expect(compare.locator('.editor.modified .view-lines')).toContainText('return 222 *');
  await notice.getByRole('button', { name: 'Keep mine' }).click();
  await expect(notice).toHaveCount(0);
  await expect(editor2.getByRole('status')).toHaveText('Saved.');
  await expect.poll(() => editorText(editor1), { timeout: 15_000 }).toContain('return 222 *');
  expect(errors2).toEqual([]);
  await tab2.close();
});
