// Window morphs: open from the world menu, drag, resize, collapse, close, halo actions,
// keyboard moves, the spotter, and Monaco loading only when a code pane first opens.
import { test, expect, screenshotDir } from './fixtures';
import { openIde, windowNamed, setEditorText, editorText } from './ide-helpers';

test('windows open from the world menu, move, resize, collapse and close', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html[data-world-ready]')).toBeAttached();
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Transcript', exact: true }).click();
  const transcript = page.getByRole('dialog', { name: 'Transcript', exact: true });
  await expect(transcript).toBeVisible();

  const before = (await transcript.boundingBox())!;
  const title = transcript.locator('.morph-titlebar');
  const t = (await title.boundingBox())!;
  await page.mouse.move(t.x + 120, t.y + 10);
  await page.mouse.down();
  await page.mouse.move(t.x + 20, t.y - 200, { steps: 5 });
  await page.mouse.up();
  const moved = (await transcript.boundingBox())!;
  expect(Math.round(moved.x - before.x)).toBe(-100);
  expect(Math.round(moved.y - before.y)).toBe(-210);

  const grip = transcript.getByRole('button', { name: 'Resize' });
  const g = (await grip.boundingBox())!;
  await page.mouse.move(g.x + 5, g.y + 5);
  await page.mouse.down();
  await page.mouse.move(g.x + 85, g.y + 65, { steps: 4 });
  await page.mouse.up();
  const resized = (await transcript.boundingBox())!;
  expect(Math.round(resized.width - moved.width)).toBe(80);
  expect(Math.round(resized.height - moved.height)).toBe(60);

  await transcript.getByRole('button', { name: 'Collapse' }).click();
  await expect(transcript.getByRole('log')).toHaveCount(0);
  await transcript.getByRole('button', { name: 'Expand' }).click();
  await expect(transcript.getByRole('log', { name: 'Transcript output' })).toBeVisible();

  // Keyboard: arrows on the focused title bar move the window.
  await title.focus();
  const k0 = (await transcript.boundingBox())!;
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  const k1 = (await transcript.boundingBox())!;
  expect(Math.round(k1.x - k0.x)).toBe(16);
  expect(Math.round(k1.y - k0.y)).toBe(16);

  await transcript.getByRole('button', { name: 'Close' }).click();
  await expect(transcript).toHaveCount(0);
});

