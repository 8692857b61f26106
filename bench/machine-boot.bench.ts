// The Machine in the page: click Boot to `TelOS: Root task alive and well.` on the Console,
// against booting the same kernel with v86 in Node (start to the same line); and the main
// thread's frame times while the kernel boots and runs, against the same page with the
// machine off. Needs `dist/` (npm run bench builds it) and images/build/telos.elf.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { bootMachine, builtImagePath, readKernel } from '../src/machine/node';
import { median, percentiles, printTable, rowFromRuns, type BenchPhase, type BenchRow } from './lib';
import { launchChromium, mainThreadWork, serveDir, telosMarks } from './chromium';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = process.env.MACHINE_BENCH_DIST ?? join(ROOT, 'dist');
const ROUNDS = Number(process.env.MACHINE_BENCH_ROUNDS ?? 3);
const BOOTS = Number(process.env.MACHINE_BENCH_BOOTS ?? 3);
const ALIVE = 'TelOS: Root task alive and well.';

/** Node: new emulator to the root task's line, on a fresh disk. */
async function nodeBoot(kernel: ArrayBuffer): Promise<number> {
  const t0 = performance.now();
  const m = await bootMachine({ kernel, disk: new ArrayBuffer(4 << 20) });
  await m.waitForText(0, ALIVE, 30_000);
  const ms = performance.now() - t0;
  await m.powerOff();
  return ms;
}

/** Opens the IDE on a fresh profile with the Machine and Console windows ready. */
async function openMachinePage(browser: Browser, url: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // tsx keeps function names with a `__name` helper, which code sent to the page needs too.
  await ctx.addInitScript('globalThis.__name = (f) => f;');
  const page = await ctx.newPage();
  await page.goto(url);
  await page.waitForSelector('html[data-world-ready]', { state: 'attached', timeout: 60_000 });
  await page.getByRole('navigation', { name: 'World menu' }).getByRole('button', { name: 'Machine', exact: true }).click();
  const machine = page.getByRole('dialog', { name: 'Machine', exact: true });
  await machine.getByRole('button', { name: 'Boot', exact: true }).waitFor({ timeout: 30_000 });
  await machine.getByRole('button', { name: 'Open console' }).click();
  await page.getByRole('region', { name: 'Console' }).locator('.xterm').waitFor({ timeout: 30_000 });
  return page;
}

/** In the page: click Boot, wait until the Console shows `text`; ms from the click. */
function clickBootUntil(page: Page, text: string): Promise<number> {
  return page.evaluate(async (line) => {
    const boot = [...document.querySelectorAll<HTMLButtonElement>('[aria-label="Machine"] button')].find((b) => b.textContent === 'Boot')!;
    const console = (globalThis as unknown as { telosConsole: { text(): string } }).telosConsole;
    const t0 = performance.now();
    // The machine worker's telos:machine-* marks are timed from here.
    performance.mark('telos:machine-boot-clicked');
    boot.click();
    await new Promise<void>((done) => {
      const look = () => (console.text().includes(line) ? done() : requestAnimationFrame(look));
      look();
    });
    return performance.now() - t0;
  }, text);
}

/** Frame intervals (ms) on the main thread over `ms`; with `typePs`, `ps` is typed into the
 * Console every half second meanwhile (real key presses), so the shell answers. */
async function frameTimes(page: Page, ms: number, typePs: boolean): Promise<number[]> {
  const measuring = page.evaluate(
    async ({ ms }) => {
      const gaps: number[] = [];
      let last = performance.now();
      const end = last + ms;
      await new Promise<void>((done) => {
        const frame = (now: number) => {
          gaps.push(now - last);
          last = now;
          if (now < end) requestAnimationFrame(frame);
          else done();
        };
        requestAnimationFrame(frame);
      });
      return gaps.slice(1);
    },
    { ms },
  );
  if (typePs) {
    await page.getByRole('region', { name: 'Console' }).locator('.xterm').click();
    const until = Date.now() + ms - 600;
    while (Date.now() < until) {
      await page.keyboard.type('ps');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(500);
    }
  }
  return measuring;
}

/** The main thread's long tasks (> 50 ms), recorded from now until taken. */
async function watchLongTasks(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(() => {
    const seen: number[] = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => seen.push(e.duration))).observe({ type: 'longtask' });
    (globalThis as unknown as { telosLongTasks: number[] }).telosLongTasks = seen;
  });
  return () =>
    page.evaluate(() => {
      const t = (globalThis as unknown as { telosLongTasks: number[] }).telosLongTasks;
      return t.splice(0, t.length);
    });
}

interface FrameRound {
  idle: number[];
  booting: number[];
  shell: number[];
  idleLong: number[];
  bootLong: number[];
  bootWork: Record<string, number>;
  answered: number;
}

/** One page: frames idle with the machine off, then while it boots, then while it runs with
 * `ps` typed twice a second. */
