// An image file carries the Machine: export an image whose kernel ran, import the file as a
// new image, and find the same kernel objects there, off and after booting it.
import { test, expect, screenshotDir } from './fixtures';
import { machineState, openIdeForMachine, openMachineWindows, press, waitForConsole } from './machine-helpers';

test('export an image, import it as a new one, boot it there and find the same kernel objects', async ({ page }) => {
  await openIdeForMachine(page);
  const { machine } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await waitForConsole(page, 'TelOS: test_proc alive.');
  await press(machine, 'Power off');
  await expect(machineState(machine)).toHaveText('Off');

  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Images', exact: true }).click();
  const images = page.getByRole('dialog', { name: 'Images', exact: true });
  const current = images.getByRole('listitem').filter({ hasText: '(open)' });
  const [download] = await Promise.all([page.waitForEvent('download'), current.getByRole('button', { name: 'Export' }).click()]);
  const path = await download.path();

  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), images.getByRole('button', { name: 'Import', exact: true }).click()]);
  await chooser.setFiles(path);
  const form = images.getByRole('form', { name: /^Import / });
  await form.getByRole('textbox', { name: 'Name of the new image' }).fill('machine-copy');
  await form.getByRole('button', { name: 'Import', exact: true }).click();
  const copy = images.getByRole('listitem', { name: 'machine-copy', exact: true });
  await expect(copy).toBeVisible({ timeout: 30_000 });
  await copy.getByRole('button', { name: 'Open image' }).click();
  await expect(page.getByRole('status', { name: 'Status bar' })).toContainText('machine-copy');
  await images.getByRole('button', { name: 'Close' }).first().click();

  await machine.getByRole('button', { name: 'Kernel objects' }).click();
  const list = page.getByRole('dialog', { name: 'Kernel objects', exact: true });
  await expect(list).toContainText('From the PS log on the image’s disk');
  await expect(list.getByRole('row', { name: 'test_proc process', exact: true })).toBeVisible();
  await press(machine, 'Boot');
  await waitForConsole(page, 'TelOS: Persistence validation successful.');
  await page.screenshot({ path: `${screenshotDir}/machine-export-import.png` });
  await press(machine, 'Power off');
});
