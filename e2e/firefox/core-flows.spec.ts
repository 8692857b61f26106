// The core flows of TelOS Studio in Firefox ESR: the World opens, a slot edited in an
// outliner and a method saved in its editor are committed to IndexedDB, the workspace
// prints, an image goes out as a file and comes back in by the file picker, and the Machine
// boots TelOS in a worker (v86's wasm) with a console that takes typing.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'puppeteer-core';
import {
  test,
  expect,
  openIde,
  menu,
  find,
  click,
  windowNamed,
  setEditorText,
  editorText,
  downloaded,
  waitForConsole,
  consoleText,
} from './firefox-fixtures';

async function openFromSpotter(page: Page, name: string) {
  await page.keyboard.down('Control');
  await page.keyboard.press('k');
  await page.keyboard.up('Control');
  const spotter = await windowNamed(page, 'Spotter');
  await page.keyboard.type(name);
  await expect.poll(() => spotter.$eval('[role=option]', (o) => o.textContent ?? '').catch(() => '')).toContain(name);
  await page.keyboard.press('Enter');
  return windowNamed(page, name);
}

/** Runs `code` in a new Workspace with Print it and answers what the editor then shows. */
async function printIt(page: Page, code: string): Promise<string> {
  await menu(page, 'Workspace');
  let ws = await windowNamed(page, 'Workspace');
  // Right after an image is opened its stored layout may still replace the windows (and
  // with them this one's element): find the window again until the text is in it.
  await expect(async () => {
    ws = await windowNamed(page, 'Workspace');
    await setEditorText(page, ws, 'Workspace code', code, 5_000);
  }).toPass({ timeout: 60_000 });
  await click(ws, 'button', 'Print it');
  await expect.poll(() => editorText(ws)).not.toBe(code);
  const text = await editorText(ws);
  await click(ws, 'button', 'Close');
  await expect.poll(() => page.$$('[role=dialog][aria-label="Workspace"]').then((d) => d.length)).toBe(0);
  return text;
}

test('the World opens and a slot edited in an outliner is still there after a reload', async ({ ff: page }) => {
  await openIde(page);
  await menu(page, 'Lobby');
  await windowNamed(page, 'lobby');
  const circle = await openFromSpotter(page, 'Circle');
  const row = await find(circle, 'listitem', 'radius');
  await (await row.waitForSelector('button.slot-value'))!.click();
  const field = await find(circle, 'textbox', 'Value of radius');
  await field.click({ count: 3 });
  await page.keyboard.type('7');
  await page.keyboard.press('Enter');
  await find(circle, 'button', 'Edit value of radius: 7');

  await page.reload();
  await page.waitForSelector('html[data-world-ready]', { timeout: 60_000 });
  const again = await windowNamed(page, 'Circle');
  await find(again, 'button', 'Edit value of radius: 7');
});

test('a method edited and saved answers a Print it in the workspace', async ({ ff: page }) => {
  await openIde(page);
  const circle = await openFromSpotter(page, 'Circle');
  const area = await find(circle, 'listitem', 'area');
  const open = await area.waitForSelector('button.slot-value');
  await open!.click();
  const editor = await windowNamed(page, '» area', 'suffix');
  const title = await editor.evaluate((e) => e.getAttribute('aria-label')!);
  await setEditorText(page, editor, `Source of ${title}`, 'function () { return 1000 + self.radius; }');
  await click(editor, 'button', 'Save');
  await expect.poll(() => editor.evaluate((e) => e.textContent ?? '')).toContain('Saved.');
  expect(await printIt(page, 'self.Circle.area()')).toContain('1001');
});

