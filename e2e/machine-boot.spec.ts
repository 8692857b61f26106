// Boot TelOS from the IDE and read its console: the Machine window's Boot button starts
// v86 in the machine worker, COM1 appears in the Console window, and typing reaches COM1.
import { test, expect, screenshotDir } from './fixtures';
import { consoleText, machineState, openIdeForMachine, openMachineWindows, press, waitForConsole } from './machine-helpers';

test('booting from the Machine window shows the root task and test_proc on the console', async ({ page }) => {
  await openIdeForMachine(page);
  const { machine } = await openMachineWindows(page);
  await expect(machineState(machine)).toHaveText('Off');
  await press(machine, 'Boot');
  await expect(machineState(machine)).toHaveText('Running', { timeout: 30_000 });
  await waitForConsole(page, 'TelOS: Root task alive and well.');
  await waitForConsole(page, 'TelOS: test_proc alive.');
  // The region a person reads shows it too (the line is still on screen).
  await expect(page.getByRole('region', { name: 'Console' })).toContainText('TelOS');
  await expect(machine.getByRole('status', { name: 'Uptime' })).not.toHaveText('0:00:00', { timeout: 5_000 });
  await page.screenshot({ path: `${screenshotDir}/machine-boot.png` });
  await press(machine, 'Power off');
  await expect(machineState(machine)).toHaveText('Off');
});

test('typing ps in the console lists the running processes', async ({ page }) => {
  await openIdeForMachine(page);
  const { machine, console } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await waitForConsole(page, 'telos> ');
  // test_proc runs below the monitor, so its lines follow the prompt: let it finish first,
  // so that none falls between the keys typed.
  await waitForConsole(page, 'TelOS: test_proc: open /tmp/../disk: ');
  await console.locator('.xterm').click();
  await page.keyboard.type('ps');
  await page.keyboard.press('Enter');
  // The shell echoes what was typed (after the prompt, or after test_proc's last line), then
  // the PMS's process list.
  const text = await waitForConsole(page, /(?:telos> |\n)ps\n\d+ process(?:es)? created by the PMS\n[\s\S]*test_proc\s+running/);
  expect(text).toContain('TelOS: test_proc alive.');
  await page.screenshot({ path: `${screenshotDir}/machine-ps.png` });
  expect(await consoleText(page)).toMatch(/telos> $/);
  await press(machine, 'Power off');
});

test('shut down asks the Persistence Server over the bridge, then stops with the disk written back', async ({ page }) => {
  await openIdeForMachine(page);
  const { machine } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await waitForConsole(page, 'TelOS: bridge: serving frames on COM2');
  await press(machine, 'Shut down');
  await expect(machineState(machine)).toHaveText('Off');
  await expect(machine).toContainText('the PS answered over the bridge first');
  await expect(machine.getByRole('button', { name: 'Boot', exact: true })).toBeEnabled();
});
