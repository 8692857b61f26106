// IDE benchmarks in Chromium: cold load to an interactive world against a blank Vite +
// React page built the same way; an outliner on a 5,000-slot object (click to painted,
// scroll frame times) against one on a 10-slot object; dragging a window in a world of
// 100 windows against a world of one. Needs `dist/` (npm run bench builds it).
import { createServer, type Server } from 'node:http';
import { readFile, mkdtemp, writeFile, rm, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { printTable, percentiles, type BenchRow } from './lib';

const ROOT = resolve(import.meta.dirname, '..');
const LOADS = Number(process.env.IDE_BENCH_LOADS ?? 7);
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
};

/** One static server for both pages, so they are served alike. */
function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = join(dir, path === '/' ? 'index.html' : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })),
  );
}

/** A blank Vite + React page that marks when it has rendered, built like the app. */
async function buildBaseline(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'telos-blank-'));
  await mkdir(join(dir, 'src'));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><html lang="en"><head><meta charset="UTF-8"><title>blank</title></head><body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>',
  );
  await writeFile(
    join(dir, 'src/main.tsx'),
    `import { useEffect } from 'react';
import { createRoot } from 'react-dom/client';
function Blank() {
  useEffect(() => { document.documentElement.dataset.worldReady = 'true'; performance.mark('telos:world-ready'); }, []);
  return <main aria-label="World">blank</main>;
}
createRoot(document.getElementById('root')!).render(<Blank />);
`,
  );
  await build({
    root: dir,
    logLevel: 'silent',
    plugins: [react()],
    resolve: { alias: { react: join(ROOT, 'node_modules/react'), 'react-dom': join(ROOT, 'node_modules/react-dom') } },
    build: { outDir: join(dir, 'dist'), target: 'es2022' },
  });
  return dir;
}

/** Milliseconds from navigation to the IDE shell rendering and to the World being ready. */
async function coldLoad(browser: Browser, url: string): Promise<{ ide: number; world: number }> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(url);
  await page.waitForSelector('html[data-world-ready]', { state: 'attached', timeout: 60_000 });
  const marks = await page.evaluate(() => ({
    ide: (performance.getEntriesByName('telos:ide-ready')[0] ?? performance.getEntriesByName('telos:world-ready')[0])!.startTime,
    world: performance.getEntriesByName('telos:world-ready')[0]!.startTime,
  }));
  await ctx.close();
  return marks;
}

/** Frame intervals (ms) while `action` runs, from requestAnimationFrame. */
async function frameTimes(page: Page, action: () => Promise<void>): Promise<number[]> {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__frames = [];
    w.__stop = false;
    let last = performance.now();
    const tick = (t: number) => {
      w.__frames.push(t - last);
      last = t;
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await action();
  return page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__stop = true;
    return w.__frames.slice(1);
  });
}

type Studio = {
  telosStudio: {
    view: { getState(): { openWindow(w: unknown): string; windows: { id: string }[]; replaceWindows(w: unknown[]): void } };
    world(): null | { evaluate(src: string): Promise<{ ok: boolean; value: unknown }> };
  };
};

async function dragFrames(page: Page, windows: number): Promise<number[]> {
  await page.evaluate((n) => {
    const s = (window as unknown as Studio).telosStudio.view.getState();
    s.replaceWindows([]);
    for (let i = 0; i < n; i++) {
      s.openWindow({
        kind: 'inspector',
        title: `Window ${i}`,
        target: { data: { value: i, printString: String(i) } },
        x: 20 + (i % 10) * 90,
        y: 60 + Math.floor(i / 10) * 50,
        w: 260,
        h: 160,
      });
    }
  }, windows);
  await page.waitForTimeout(300);
  const title = page.getByRole('dialog', { name: `Window ${windows - 1}`, exact: true }).locator('.morph-titlebar');
  const box = (await title.boundingBox())!;
  return frameTimes(page, async () => {
    await page.mouse.move(box.x + 60, box.y + 8);
    await page.mouse.down();
    for (let i = 1; i <= 60; i++) await page.mouse.move(box.x + 60 + i * 4, box.y + 8 + Math.sin(i / 6) * 60);
    await page.mouse.up();
  });
}

/** Builds an object with `n` data slots through the workspace language; returns its oid. */
async function makeObject(page: Page, n: number): Promise<number | null> {
  await page.waitForFunction(() => (window as unknown as Studio).telosStudio.world() !== null);
  return page.evaluate(async (count) => {
    const world = (window as unknown as Studio).telosStudio.world();
    if (!world) return null;
    const r = await world.evaluate(`
      const o = self.BaseObject.clone();
      const m = reflect(o);
      for (let i = 0; i < ${count}; i++) m.addSlot('s' + i, i, { kind: 'data', category: 'group' + (i % 20) });
      reflect(self).addSlot('bench${count}', o, { kind: 'data', category: 'bench' });
      return o;`);
    return r.ok && r.value && typeof r.value === 'object' && 'ref' in (r.value as object) ? (r.value as { ref: number }).ref : null;
  }, n);
}

