// Kernel objects in the IDE: read from the PS log on the image's disk when the machine is
// off, and from the running machine, with their parents, traits and slots (capability
// slots among them); a kernel Process outliner sends spawn to the PMS.
import { test, expect, screenshotDir } from './fixtures';
import { machineState, openIdeForMachine, openMachineWindows, press, waitForConsole } from './machine-helpers';

test('with the machine off, the kernel objects come from the PS log on the image disk', async ({ page }) => {
  await openIdeForMachine(page);
  const { machine } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await waitForConsole(page, 'TelOS: test_proc alive.');
  await press(machine, 'Power off');
  await expect(machineState(machine)).toHaveText('Off');

  await machine.getByRole('button', { name: 'Kernel objects' }).click();
  const list = page.getByRole('dialog', { name: 'Kernel objects', exact: true });
  await expect(list).toContainText('From the PS log on the image’s disk');
  const table = list.getByRole('table', { name: 'Kernel objects' });
  for (const name of ['lobby root', 'BaseObject prototype', 'Process prototype', 'Server prototype', 'PS server', 'MMS server', 'PMS server', 'Callable trait', 'test_proc process']) {
    await expect(table.getByRole('row', { name, exact: true })).toBeVisible();
  }
  // The servers' parents and traits are links, as the PS holds them.
  const ps = table.getByRole('row', { name: 'PS server', exact: true });
  await expect(ps.getByRole('button', { name: '↑ defaultBehavior' })).toBeVisible();
  await expect(ps.getByRole('button', { name: 'Transactional', exact: true })).toBeVisible();
  await table.getByRole('row', { name: 'test_proc process', exact: true }).getByRole('button', { name: 'test_proc', exact: true }).click();
  const outliner = page.getByRole('dialog', { name: 'Kernel test_proc', exact: true });
  const slots = outliner.getByRole('table', { name: 'Slots of kernel test_proc' });
  await expect(slots.getByRole('row', { name: /^parent\* ↑ Process \(#4\)/ })).toBeVisible();
  await expect(slots.getByRole('row', { name: /^state running/ })).toBeVisible();
  await expect(slots.getByRole('row', { name: /^tcbCap TCB cap, rights RWGg, slot \d+ of PMS/ })).toBeVisible();
  // Read-only while off: spawning needs the running PMS.
  await expect(outliner.getByRole('button', { name: 'Spawn', exact: true })).toBeDisabled();
  await page.screenshot({ path: `${screenshotDir}/machine-kernel-objects.png` });
});

test('spawn from a kernel Process outliner creates a new process that then appears', async ({ page }) => {
  await openIdeForMachine(page);
  const { machine } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await waitForConsole(page, 'TelOS: test_proc alive.');
  await machine.getByRole('button', { name: 'Kernel objects' }).click();
  const list = page.getByRole('dialog', { name: 'Kernel objects', exact: true });
  await expect(list).toContainText('Live, from the running PS and PMS over the COM2 bridge');
  await list.getByRole('row', { name: 'Process prototype', exact: true }).getByRole('button', { name: 'Process', exact: true }).click();
  const outliner = page.getByRole('dialog', { name: 'Kernel Process', exact: true });
  await outliner.getByRole('textbox', { name: 'Program to spawn' }).fill('test_proc');
  await outliner.getByRole('button', { name: 'Spawn', exact: true }).click();
  // The PMS says so on COM1; the request went over the COM2 bridge.
  await waitForConsole(page, /TelOS: PMS: test_proc recorded as object \d{4}/);
  await expect(list.getByRole('table', { name: 'Kernel objects' }).getByRole('row', { name: /process$/ })).toHaveCount(2, { timeout: 20_000 });
  await page.screenshot({ path: `${screenshotDir}/machine-spawn.png` });
  await press(machine, 'Power off');
});
