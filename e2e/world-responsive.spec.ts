// A runaway loop in the Workspace runs in the World worker: the page keeps painting and
// answering clicks while it runs, the evaluation ends at the deadline with SandboxLimit, and
// the image is as it was.
import { test, expect } from './fixtures';
import { openIde, setEditorText, windowNamed } from './ide-helpers';

interface Timeline {
  /** performance.now() when Do it was clicked. */
  clickedAt: number;
  /** When a second Workspace window (opened by a click during the loop) appeared. */
  secondWorkspaceAt: number | null;
  /** When the debugger on the evaluation's error appeared. */
  debuggerAt: number | null;
  /** requestAnimationFrame timestamps from the click to the debugger. */
  frames: number[];
}

test('a runaway loop leaves the page responsive, stops at the deadline and leaves the image unchanged', async ({ page }) => {
  await openIde(page);
  const menu = page.getByRole('navigation', { name: 'World menu' });
  await menu.getByRole('button', { name: 'Workspace' }).click();
  const ws = windowNamed(page, 'Workspace');
  await expect(ws).toHaveCount(1);
  // One line: Do it runs the current line when nothing is selected.
  await setEditorText(page, ws, 'Workspace code', 'self.Circle.radius = 99; while (true) {}');

  // Everything time-critical happens inside the page, so Playwright's own latency on a busy
  // machine cannot blur it: click Do it, 150 ms later click the World menu's Workspace
  // button, and note when each window appears and every animation frame in between.
  const timeline = await page.evaluate(async (): Promise<Timeline> => {
    const byName = (name: string) =>
      [...document.querySelectorAll<HTMLElement>('[role="dialog"]')].filter((d) => {
        const labelledBy = d.getAttribute('aria-labelledby');
        const label = d.getAttribute('aria-label') ?? (labelledBy ? document.getElementById(labelledBy)?.textContent : '') ?? '';
        return label.trim().startsWith(name);
      });
    const doIt = [...byName('Workspace')[0]!.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Do it')!;
    const openWorkspace = [...document.querySelectorAll<HTMLElement>('nav button')].find((b) => b.textContent?.trim() === 'Workspace')!;
    const t: Timeline = { clickedAt: 0, secondWorkspaceAt: null, debuggerAt: null, frames: [] };
    return new Promise<Timeline>((resolve, reject) => {
      const seen = new MutationObserver(() => {
        const now = performance.now();
        if (t.secondWorkspaceAt === null && byName('Workspace').length >= 2) t.secondWorkspaceAt = now;
        if (t.debuggerAt === null && byName('Debugger').length > 0) {
          t.debuggerAt = now;
          seen.disconnect();
          resolve(t);
        }
      });
      seen.observe(document.body, { childList: true, subtree: true, attributes: true });
      const tick = (ts: number) => {
        if (t.debuggerAt !== null) return;
        t.frames.push(ts);
        requestAnimationFrame(tick);
      };
      t.clickedAt = performance.now();
      doIt.click();
      requestAnimationFrame(tick);
      setTimeout(() => openWorkspace.click(), 150);
      setTimeout(() => reject(new Error(`no debugger after 20 s: ${JSON.stringify({ ...t, frames: t.frames.length })}`)), 20_000);
    });
  });

  const gaps = timeline.frames.slice(1).map((f, i) => f - timeline.frames[i]!);
  test.info().annotations.push({
    type: 'timeline',
    description: `debugger after ${Math.round(timeline.debuggerAt! - timeline.clickedAt)} ms; second Workspace after ${Math.round(timeline.secondWorkspaceAt! - timeline.clickedAt)} ms; ${timeline.frames.length} frames, longest gap ${Math.round(Math.max(...gaps))} ms`,
  });
  // The loop ran for the whole default deadline (1 s) before the debugger appeared ...
  expect(timeline.debuggerAt! - timeline.clickedAt).toBeGreaterThan(900);
  // ... and meanwhile the other click was handled, long before the loop ended,
  expect(timeline.secondWorkspaceAt).not.toBeNull();
  expect(timeline.secondWorkspaceAt!).toBeLessThan(timeline.debuggerAt!);
  expect(timeline.secondWorkspaceAt! - timeline.clickedAt).toBeLessThan(700);
  // ... and frames kept coming: no gap of half a second, and many frames over the second.
  expect(Math.max(...gaps)).toBeLessThan(500);
  expect(timeline.frames.length).toBeGreaterThan(10);

  // The evaluation ended with SandboxLimit naming the deadline.
  const dbg = page.getByRole('dialog', { name: /^Debugger: SandboxLimit/ });
  await expect(dbg).toBeVisible();
  await expect(dbg.getByRole('alert').first()).toContainText('deadline limit reached: ran longer than 1000 ms');

  // The assignment before the loop was aborted with it: the image is unchanged.
  const radius = await page.evaluate(async () => {
    const studio = (globalThis as unknown as { telosStudio: { world: () => { evaluate(s: string): Promise<{ ok: boolean; printString?: string }> } } }).telosStudio;
    return studio.world().evaluate('self.Circle.radius');
  });
  expect(radius).toMatchObject({ ok: true, printString: '1' });
});
