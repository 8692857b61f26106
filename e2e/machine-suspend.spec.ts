// Suspend keeps v86's saved state in the image; after a page reload, Resume continues the
// same machine: the console shows what it showed, and the kernel keeps answering.
import { test, expect, screenshotDir } from './fixtures';
import { consoleText, machineState, openIdeForMachine, openMachineWindows, press, waitForConsole } from './machine-helpers';

test('suspend, reload the page, resume: the machine continues where it was', async ({ page }) => {
  // Boot, suspend, reload and resume each take seconds; on a busy two-core machine together up to a minute.
  test.setTimeout(150_000);
  await openIdeForMachine(page);
  let { machine } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await waitForConsole(page, 'TelOS: test_proc alive.');
  const before = await consoleText(page);
  // The PMS names the object it recorded test_proc as; after the resume `ps` lists it under that oid.
  const recorded = before.match(/TelOS: PMS: test_proc recorded as object (\d+)/);
  expect(recorded, 'the PMS reports the object test_proc was recorded as').not.toBeNull();
  const oid = recorded![1]!;
  await press(machine, 'Suspend');
  await expect(machineState(machine)).toHaveText('Suspended', { timeout: 30_000 });

  await page.reload();
  await openIdeForMachine(page);
  ({ machine } = await openMachineWindows(page));
  await expect(machineState(machine)).toHaveText('Suspended');
  await expect(machine.getByRole('button', { name: 'Resume', exact: true })).toBeEnabled();
  await press(machine, 'Resume');
  await expect(machineState(machine)).toHaveText('Running', { timeout: 30_000 });
  // The console continues: the same lines, and no second boot banner.
  const after = await waitForConsole(page, 'TelOS: test_proc alive.');
  expect(after.startsWith(before.trimEnd().split('\n')[0]!)).toBe(true);
  expect(after.match(/TelOS: kernel booting/g)?.length).toBe(1);
  expect(after).not.toContain('Persistence validation successful');
  // The uptime carried over the suspend.
  await expect(machine.getByRole('status', { name: 'Uptime' })).not.toHaveText('0:00:00');
  // The restored kernel keeps serving: the shell answers on COM1.
  await waitForConsole(page, 'telos> ');
  // test_proc runs below the monitor: its last lines follow the prompt, and come before we type.
  await waitForConsole(page, 'TelOS: test_proc: open /tmp/../disk: ');
  await page.getByRole('region', { name: 'Console' }).locator('.xterm').click();
  await page.keyboard.type('ps');
  await page.keyboard.press('Enter');
  await waitForConsole(page, new RegExp(`(?:telos> |\\n)ps\\n1 process created by the PMS\\n\\s+${oid}\\s+test_proc\\s+running`));
  await page.screenshot({ path: `${screenshotDir}/machine-resume.png` });
  await press(machine, 'Power off');
});