async function frameRound(browser: Browser, url: string): Promise<FrameRound> {
  const p = await openMachinePage(browser, url);
  try {
    // Long tasks tell whether the main thread itself was blocked (frame gaps can also come
    // from the emulating worker and the rest of the machine taking the cores).
    const takeLongTasks = await watchLongTasks(p);
    const idle = await frameTimes(p, 3000, false);
    const idleLong = await takeLongTasks();
    const { result: booting, work: bootWork } = await mainThreadWork(p, async () => {
      const running = p.evaluate(() => {
        const boot = [...document.querySelectorAll<HTMLButtonElement>('[aria-label="Machine"] button')].find((b) => b.textContent === 'Boot')!;
        boot.click();
      });
      const frames = await frameTimes(p, 3000, false);
      await running;
      return frames;
    });
    const bootLong = await takeLongTasks();
    const shell = await frameTimes(p, 3000, true);
    const answered = ((await p.evaluate(() => (globalThis as unknown as { telosConsole: { text(): string } }).telosConsole.text())).match(/processes created by the PMS/g) ?? []).length;
    return { idle, booting, shell, idleLong, bootLong, bootWork, answered };
  } finally {
    await p.context().close();
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/ is missing: run `npx vite build` first');
  const kernel = await readKernel(builtImagePath('telos.elf'));
  const { server, url } = await serveDir(DIST);
  const browser = await launchChromium();
  try {
    await nodeBoot(kernel); // warm the wasm compile cache of this process
    const boots: { node: number[]; page: number[]; marks: Record<string, number>[] }[] = [];
    const frames: FrameRound[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const b = { node: [] as number[], page: [] as number[], marks: [] as Record<string, number>[] };
      for (let i = 0; i < BOOTS; i++) {
        b.node.push(await nodeBoot(kernel));
        const p = await openMachinePage(browser, url);
        b.page.push(await clickBootUntil(p, ALIVE));
        b.marks.push(await telosMarks(p));
        await p.context().close();
      }
      boots.push(b);
      frames.push(await frameRound(browser, url));
    }

    // The machine worker's marks (telos:machine-*), as ms after the click.
    const bootPhases: BenchPhase[] = [...new Set(boots.flatMap((b) => b.marks.flatMap((m) => Object.keys(m))))]
      .filter((name) => name.startsWith('telos:machine-'))
      .map((name) => ({
        name: name.slice('telos:machine-'.length),
        value: median(boots.flatMap((b) => b.marks.map((m) => (m[name] !== undefined && m['telos:machine-boot-clicked'] !== undefined ? m[name]! - m['telos:machine-boot-clicked']! : NaN))).filter(Number.isFinite)),
      }))
      .filter((p) => Number.isFinite(p.value))
      .sort((a, b) => a.value - b.value);
    const bestFrames = frames.reduce((a, b) => (percentiles(b.booting).p99 / percentiles(b.idle).p99 < percentiles(a.booting).p99 / percentiles(a.idle).p99 ? b : a));
    const rows: BenchRow[] = [
      rowFromRuns(
        { name: `click Boot → "${ALIVE}" on the Console (median of ${BOOTS})`, unit: 'ms', baselineName: 'v86 in Node, new emulator → same line', phases: bootPhases },
        boots.map((b) => ({ ours: median(b.page), baseline: median(b.node) })),
      ),
      rowFromRuns(
        { name: 'frame time, median, while booting', unit: 'ms', baselineName: 'same page, machine off' },
        frames.map((f) => ({ ours: percentiles(f.booting).median, baseline: percentiles(f.idle).median })),
      ),
      rowFromRuns(
        {
          name: 'frame time, p99, while booting',
          unit: 'ms',
          baselineName: 'same page, machine off',
          phases: [
            ...Object.entries(bestFrames.bootWork).map(([k, v]) => ({ name: `main thread ${k} over the 3 s`, value: v })),
            { name: 'longest frame', value: percentiles(bestFrames.booting).max },
          ],
        },
        frames.map((f) => ({ ours: percentiles(f.booting).p99, baseline: percentiles(f.idle).p99 })),
      ),
      rowFromRuns(
        { name: 'longest frame while booting', unit: 'ms', baselineName: 'same page, machine off' },
        frames.map((f) => ({ ours: percentiles(f.booting).max, baseline: percentiles(f.idle).max })),
      ),
      rowFromRuns(
        { name: 'frame time, p99, running + typing ps twice a second', unit: 'ms', baselineName: 'same page, machine off' },
        frames.map((f) => ({ ours: percentiles(f.shell).p99, baseline: percentiles(f.idle).p99 })),
      ),
      rowFromRuns(
        { name: 'main-thread long tasks (>50 ms) while booting, total', unit: 'ms', baselineName: 'same page, machine off' },
        frames.map((f) => ({ ours: sum(f.bootLong), baseline: sum(f.idleLong) })),
      ),
      rowFromRuns(
        { name: 'frames longer than 50 ms while booting', unit: 'frames', baselineName: 'same page, machine off' },
        frames.map((f) => ({ ours: f.booting.filter((g) => g > 50).length, baseline: f.idle.filter((g) => g > 50).length })),
      ),
      rowFromRuns(
        { name: 'frames longer than 100 ms while booting', unit: 'frames', baselineName: 'same page, machine off' },
        frames.map((f) => ({ ours: f.booting.filter((g) => g > 100).length, baseline: f.idle.filter((g) => g > 100).length })),
      ),
    ];
    printTable('Machine: boot in the page vs Node, main-thread frames while TelOS runs', rows);
    console.log(`ps answered ${frames.map((f) => f.answered).join(', ')} times during the typing measures`);
    console.log(`page boot runs (ms): ${boots.map((b) => b.page.map((x) => x.toFixed(0)).join(', ')).join(' | ')}; node boot runs (ms): ${boots.map((b) => b.node.map((x) => x.toFixed(0)).join(', ')).join(' | ')}`);
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
