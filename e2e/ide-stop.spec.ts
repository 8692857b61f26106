// Stop: a long evaluation shows that it runs and can be stopped; the World keeps nothing it
// did and the workspace is usable at once.
import { test, expect, screenshotDir } from './fixtures';
import { openIde, windowNamed, setEditorText, editorText } from './ide-helpers';

// Catches an evaluation that cannot be stopped: without Stop the loop runs its full 10 s and
// then fails with a deadline error, never "Stopped".
test('a 10 s evaluation is stopped with Stop, keeps nothing, and the next one runs at once', async ({ page }) => {
  await openIde(page);
  // Stop shares a flag with the World worker, which needs a cross-origin isolated page.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Workspace' }).click();
  const ws = windowNamed(page, 'Workspace').last();
  await expect(ws.locator('.code-editor[data-loaded="true"]')).toBeVisible({ timeout: 30_000 });
  await setEditorText(page, ws, 'Workspace code', 'self.Circle.radius');
  await ws.getByRole('button', { name: 'Print it' }).click();
  await expect.poll(() => editorText(ws), { timeout: 30_000 }).toContain('1');

  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Transcript', exact: true }).click();
  const transcript = windowNamed(page, 'Transcript');
  await ws.getByRole('combobox', { name: 'Time limit' }).selectOption('10 s');
  await setEditorText(page, ws, 'Workspace code', 'self.Circle.radius = 5; var t = Date.now(); while (Date.now() - t < 10000) {}');
  await ws.getByRole('button', { name: 'Do it' }).click();
  const running = ws.getByRole('status', { name: 'Evaluation running' });
  await expect(running).toBeVisible();
  const stop = ws.getByRole('button', { name: 'Stop' });
  await expect(stop).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/workspace-running.png` });
  const stoppedAt = Date.now();
  await stop.click();

  // The Transcript keeps the line (the status bar's latest message may be replaced at once,
  // e.g. by the layout being saved).
  await expect(transcript).toContainText('Stopped: self.Circle.radius = 5;', { timeout: 5000 });
  expect(Date.now() - stoppedAt).toBeLessThan(5000);
  await expect(running).toHaveCount(0);
  await expect(stop).toHaveCount(0);
  // Stopped is not an error to debug: no debugger opens.
  await expect(page.getByRole('dialog', { name: /^Debugger/ })).toHaveCount(0);

  // The radius set before the loop was not kept, and the next evaluation answers at once.
  await setEditorText(page, ws, 'Workspace code', 'self.Circle.radius + 40');
  await ws.getByRole('button', { name: 'Print it' }).click();
  await expect.poll(() => editorText(ws), { timeout: 5000 }).toContain('41');
  expect(await editorText(ws)).not.toContain('45');
});

// Catches errors and finished long work that vanish with the next status message: the
// notifications keep them until dismissed, one at a time or all at once.
test('notifications keep a stopped run and an error until dismissed', async ({ page }) => {
  await openIde(page);
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Workspace' }).click();
  const ws = windowNamed(page, 'Workspace').last();
  await expect(ws.locator('.code-editor[data-loaded="true"]')).toBeVisible({ timeout: 30_000 });
  await ws.getByRole('combobox', { name: 'Time limit' }).selectOption('none');
  await setEditorText(page, ws, 'Workspace code', 'while (true) {}');
  await ws.getByRole('button', { name: 'Do it' }).click();
  await ws.getByRole('button', { name: 'Stop' }).click();
  await expect(ws.getByRole('status', { name: 'Evaluation running' })).toHaveCount(0);
  await setEditorText(page, ws, 'Workspace code', 'self.noSuchThing()');
  await ws.getByRole('button', { name: 'Do it' }).click();
  await expect(page.getByRole('dialog', { name: /^Debugger/ })).toBeVisible();

  await page.getByRole('button', { name: /^Notifications \(2\)/ }).click();
  const list = page.getByRole('list', { name: 'Notifications list' });
  await expect(list.getByRole('listitem')).toHaveCount(2);
  await expect(list).toContainText('Stopped: while (true) {}');
  await expect(list).toContainText('MessageNotUnderstood');
  await page.screenshot({ path: `${screenshotDir}/notifications.png` });
  await list.getByRole('button', { name: /^Dismiss: Stopped/ }).click();
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list).toContainText('MessageNotUnderstood');
  await page.getByRole('button', { name: 'Clear all' }).click();
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('Nothing to report.');
  await expect(page.getByRole('button', { name: /^Notifications \(0\)/ })).toBeVisible();
});
