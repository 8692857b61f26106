// The kernel disk belongs to the image: an unclean power-off, a page reload and a new boot
// find what the Persistence Server committed before the plug was pulled.
import { test, expect, screenshotDir } from './fixtures';
import { machineState, openIdeForMachine, openMachineWindows, press, waitForConsole } from './machine-helpers';

test('after an unclean power-off and a reload, the next boot validates persistence', async ({ page }) => {
  await openIdeForMachine(page);
  let { machine } = await openMachineWindows(page);
  await press(machine, 'Boot');
  const first = await waitForConsole(page, 'TelOS: test_proc alive.');
  expect(first).not.toContain('Persistence validation successful');
  await press(machine, 'Power off');
  await expect(machineState(machine)).toHaveText('Off');

  await page.reload();
  await openIdeForMachine(page);
  ({ machine } = await openMachineWindows(page));
  await expect(machineState(machine)).toHaveText('Off');
  await press(machine, 'Boot');
  await waitForConsole(page, 'TelOS: Persistence validation successful.');
  await page.screenshot({ path: `${screenshotDir}/machine-persistence.png` });
  await press(machine, 'Power off');
});

test('what the kernel wrote is in the image while it runs: a reload without any power action keeps it', async ({ page }) => {
  await openIdeForMachine(page);
  let { machine } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await waitForConsole(page, 'TelOS: test_proc alive.');
  // Written chunks go back to IndexedDB about twice a second; once the window says the disk
  // is saved the page goes away with the machine running, as a closed tab or a crash would.
  await expect(machine.getByRole('status', { name: 'Disk state' })).toHaveText('saved in the image', { timeout: 15_000 });
  await page.reload();
  await openIdeForMachine(page);
  ({ machine } = await openMachineWindows(page));
  await expect(machineState(machine)).toHaveText('Off');
  await press(machine, 'Boot');
  await waitForConsole(page, 'TelOS: Persistence validation successful.');
  await press(machine, 'Power off');
});

test('reset starts a new emulator on the same disk', async ({ page }) => {
  await openIdeForMachine(page);
  const { machine } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await waitForConsole(page, 'TelOS: test_proc alive.');
  await press(machine, 'Reset');
  await expect(machineState(machine)).toHaveText('Running', { timeout: 30_000 });
  // The console starts over, and the second boot finds the first one's commits on the disk.
  await waitForConsole(page, 'TelOS: Persistence validation successful.');
  await press(machine, 'Power off');
});