async function outlinerOpen(page: Page, oid: number, name: string): Promise<{ open: number; frames: number[] }> {
  const { open, id } = await page.evaluate(
    ({ oid, name }) =>
      new Promise<{ open: number; id: string }>((ok, fail) => {
        const t0 = performance.now();
        const id = (window as unknown as Studio).telosStudio.view
          .getState()
          .openWindow({ kind: 'outliner', title: name, target: { oid }, x: 400, y: 60, w: 420, h: 600 });
        // Painted: the first slot row is in the DOM and a frame has been drawn with it.
        const check = () => {
          if (document.querySelector(`[data-window-id="${id}"] .slot-row`)) requestAnimationFrame(() => ok({ open: performance.now() - t0, id }));
          else if (performance.now() - t0 > 30_000) fail(new Error(`the outliner on ${name} did not paint within 30 s`));
          else requestAnimationFrame(check);
        };
        check();
      }),
    { oid, name },
  );
  const list = page.locator(`[data-window-id="${id}"] .vlist`);
  const box = (await list.boundingBox())!;
  await page.mouse.move(box.x + 100, box.y + 100);
  const frames = await frameTimes(page, async () => {
    for (let i = 0; i < 60; i++) {
      await page.mouse.wheel(0, 240);
      await page.waitForTimeout(16);
    }
  });
  return { open, frames };
}

async function main() {
  if (!existsSync(join(ROOT, 'dist/index.html'))) throw new Error('dist/ is missing: run `npx vite build` first');
  const baselineDir = await buildBaseline();
  const app = await serve(join(ROOT, 'dist'));
  const blank = await serve(join(baselineDir, 'dist'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    // Warm the OS file cache once for each, then alternate cold loads.
    await coldLoad(browser, app.url);
    await coldLoad(browser, blank.url);
    const ours: { ide: number; world: number }[] = [];
    const base: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      ours.push(await coldLoad(browser, app.url));
      base.push((await coldLoad(browser, blank.url)).world);
    }
    // A returning visit: the image exists in IndexedDB; reload the same context.
    const again: number[] = [];
    const againBase: number[] = [];
    for (const [url, out] of [[app.url, again], [blank.url, againBase]] as const) {
      const c = await browser.newContext();
      const p = await c.newPage();
      await p.goto(url);
      await p.waitForSelector('html[data-world-ready]', { state: 'attached', timeout: 60_000 });
      for (let i = 0; i < LOADS; i++) {
        await p.reload();
        await p.waitForSelector('html[data-world-ready]', { state: 'attached', timeout: 60_000 });
        out.push(await p.evaluate(() => performance.getEntriesByName('telos:world-ready')[0]!.startTime));
      }
      await c.close();
    }
    // Each load is a fresh browser context, so the World worker creates the image from
    // genesis in IndexedDB every time, as on a first visit.
    const rows: BenchRow[] = [
      {
        name: `cold load to interactive world, first visit (median of ${LOADS})`,
        ours: percentiles(ours.map((o) => o.world)).median,
        baseline: percentiles(base).median,
        unit: 'ms',
        baselineName: 'blank Vite + React page',
      },
      {
        name: `reload to interactive world, image exists (median of ${LOADS})`,
        ours: percentiles(again).median,
        baseline: percentiles(againBase).median,
        unit: 'ms',
        baselineName: 'blank Vite + React page, reloaded',
      },
      {
        name: `cold load to IDE shell rendered (median of ${LOADS})`,
        ours: percentiles(ours.map((o) => o.ide)).median,
        baseline: percentiles(base).median,
        unit: 'ms',
        baselineName: 'blank Vite + React page',
      },
    ];

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // tsx keeps function names with a helper the page does not have.
    await ctx.addInitScript('globalThis.__name = (f) => f');
    const page = await ctx.newPage();
    await page.goto(app.url);
    await page.waitForSelector('html[data-world-ready]', { state: 'attached' });

    const many = percentiles(await dragFrames(page, 100));
    const one = percentiles(await dragFrames(page, 1));
    rows.push(
      { name: 'drag with 100 windows: median frame', ours: many.median, baseline: one.median, unit: 'ms', baselineName: 'drag with 1 window' },
      { name: 'drag with 100 windows: p99 frame', ours: many.p99, baseline: one.p99, unit: 'ms', baselineName: 'drag with 1 window' },
    );

    page.on('crash', () => console.error('the page crashed'));
    page.on('console', (m) => m.type() === 'error' && console.error('page:', m.text()));
    const big = await makeObject(page, 5000);
    const small = await makeObject(page, 10);
    if (big !== null && small !== null) {
      await page.evaluate(() => (window as unknown as Studio).telosStudio.view.getState().replaceWindows([]));
      const b = await outlinerOpen(page, big, 'big');
      const s = await outlinerOpen(page, small, 'small');
      const bf = percentiles(b.frames);
      const sf = percentiles(s.frames);
      rows.push(
        { name: 'outliner on 5,000 slots: click to painted', ours: b.open, baseline: s.open, unit: 'ms', baselineName: 'outliner on 10 slots' },
        { name: 'outliner on 5,000 slots: scroll median frame', ours: bf.median, baseline: sf.median, unit: 'ms', baselineName: 'scroll on 10 slots' },
        { name: 'outliner on 5,000 slots: scroll p99 frame', ours: bf.p99, baseline: sf.p99, unit: 'ms', baselineName: 'scroll on 10 slots' },
      );
    } else {
      console.log('(outliner measures skipped: the World is not connected in this build)');
    }
    await ctx.close();
    printTable('IDE in Chromium', rows);
  } finally {
    await browser.close();
    app.server.close();
    blank.server.close();
    await rm(baselineDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
