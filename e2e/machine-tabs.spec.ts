// One image, one machine: a second tab on the same image cannot boot a second emulator on
// the same disk while the first runs, and is told why; once the first stops, it can.
import { test, expect } from './fixtures';
import { machineState, openIdeForMachine, openMachineWindows, press, waitForConsole } from './machine-helpers';

test('a second tab is refused while the image’s machine runs in the first', async ({ page, context }) => {
  await openIdeForMachine(page);
  const first = await openMachineWindows(page);
  await press(first.machine, 'Boot');
  await waitForConsole(page, 'TelOS: Root task alive and well.');

  const other = await context.newPage();
  await openIdeForMachine(other);
  const second = await openMachineWindows(other);
  await press(second.machine, 'Boot');
  await expect(second.machine.getByRole('alert')).toContainText('is running in another tab');
  await expect(machineState(second.machine)).toHaveText('Off');

  await press(first.machine, 'Power off');
  await expect(machineState(first.machine)).toHaveText('Off');
  await press(second.machine, 'Boot');
  await expect(machineState(second.machine)).toHaveText('Running', { timeout: 30_000 });
  await press(second.machine, 'Power off');
  await other.close();
});
