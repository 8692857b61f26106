// The Console is a terminal a person can work in: paste a command to COM1, copy what the
// kernel printed, and scroll back through more output than fits on screen.
import { test, expect, screenshotDir } from './fixtures';
import { consoleText, openIdeForMachine, openMachineWindows, press, waitForConsole } from './machine-helpers';

test('paste a command, copy the answer, and keep the scrollback', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openIdeForMachine(page);
  const { machine, console: terminal } = await openMachineWindows(page);
  // The Console opens on screen, whole (beside the Machine window only when it fits there).
  const consoleBox = (await page.getByRole('dialog', { name: 'Console', exact: true }).boundingBox())!;
  const screen = page.viewportSize()!;
  expect(consoleBox.x + consoleBox.width).toBeLessThanOrEqual(screen.width);
  expect(consoleBox.y + consoleBox.height).toBeLessThanOrEqual(screen.height);
  await press(machine, 'Boot');
  await waitForConsole(page, 'telos> ');

  // Paste: the clipboard's text goes to COM1 as if typed.
  await page.evaluate(() => navigator.clipboard.writeText('help\n'));
  await terminal.getByRole('button', { name: 'Paste' }).click();
  await waitForConsole(page, 'commands: help, ps, objects, get <oid>, spawn <name>');

  // Copy: bring the Console to the front (Boot raised the Machine window, which new windows
  // cascade from, so it covers most of the Console), select the shell's answer line (triple
  // click) and copy it.
  await page.getByRole('dialog', { name: 'Console', exact: true }).getByRole('heading', { name: 'Console' }).click();
  const answer = terminal.locator('.xterm-rows > div', { hasText: 'commands: help' }).last();
  // The rows sit under xterm's pointer layer, so click where the row is.
  const box = (await answer.boundingBox())!;
  await page.mouse.click(box.x + 20, box.y + box.height / 2, { clickCount: 3 });
  await terminal.getByRole('button', { name: 'Copy' }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain('commands: help, ps, objects');

  // Scrollback: more lines than the window shows are all still in the terminal.
  await terminal.locator('.xterm').click();
  for (let i = 0; i < 6; i++) {
    await page.keyboard.type('objects');
    await page.keyboard.press('Enter');
  }
  await expect.poll(async () => ((await consoleText(page)).match(/\d+ objects?\n/g) ?? []).length, { timeout: 20_000 }).toBe(6);
  const text = await consoleText(page);
  const rows = await terminal.locator('.xterm-rows > div').count();
  expect(text.split('\n').length).toBeGreaterThan(rows);
  expect(text).toContain('TelOS: kernel booting'); // the first line is still there
  await page.screenshot({ path: `${screenshotDir}/machine-console.png` });
  await press(machine, 'Power off');
});

// Catches: a Console shorter than the boot log (the root task's first line scrolled away before
// anyone could read it), the MMS's line per allocation among the monitor's answers after a spawn,
// and log lines in the same colour as the monitor's answers.
test('the boot log stays in view at 1280x720, a spawn answers without chatter, and log lines are grey', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await openIdeForMachine(page);
  const { machine, console: terminal } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await waitForConsole(page, 'TelOS: monitor: ready on COM1 (type help)', 60_000);
  // The rows on screen (xterm draws only those) still hold the root task's first line.
  const rows = terminal.locator('.xterm-rows > div');
  await expect(rows.filter({ hasText: 'TelOS: Root task alive and well.' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'TelOS: monitor: ready on COM1' })).toHaveCount(1);
  // The Console covers none of the Machine window's buttons.
  const consoleBox = (await page.getByRole('dialog', { name: 'Console', exact: true }).boundingBox())!;
  const machineBox = (await machine.boundingBox())!;
  expect(consoleBox.x).toBeGreaterThanOrEqual(machineBox.x + machineBox.width);
  // ... and ends above the status bar, so its last row (the prompt) is not hidden under it.
  const statusBar = (await page.getByRole('status', { name: 'Status bar' }).boundingBox())!;
  expect(consoleBox.y + consoleBox.height).toBeLessThanOrEqual(statusBar.y);
  expect(consoleBox.x + consoleBox.width).toBeLessThanOrEqual(1280);
  await page.screenshot({ path: `${screenshotDir}/machine-console-720.png` });

  // A log line is drawn in another colour than the monitor's answers.
  const colourOf = (text: string | RegExp) =>
    rows.filter({ hasText: text }).first().locator('span').first().evaluate((el) => getComputedStyle(el).color);
  const logColour = await colourOf('TelOS: Root task alive and well.');
  // test_proc runs below the monitor, so its lines follow the prompt: let them out before typing.
  await waitForConsole(page, 'TelOS: test_proc: open /tmp/../disk: ', 30_000);
  await terminal.locator('.xterm').click();
  await page.keyboard.type('spawn test_proc');
  await page.keyboard.press('Enter');
  await waitForConsole(page, /spawned test_proc as object \d+/, 30_000);
  await waitForConsole(page, /TelOS: test_proc alive\.[\s\S]*TelOS: test_proc alive\./, 30_000);
  const text = await consoleText(page);
  expect(text).not.toContain('allocation request');
  const answerColour = await colourOf(/^spawned test_proc as object/);
  expect(answerColour).not.toBe(logColour);
  // (test_proc's first line shares a row with the prompt before it: look at one of its own.)
  expect(await colourOf(/^TelOS: test_proc: read \/image\/roots/)).toBe(logColour);
  await press(machine, 'Power off');
});
