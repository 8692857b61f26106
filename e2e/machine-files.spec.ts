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

/** Boots the Machine and opens Files on /disk, once the monitor is ready. */
async function bootAndOpenDisk(page: Page): Promise<{ machine: Locator; files: Locator; disk: Locator }> {
  await openIdeForMachine(page);
  const { machine } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await waitForConsole(page, MONITOR_READY, 60_000);
  await machine.getByRole('heading', { name: 'Machine' }).click();
  await machine.getByRole('button', { name: 'Files', exact: true }).click();
  const files = page.getByRole('dialog', { name: 'Files', exact: true });
  await files.getByRole('list', { name: 'Files in /' }).getByRole('button', { name: 'disk/' }).click({ timeout: 20_000 });
  const disk = files.getByRole('list', { name: 'Files in /disk' });
  await expect(disk).toBeVisible();
  return { machine, files, disk };
}

test('a file written on /disk is there after a reload and a new boot', async ({ page }) => {
  await openIdeForMachine(page);
  let { machine } = await openMachineWindows(page);
  // A new image has no file disk yet: its size is chosen before the first boot.
  const size = machine.getByRole('combobox', { name: 'File disk' });
  await expect(size).toHaveValue('16');
  await size.selectOption('8');
  await press(machine, 'Boot');
  await waitForConsole(page, 'TelOS: vfs: hdb was blank: made an ext2 file system on it (7168 KiB)', 60_000);
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

test('Files lists the running TelOS’s tree and downloads a file written on /disk', async ({ page }) => {
  await openIdeForMachine(page);
  const { machine } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await waitForConsole(page, MONITOR_READY, 60_000);
  await command(page, 'write /disk/note hello', /wrote 6 bytes to \/disk\/note\r?\n/);

  await machine.getByRole('heading', { name: 'Machine' }).click();
  await machine.getByRole('button', { name: 'Files', exact: true }).click();
  const files = page.getByRole('dialog', { name: 'Files', exact: true });
  const root = files.getByRole('list', { name: 'Files in /' });
  await expect(root.getByRole('listitem')).toHaveText(['tmp/', 'disk/', 'dev/', 'image/'], { timeout: 20_000 });
  await root.getByRole('button', { name: 'disk/' }).click();
  const disk = files.getByRole('list', { name: 'Files in /disk' });
  const note = disk.getByRole('listitem', { name: 'note', exact: true });
  await expect(note).toContainText('6 B');
  const [download] = await Promise.all([page.waitForEvent('download'), note.getByRole('button', { name: 'Download note' }).click()]);
  expect(download.suggestedFilename()).toBe('note');
  const { readFileSync } = await import('node:fs');
  expect(readFileSync(await download.path(), 'utf8')).toBe('hello\n');

  // A file's name opens it read-only in a window titled with its path.
  await note.getByRole('button', { name: 'Open note' }).click();
  const viewer = page.getByRole('dialog', { name: '/disk/note', exact: true });
  await expect(viewer.getByRole('region', { name: 'Text of /disk/note' })).toHaveText('hello\n', { timeout: 20_000 });
  await expect(viewer.getByRole('toolbar', { name: 'File /disk/note' })).toContainText('6 B, read-only');

  // /image: the PS's objects as text files.
  await files.getByRole('heading', { name: 'Files' }).click();
  await files.getByRole('button', { name: 'Up', exact: true }).click();
  await files.getByRole('list', { name: 'Files in /' }).getByRole('button', { name: 'image/' }).click();
  const image = files.getByRole('list', { name: 'Files in /image' });
  await expect(image.getByRole('listitem', { name: 'roots', exact: true })).toBeVisible();
  await image.getByRole('button', { name: 'objects/' }).click();
  await files.getByRole('list', { name: 'Files in /image/objects' }).getByRole('button', { name: 'Open 10', exact: true }).click();
  const object = page.getByRole('dialog', { name: '/image/objects/10', exact: true });
  await expect(object.getByRole('region', { name: 'Text of /image/objects/10' })).toContainText(/^object 10: PS\n/, { timeout: 20_000 });
  await page.screenshot({ path: `${screenshotDir}/machine-files-window.png` });
  await press(machine, 'Power off');
  await expect(files).toContainText('Boot the machine to see its files');
  await expect(viewer).toContainText('Boot the machine to read /disk/note');
});

// Catches: an upload that changes, truncates or pads the bytes on their way into TelOS (the
// 1 MiB file comes back identical through Download), one the monitor cannot read back, a
// file of the same name replaced without asking (or kept when the person said replace), a
// drop on the window that does nothing, a Cancel that leaves half a file, and a refused
// upload (/image is read-only) that fails silently.
test('Files uploads by the picker and by dropping, with progress and Cancel; the bytes come back the same and cat shows them', async ({ page }) => {
  test.setTimeout(240_000);
  const { machine, files, disk } = await bootAndOpenDisk(page);

  // 1 MiB of random bytes through the picker.
  const random = new Uint8Array(1 << 20);
  for (let at = 0; at < random.length; at += 65536) crypto.getRandomValues(random.subarray(at, at + 65536));
  const picker = files.getByLabel('Files to upload into /disk');
  let t0 = Date.now();
  await picker.setInputFiles({ name: 'random.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(random) });
  const progress = files.getByRole('progressbar', { name: 'Uploading /disk/random.bin' });
  await expect(progress).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/machine-files-uploading.png` });
  const uploaded = disk.getByRole('listitem', { name: 'random.bin', exact: true });
  await expect(uploaded).toContainText('1.0 MiB', { timeout: 120_000 });
  const uploadMs = Date.now() - t0;
  await expect(progress).toHaveCount(0);
  t0 = Date.now();
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), uploaded.getByRole('button', { name: 'Download random.bin' }).click()]);
  const { readFileSync } = await import('node:fs');
  const back = readFileSync(await download.path());
  const downloadMs = Date.now() - t0;
  expect(back.length).toBe(random.length);
  expect(Buffer.compare(back, Buffer.from(random))).toBe(0);
  test.info().annotations.push({ type: '1 MiB over the bridge', description: `upload ${uploadMs} ms, download ${downloadMs} ms` });
  console.log(`1 MiB over the bridge in the browser: upload ${uploadMs} ms, download ${downloadMs} ms`);

  // A small text file, read back by the monitor's cat.
  await picker.setInputFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('uploaded through the Files window\n') });
  const hello = disk.getByRole('listitem', { name: 'hello.txt', exact: true });
  await expect(hello).toContainText('34 B', { timeout: 30_000 });
  // The same name again asks first: declined, the file stays as it was; accepted, it is replaced.
  const asked: string[] = [];
  page.once('dialog', (d) => void (asked.push(d.message()), d.dismiss()));
  await picker.setInputFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('kept?\n') });
  await expect.poll(() => asked).toEqual(['Replace /disk/hello.txt (34 B) with the 6 B file from this computer?']);
  await expect(files.getByText(/\d+ entries/)).toBeVisible({ timeout: 30_000 });
  await expect(hello).toContainText('34 B');
  page.once('dialog', (d) => void d.accept());
  await picker.setInputFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('uploaded through the Files window, twice\n') });
  await expect(hello).toContainText('41 B', { timeout: 30_000 });

  // Cancel while a bigger upload runs: nothing of it is kept.
  await picker.setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(4 << 20, 7) });
  await files.getByRole('button', { name: 'Cancel uploading /disk/big.bin' }).click();
  await expect(files.getByRole('progressbar', { name: 'Uploading /disk/big.bin' })).toHaveCount(0, { timeout: 30_000 });
  await expect(files.getByText(/\d+ entries/)).toBeVisible({ timeout: 30_000 });
  await expect(disk.getByRole('listitem', { name: 'big.bin', exact: true })).toHaveCount(0);
  await expect(files.getByRole('alert')).toHaveCount(0);

  // Files dropped on the window go into the folder shown (/tmp here).
  await files.getByRole('button', { name: 'Up', exact: true }).click();
  await files.getByRole('list', { name: 'Files in /' }).getByRole('button', { name: 'tmp/' }).click();
  const tmp = files.getByRole('list', { name: 'Files in /tmp' });
  await expect(tmp).toBeVisible();
  const dropped = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['dropped on the window\n'], 'dropped.txt', { type: 'text/plain' }));
    return dt;
  });
  await tmp.dispatchEvent('dragover', { dataTransfer: dropped });
  await expect(files.getByText('Drop to upload into /tmp')).toBeVisible();
  await tmp.dispatchEvent('drop', { dataTransfer: dropped });
  await expect(tmp.getByRole('listitem', { name: 'dropped.txt', exact: true })).toContainText('22 B', { timeout: 30_000 });

  // /image is the living image: an upload there is refused, and the window says why.
  await files.getByRole('button', { name: 'Up', exact: true }).click();
  await files.getByRole('list', { name: 'Files in /' }).getByRole('button', { name: 'image/' }).click();
  await expect(files.getByRole('list', { name: 'Files in /image' })).toBeVisible();
  await files.getByLabel('Files to upload into /image').setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('no\n') });
  await expect(files.getByRole('alert')).toHaveText(/Uploading \/image\/note\.txt failed: read-only/, { timeout: 30_000 });
  await expect(files.getByRole('list', { name: 'Files in /image' }).getByRole('listitem', { name: 'note.txt', exact: true })).toHaveCount(0);
  await page.screenshot({ path: `${screenshotDir}/machine-files-upload-refused.png` });

  // The monitor reads what was uploaded and what was dropped.
  await command(page, 'cat /disk/hello.txt', /\nuploaded through the Files window, twice\r?\n/);
  await command(page, 'cat /tmp/dropped.txt', /\ndropped on the window\r?\n/);
  await press(machine, 'Power off');
});

// Catches: no way to make a folder or delete a file from the Files window, a folder made
// somewhere other than the folder shown, a Delete that does not ask first (or deletes when
// the person said no), and refusals (a folder that is not empty, /image) that fail silently.
test('Files makes a folder in the folder shown and deletes files and empty folders, asking first; refusals are shown', async ({ page }) => {
  test.setTimeout(180_000);
  const { machine, files, disk } = await bootAndOpenDisk(page);

  // New folder asks its name in the window; Cancel makes nothing.
  await files.getByRole('button', { name: 'New folder', exact: true }).click();
  const newFolder = files.getByRole('form', { name: 'New folder in /disk' });
  await newFolder.getByRole('textbox', { name: 'Name of the new folder' }).fill('unwanted');
  await newFolder.getByRole('button', { name: 'Cancel' }).click();
  await expect(newFolder).toHaveCount(0);
  await expect(disk.getByRole('listitem', { name: 'unwanted', exact: true })).toHaveCount(0);
  await files.getByRole('button', { name: 'New folder', exact: true }).click();
  await newFolder.getByRole('textbox', { name: 'Name of the new folder' }).fill('notes');
  await newFolder.getByRole('button', { name: 'Create' }).click();
  const notes = disk.getByRole('listitem', { name: 'notes', exact: true });
  await expect(notes.getByRole('button', { name: 'notes/' })).toBeVisible({ timeout: 30_000 });
  await expect(newFolder).toHaveCount(0);

  // A file inside it: the folder is not empty, so deleting it is refused and said.
  await notes.getByRole('button', { name: 'notes/' }).click();
  const inside = files.getByRole('list', { name: 'Files in /disk/notes' });
  await expect(files.getByRole('status', { name: 'Folder' })).toHaveText('/disk/notes', { timeout: 30_000 });
  await expect(files.getByText('0 entries')).toBeVisible({ timeout: 30_000 });
  await files.getByLabel('Files to upload into /disk/notes').setInputFiles({ name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('a\n') });
  const file = inside.getByRole('listitem', { name: 'a.txt', exact: true });
  await expect(file).toContainText('2 B', { timeout: 30_000 });
  await files.getByRole('button', { name: 'Up', exact: true }).click();
  page.once('dialog', (d) => void d.accept());
  await notes.getByRole('button', { name: 'Delete notes' }).click();
  await expect(files.getByRole('alert')).toHaveText(/Deleting \/disk\/notes failed: .*not empty/, { timeout: 30_000 });
  await expect(notes).toBeVisible();

  // Delete asks first: declined, the file stays; accepted, it goes.
  await notes.getByRole('button', { name: 'notes/' }).click();
  const asked: string[] = [];
  page.once('dialog', (d) => void (asked.push(d.message()), d.dismiss()));
  await file.getByRole('button', { name: 'Delete a.txt' }).click();
  await expect.poll(() => asked).toEqual(['Delete /disk/notes/a.txt (2 B)? It cannot be brought back.']);
  await expect(file).toBeVisible();
  page.once('dialog', (d) => void d.accept());
  await file.getByRole('button', { name: 'Delete a.txt' }).click();
  await expect(file).toHaveCount(0, { timeout: 30_000 });
  await expect(files.getByText('0 entries')).toBeVisible();

  // Now empty, the folder goes too.
  await files.getByRole('button', { name: 'Up', exact: true }).click();
  page.once('dialog', (d) => void d.accept());
  await notes.getByRole('button', { name: 'Delete notes' }).click();
  await expect(notes).toHaveCount(0, { timeout: 30_000 });
  await expect(files.getByRole('alert')).toHaveCount(0);
  await files.getByRole('button', { name: 'Refresh', exact: true }).click();
  await expect(files.getByText(/^\d+ entr(y|ies)$/)).toBeVisible({ timeout: 30_000 });
  await expect(notes).toHaveCount(0);

  // /image is the living image: no folder is made and nothing deleted there.
  await files.getByRole('button', { name: 'Up', exact: true }).click();
  await files.getByRole('list', { name: 'Files in /' }).getByRole('button', { name: 'image/' }).click();
  const image = files.getByRole('list', { name: 'Files in /image' });
  const roots = image.getByRole('listitem', { name: 'roots', exact: true });
  await expect(roots).toBeVisible({ timeout: 30_000 });
  page.once('dialog', (d) => void d.accept());
  await roots.getByRole('button', { name: 'Delete roots' }).click();
  await expect(files.getByRole('alert')).toHaveText(/Deleting \/image\/roots failed: read-only/, { timeout: 30_000 });
  await expect(roots).toBeVisible();
  await files.getByRole('button', { name: 'New folder', exact: true }).click();
  await files.getByRole('form', { name: 'New folder in /image' }).getByRole('textbox', { name: 'Name of the new folder' }).fill('x');
  await files.getByRole('form', { name: 'New folder in /image' }).getByRole('button', { name: 'Create' }).click();
  await expect(files.getByRole('alert')).toHaveText(/Making the folder \/image\/x failed: read-only/, { timeout: 30_000 });
  await press(machine, 'Power off');
});

// Catches: Files opened while TelOS still boots staying at "still booting" until Refresh is
// pressed, rather than listing the tree by itself once the bridge serves.
test('Files opened while TelOS boots says so, then lists the tree by itself once the bridge serves', async ({ page }) => {
  await openIdeForMachine(page);
  const { machine } = await openMachineWindows(page);
  await press(machine, 'Boot');
  await machine.getByRole('heading', { name: 'Machine' }).click();
  await machine.getByRole('button', { name: 'Files', exact: true }).click();
  const files = page.getByRole('dialog', { name: 'Files', exact: true });
  await expect(files.getByText(/still booting/)).toBeVisible();
  await expect(files.getByRole('list', { name: 'Files in /' }).getByRole('listitem')).toHaveText(['tmp/', 'disk/', 'dev/', 'image/'], { timeout: 60_000 });
  await expect(files.getByRole('alert')).toHaveCount(0);
  await waitForConsole(page, MONITOR_READY, 60_000);
  await press(machine, 'Power off');
});