test('alt-click shows a halo that clones, inspects, brings to front and closes', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html[data-world-ready]')).toBeAttached();
  const menu = page.getByRole('navigation', { name: 'World menu' });
  await menu.getByRole('button', { name: 'Transcript', exact: true }).click();
  const transcript = page.getByRole('dialog', { name: 'Transcript', exact: true });
  await transcript.locator('.morph-title').click({ modifiers: ['Alt'] });
  const halo = page.getByRole('toolbar', { name: 'Halo for Transcript' });
  await expect(halo).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/ide-halo.png` });

  await halo.getByRole('button', { name: 'Clone' }).click();
  await expect(page.getByRole('dialog', { name: 'Transcript', exact: true })).toHaveCount(2);
  await page.getByRole('toolbar', { name: 'Halo for Transcript' }).getByRole('button', { name: 'Inspect' }).click();
  const inspector = page.getByRole('dialog', { name: 'Morph: Transcript' });
  await expect(inspector).toContainText('transcript');
  await expect(inspector).toContainText('position');

  await transcript.first().locator('.morph-title').click({ modifiers: ['Alt'] });
  await page.getByRole('toolbar', { name: 'Halo for Transcript' }).getByRole('button', { name: 'Bring to front' }).click();
  const zFirst = await page.getByRole('dialog', { name: 'Transcript', exact: true }).first().evaluate((el) => Number(getComputedStyle(el).zIndex));
  const zInspector = await inspector.evaluate((el) => Number(getComputedStyle(el).zIndex));
  expect(zFirst).toBeGreaterThan(zInspector);
  await page.getByRole('toolbar', { name: 'Halo for Transcript' }).getByRole('button', { name: 'Close' }).click();
  await expect(page.getByRole('dialog', { name: 'Transcript', exact: true })).toHaveCount(1);
});

test('Monaco loads only when a workspace first opens, from the app itself', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script' || r.url().includes('worker')) scripts.push(r.url());
  });
  await page.goto('/');
  await expect(page.locator('html[data-world-ready]')).toBeAttached();
  await expect(page.getByRole('main', { name: 'World' })).toBeVisible();
  expect(scripts.some((u) => u.includes('monaco'))).toBe(false);
  await page.keyboard.press('Control+k');
  const spotter = page.getByRole('dialog', { name: 'Spotter' });
  await expect(spotter).toBeVisible();
  await page.keyboard.type('workspace');
  await page.keyboard.press('Enter');
  const ws = page.getByRole('dialog', { name: 'Workspace' });
  await expect(ws.getByRole('textbox', { name: 'Workspace code' })).toBeAttached();
  await expect(ws.locator('.code-editor[data-loaded="true"]')).toBeVisible();
  expect(scripts.some((u) => u.includes('monaco'))).toBe(true);
  for (const u of scripts) expect(new URL(u).host).toBe(new URL(page.url()).host);
  await page.screenshot({ path: `${screenshotDir}/ide-workspace.png` });
});

test('the keyboard reaches windows and halos: Alt+` cycles windows, Alt+H shows the halo, Escape dismisses it', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html[data-world-ready]')).toBeAttached();
  await page.keyboard.press('Alt+Backquote');
  const focusedTitle = page.locator('.morph-titlebar:focus');
  await expect(focusedTitle).toHaveCount(1);
  const first = await focusedTitle.locator('.morph-title').innerText();
  await page.keyboard.press('Alt+Backquote');
  await expect(focusedTitle.locator('.morph-title')).not.toHaveText(first);
  await page.keyboard.press('Alt+h');
  const halo = page.getByRole('toolbar', { name: /^Halo for / });
  await expect(halo).toBeVisible();
  await expect(halo.getByRole('button', { name: 'Close' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(halo).toHaveCount(0);
});

test('the IDE follows a dark system setting', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  await expect(page.locator('html[data-world-ready]')).toBeAttached();
  const bg = await page.getByRole('main', { name: 'World' }).evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(bg).toBe('rgb(30, 32, 36)');
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Workspace' }).click();
  await expect(page.locator('.code-editor[data-loaded="true"]')).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/ide-dark.png` });
});

test('a running evaluation shows in its workspace until it ends', async ({ page }) => {
  await openIde(page);
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Workspace' }).click();
  const ws = windowNamed(page, 'Workspace').last();
  await expect(ws.locator('.code-editor[data-loaded="true"]')).toBeVisible({ timeout: 30_000 });
  // Warm up the sandbox, so what follows measures the evaluation itself.
  await setEditorText(page, ws, 'Workspace code', '1 + 1');
  await ws.getByRole('button', { name: 'Print it' }).click();
  await expect.poll(() => editorText(ws), { timeout: 30_000 }).toContain('2');
  const running = ws.getByRole('status', { name: 'Evaluation running' });
  await expect(running).toHaveCount(0);
  // Nearly a second of work (under the one-second deadline): the workspace says it is running.
  const code = 'const t = Date.now(); while (Date.now() - t < 900) {} 6 * 7';
  await setEditorText(page, ws, 'Workspace code', code);
  await ws.getByRole('button', { name: 'Print it' }).click();
  await expect(running).toBeVisible();
  await expect(running).toContainText('Running');
  await expect(ws.getByRole('toolbar', { name: 'Workspace actions' })).toHaveAttribute('aria-busy', 'true');
  await expect.poll(() => editorText(ws), { timeout: 30_000 }).toContain('42');
  await expect(running).toHaveCount(0);
  await expect(ws.getByRole('toolbar', { name: 'Workspace actions' })).toHaveAttribute('aria-busy', 'false');
});
