import { test, expect, screenshotDir } from './fixtures';

test('the page opens on an empty World canvas with a status bar and no console errors', async ({
  page,
  consoleErrors,
}) => {
  await page.goto('/');
  await expect(page).toHaveTitle('TelOS Studio');
  const world = page.getByRole('main', { name: 'World' });
  await expect(world).toBeVisible();
  const status = page.getByRole('status', { name: 'Status bar' });
  await expect(status).toBeVisible();
  await expect(status).toContainText('Image:');
  const box = await world.boundingBox();
  expect(box!.height).toBeGreaterThan(400);
  await page.screenshot({ path: `${screenshotDir}/world-canvas.png` });
  expect(consoleErrors).toEqual([]);
});

test('dragging the empty world pans it', async ({ page, consoleErrors }) => {
  await page.goto('/');
  const world = page.getByRole('main', { name: 'World' });
  const before = await world.evaluate((el) => getComputedStyle(el).backgroundPosition);
  await page.mouse.move(400, 300);
  await page.mouse.down();
  await page.mouse.move(300, 250, { steps: 5 });
  await page.mouse.up();
  const after = await world.evaluate((el) => getComputedStyle(el).backgroundPosition);
  expect(after).not.toEqual(before);
  expect(consoleErrors).toEqual([]);
});
