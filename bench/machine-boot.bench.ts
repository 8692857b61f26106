// The Machine in the page: click Boot to `TelOS: Root task alive and well.` on the Console,
// against booting the same kernel with v86 in Node (start to the same line); and the main
// thread's frame times while the kernel boots and runs, against the same page with the
// machine off. Needs `dist/` (npm run bench builds it) and images/build/telos.elf.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from '@playwright/test';
import { bootMachine, builtImagePath, readKernel } from '../src/machine/node';
import { percentiles, printTable, type BenchRow } from './lib';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = process.env.MACHINE_BENCH_DIST ?? join(ROOT, 'dist');
const RUNS = Number(process.env.MACHINE_BENCH_RUNS ?? 5);
const ALIVE = 'TelOS: Root task alive and well.';
const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

function serveDist(): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = join(DIST, path === '/' ? 'index.html' : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })),
  );
}

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

async function main(): Promise<void> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/ is missing: run `npx vite build` first');
  const kernel = await readKernel(builtImagePath('telos.elf'));
  const { server, url } = await serveDist();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    await nodeBoot(kernel); // warm the wasm compile cache of this process
    const node: number[] = [];
    const page: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      node.push(await nodeBoot(kernel));
      const p = await openMachinePage(browser, url);
      page.push(await clickBootUntil(p, ALIVE));
      await p.context().close();
    }

    // Frame times: the same page idle with the machine off, then booting and running.
    const p = await openMachinePage(browser, url);
    // Long tasks tell whether the main thread itself was blocked (frame gaps can also come
    // from the emulating worker and the rest of the machine taking the cores).
    const longTasks = () => p.evaluate(() => {
      const seen: number[] = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => seen.push(e.duration))).observe({ type: 'longtask' });
      (globalThis as unknown as { telosLongTasks: number[] }).telosLongTasks = seen;
    });
    const takeLongTasks = () => p.evaluate(() => {
      const t = (globalThis as unknown as { telosLongTasks: number[] }).telosLongTasks;
      return t.splice(0, t.length);
    });
    await longTasks();
    const idle = await frameTimes(p, 3000, false);
    const idleLong = await takeLongTasks();
    const running = p.evaluate(() => {
      const boot = [...document.querySelectorAll<HTMLButtonElement>('[aria-label="Machine"] button')].find((b) => b.textContent === 'Boot')!;
      boot.click();
    });
    const busy = await frameTimes(p, 3000, false);
    await running;
    const busyLong = await takeLongTasks();
    const shell = await frameTimes(p, 3000, true);
    const answered = ((await p.evaluate(() => (globalThis as unknown as { telosConsole: { text(): string } }).telosConsole.text())).match(/processes created by the PMS/g) ?? []).length;
    await p.context().close();

    const n = percentiles(node);
    const b = percentiles(page);
    const fi = percentiles(idle);
    const fb = percentiles(busy);
    const fs = percentiles(shell);
    const rows: BenchRow[] = [
      { name: `click Boot → "${ALIVE}" on the Console (median of ${RUNS})`, ours: b.median, baseline: n.median, unit: 'ms', baselineName: 'v86 in Node, new emulator → same line' },
      { name: 'frame time, median, while booting', ours: fb.median, baseline: fi.median, unit: 'ms', baselineName: 'same page, machine off' },
      { name: 'frame time, p99, while booting', ours: fb.p99, baseline: fi.p99, unit: 'ms', baselineName: 'same page, machine off' },
      { name: 'frame time, p99, running + typing ps twice a second', ours: fs.p99, baseline: fi.p99, unit: 'ms', baselineName: 'same page, machine off' },
      { name: 'main-thread long tasks (>50 ms) while booting, total ms', ours: busyLong.reduce((a, b) => a + b, 0), baseline: Math.max(1e-9, idleLong.reduce((a, b) => a + b, 0)), unit: 'ms', baselineName: 'same page, machine off' },
      { name: 'frames longer than 50 ms while booting', ours: busy.filter((g) => g > 50).length, baseline: Math.max(1e-9, idle.filter((g) => g > 50).length), unit: 'frames', baselineName: 'same page, machine off' },
    ];
    printTable('Machine: boot in the page vs Node, main-thread frames while TelOS runs', rows);
    console.log(`ps answered ${answered} times during the typing measure`);
    console.log(`page boot runs (ms): ${page.map((x) => x.toFixed(0)).join(', ')}; node boot runs (ms): ${node.map((x) => x.toFixed(0)).join(', ')}`);
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
