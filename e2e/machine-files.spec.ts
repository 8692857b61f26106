// The Machine's file-system disk (hdb, /disk in TelOS) belongs to the image like its first
// disk: a file written with the monitor's `write` is there after a page reload and a new
// boot, and after a suspend and resume.
import { test, expect, screenshotDir } from './fixtures';
import { consoleText, machineState, openIdeForMachine, openMachineWindows, press, waitForConsole } from './machine-helpers';
import type { Locator, Page } from '@playwright/test';

const MONITOR_READY = 'TelOS: monitor: ready on COM1 (type help)';

/** Types one line into the Console as a person would, and waits for the text after it. */
async function command(page: Page, line: string, answer: RegExp): Promise<void> {
  const before = (await consoleText(page)).length;
  await page.getByRole('dialog', { name: 'Console', exact: true }).getByRole('heading', { name: 'Console' }).click();
  await page.getByRole('region', { name: 'Console', exact: true }).locator('.xterm').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await expect.poll(async () => answer.test((await consoleText(page)).slice(before)), { timeout: 20_000, message: `the console to answer ${line}` }).toBe(true);
}

const fileDisk = (machine: Locator) => machine.getByRole('status', { name: 'File disk' });

test('a file written on /disk is there after a reload and a new boot', async ({ page }) => {
  await openIdeForMachine(page);
  let { machine } = await openMachineWindows(page);
  // A new image has no file disk yet: its size is chosen before the first boot.
  const size = machine.getByRole('combobox', { name: 'File disk' });
  await expect(size).toHaveValue('16');
  await size.selectOption('8');
  await press(machine, 'Boot');
  await waitForConsole(page, 'TelOS: vfs: hdb was blank: made an ext2 file system on it (8192 KiB)', 60_000);
  await waitForConsole(page, MONITOR_READY, 60_000);
  await expect(fileDisk(machine)).toHaveText('8 MiB disk (hdb), the ext2 file system at /disk');
  await expect(machine.getByRole('combobox', { name: 'File disk' })).toHaveCount(0);

  await command(page, 'write /disk/note hello', /wrote 6 bytes to \/disk\/note\r?\n/);
  await command(page, 'cat /disk/note', /\nhello\r?\n/);
  await expect(machine.getByRole('status', { name: 'Disk state' })).toHaveText('saved in the image', { timeout: 15_000 });
  await page.screenshot({ path: `${screenshotDir}/machine-files.png` });

  await page.reload();
  await openIdeForMachine(page);
  ({ machine } = await openMachineWindows(page));
  await expect(machineState(machine)).toHaveText('Off');
  await expect(fileDisk(machine)).toHaveText('8 MiB disk (hdb), the ext2 file system at /disk');
  await press(machine, 'Boot');
  await waitForConsole(page, "TelOS: vfs: mounted hdb's ext2 file system at /disk", 60_000);
  await waitForConsole(page, MONITOR_READY, 60_000);
  expect(await consoleText(page)).not.toContain('hdb was blank');
  await command(page, 'cat /disk/note', /\nhello\r?\n/);
  await press(machine, 'Power off');
});

test('a file written on /disk survives a suspend and a resume, and the disk then keeps what the resumed machine writes', async ({ page }) => {
  await openIdeForMachine(page);
  let { machine } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await waitForConsole(page, MONITOR_READY, 60_000);
  await command(page, 'write /disk/before hello', /wrote 6 bytes to \/disk\/before\r?\n/);
  await press(machine, 'Suspend');
  await expect(machineState(machine)).toHaveText('Suspended', { timeout: 30_000 });

  await page.reload();
  await openIdeForMachine(page);
  ({ machine } = await openMachineWindows(page));
  await expect(machineState(machine)).toHaveText('Suspended');
  await press(machine, 'Resume');
  await expect(machineState(machine)).toHaveText('Running', { timeout: 30_000 });
  await command(page, 'cat /disk/before', /\nhello\r?\n/);
  await command(page, 'write /disk/after again', /wrote 6 bytes to \/disk\/after\r?\n/);
  await expect(machine.getByRole('status', { name: 'Disk state' })).toHaveText('saved in the image', { timeout: 15_000 });
  await press(machine, 'Power off');
  await expect(machineState(machine)).toHaveText('Off');

  // A fresh boot reads the disk the image keeps: both files are on it.
  await press(machine, 'Boot');
  await waitForConsole(page, MONITOR_READY, 60_000);
  await command(page, 'cat /disk/before', /\nhello\r?\n/);
  await command(page, 'cat /disk/after', /\nagain\r?\n/);
  await press(machine, 'Power off');
});
