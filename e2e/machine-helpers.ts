// Helpers the Machine specs share: open the IDE, open the Machine and Console windows,
// press power buttons, and read the console as the terminal shows it (scrollback included).
import { expect, type Locator, type Page } from '@playwright/test';

export async function openIdeForMachine(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.locator('html[data-world-ready]')).toBeAttached({ timeout: 30_000 });
}

/** Opens the Machine window (world menu) and its Console; answers both. */
export async function openMachineWindows(page: Page): Promise<{ machine: Locator; console: Locator }> {
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Machine', exact: true }).click();
  const machine = page.getByRole('dialog', { name: 'Machine', exact: true });
  await expect(machine).toBeVisible();
  await expect(machine.getByRole('button', { name: 'Boot', exact: true })).toBeVisible({ timeout: 20_000 });
  await machine.getByRole('button', { name: 'Open console' }).click();
  const console = page.getByRole('region', { name: 'Console', exact: true });
  await expect(console.locator('.xterm')).toBeVisible({ timeout: 20_000 });
  return { machine, console };
}

export function machineState(machine: Locator): Locator {
  return machine.getByRole('status', { name: 'Machine state' });
}

export async function press(machine: Locator, name: string): Promise<void> {
  const button = machine.getByRole('button', { name, exact: true });
  await expect(button).toBeEnabled({ timeout: 20_000 });
  await button.click();
}

/** Everything the Console window shows, scrollback included. */
export function consoleText(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as { telosConsole: { text(): string } }).telosConsole.text());
}

/** Waits until the console shows `text` (polling the terminal's buffer). */
export async function waitForConsole(page: Page, text: string | RegExp, timeout = 30_000): Promise<string> {
  let last = '';
  await expect
    .poll(
      async () => {
        last = await consoleText(page);
        return typeof text === 'string' ? last.includes(text) : text.test(last);
      },
      { timeout, message: `console to show ${String(text)}` },
    )
    .toBe(true);
  return last;
}
