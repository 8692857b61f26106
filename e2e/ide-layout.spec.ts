import { test, expect, screenshotDir } from './fixtures';
import { openIde, openFromSpotter, windowNamed } from './ide-helpers';

test('windows dragged and resized are where they were after a reload', async ({ page }) => {
  await openIde(page);
  const circle = await openFromSpotter(page, 'Circle');
  const title = circle.locator('.morph-titlebar');
  const t = (await title.boundingBox())!;
  await page.mouse.move(t.x + 150, t.y + 10);
  await page.mouse.down();
  await page.mouse.move(t.x + 450, t.y + 110, { steps: 6 });
  await page.mouse.up();
  const grip = circle.getByRole('button', { name: 'Resize' });
  const g = (await grip.boundingBox())!;
  await page.mouse.move(g.x + 5, g.y + 5);
  await page.mouse.down();
  await page.mouse.move(g.x - 55, g.y + 45, { steps: 4 });
  await page.mouse.up();
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'History' }).click();
  await windowNamed(page, 'History').getByRole('button', { name: 'Collapse' }).click();
  const before = (await circle.boundingBox())!;
  // Layout writes are debounced; the page marks a change that is not yet written.
  await expect(page.locator('html[data-layout-saving]')).toHaveCount(0, { timeout: 15_000 });

  await page.reload();
  await openIde(page);
  const after = (await windowNamed(page, 'Circle').boundingBox())!;
  expect(after).toEqual(before);
  await expect(windowNamed(page, 'History').getByRole('button', { name: 'Expand' })).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/ide-layout-restored.png` });
});