// Stop in Firefox: the page is cross-origin isolated, so the stop flag reaches the World
// worker while QuickJS runs; without it the loop would end only at its 10 s limit.
test('a 10 s evaluation is stopped with Stop and keeps nothing', async ({ ff: page }) => {
  await openIde(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await menu(page, 'Transcript');
  const transcript = await windowNamed(page, 'Transcript');
  await menu(page, 'Workspace');
  let ws = await windowNamed(page, 'Workspace');
  const code = 'self.Circle.radius = 5; var t = Date.now(); while (Date.now() - t < 10000) {}';
  await expect(async () => {
    ws = await windowNamed(page, 'Workspace');
    await setEditorText(page, ws, 'Workspace code', code, 5_000);
  }).toPass({ timeout: 60_000 });
  const limit = await find(ws, 'combobox', 'Time limit');
  await limit.select('10000');
  await click(ws, 'button', 'Do it');
  await find(ws, 'status', 'Evaluation running');
  const t0 = Date.now();
  await click(ws, 'button', 'Stop');
  await expect.poll(() => transcript.evaluate((e) => e.textContent ?? ''), { timeout: 8_000 }).toContain('Stopped: self.Circle.radius = 5;');
  expect(Date.now() - t0).toBeLessThan(8_000);
  await click(ws, 'button', 'Close');
  expect(await printIt(page, 'self.Circle.radius + 40')).toContain('41');
});

test('an image exported to a file and imported by the file picker has the same objects', async ({ ff: page, firefox }) => {
  await openIde(page);
  expect(await printIt(page, 'self.Circle.radius = 42; reflect(self).addSlot("exportMark", "travelled"); 1')).toContain('1');

  await menu(page, 'Images');
  const images = await windowNamed(page, 'Images');
  const current = await images.waitForSelector('li.current');
  await click(current!, 'button', 'Export');
  const path = await downloaded(firefox.downloads, /\.telos$/);
  const lines = gunzipSync(readFileSync(path)).toString('utf8').trimEnd().split('\n');
  expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'telos-image' });
  expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'end' });

  const [chooser] = await Promise.all([page.waitForFileChooser({ timeout: 30_000 }), click(images, 'button', 'Import')]);
  await chooser.accept([path]);
  // The Images window's import form names the new image.
  const form = await find(images, 'form', `Import ${basename(path)}`);
  const name = await find(form, 'textbox', 'Name of the new image');
  await name.focus();
  await page.keyboard.down('Control');
  await page.keyboard.press('a');
  await page.keyboard.up('Control');
  await page.keyboard.type('from-file');
  await click(form, 'button', 'Import');
  const copy = await find(images, 'listitem', 'from-file', 60_000);
  await click(copy, 'button', 'Open image');
  await expect.poll(() => page.$eval('.status-image', (e) => e.textContent ?? ''), { timeout: 30_000 }).toBe('Image: from-file');
  await click(images, 'button', 'Close');

  expect(await printIt(page, 'self.Circle.radius')).toContain('42');
  expect(await printIt(page, 'self.exportMark')).toContain('travelled');
});

test('the Machine boots TelOS and the console answers ps', async ({ ff: page }) => {
  test.setTimeout(180_000);
  await openIde(page);
  await menu(page, 'Machine');
  const machine = await windowNamed(page, 'Machine');
  await click(machine, 'button', 'Open console');
  const terminal = await find(page, 'region', 'Console');
  await terminal.waitForSelector('.xterm', { timeout: 30_000 });
  await click(machine, 'button', 'Boot');
  await waitForConsole(page, 'TelOS: Root task alive and well.', 120_000);
  await waitForConsole(page, 'telos> ', 60_000);
  // test_proc runs below the monitor, so its lines follow the prompt: let it finish first,
  // so that none falls between the keys typed.
  await waitForConsole(page, 'TelOS: test_proc: open /tmp/../disk: ', 60_000);
  await (await terminal.waitForSelector('.xterm'))!.click();
  await page.keyboard.type('ps');
  await page.keyboard.press('Enter');
  // The shell echoes what was typed (after the prompt, or after test_proc's last line), then
  // the PMS's process list.
  await waitForConsole(page, /(?:telos> |\n)ps\n\d+ process(?:es)? created by the PMS\n[\s\S]*test_proc\s+running/);
  expect(await consoleText(page)).toContain('TelOS: test_proc alive.');
  await click(machine, 'button', 'Power off');
  await expect.poll(() => machine.$eval('.machine-state', (e) => e.textContent ?? ''), { timeout: 30_000 }).toBe('Off');
});
