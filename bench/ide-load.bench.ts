// IDE benchmarks in Chromium, each measured in ROUNDS rounds (best ratio reported, every
// round listed): cold load and reload to the World against a blank Vite + React page built
// the same way (with the phases of the load from the page's and the World worker's
// `telos:*` performance marks); reload with the service worker the app installs (as users
// get it) and without it; an outliner on a 5,000-slot object (click to painted, scroll
// frame times) against one on a 10-slot object; dragging a window in a world of 100 windows
// against a world of one (with the main thread's work per frame). Needs `dist/` (npm run
// bench builds it).
import { mkdtemp, writeFile, rm, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { median, percentiles, printTable, rowFromRuns, type BenchPhase, type BenchRow, type BenchRun } from './lib';
import { frameTimes, launchChromium, mainThreadWork, serveDir, telosMarks } from './chromium';

const ROOT = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.IDE_BENCH_ROUNDS ?? 3);
const LOADS = Number(process.env.IDE_BENCH_LOADS ?? 5);

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

/** The load's phases in the order they happen, by the marks' names. */
const PHASES: [mark: string, label: string][] = [
  ['page script loaded', 'page script loaded'],
  ['telos:world-worker-created', 'World worker created'],
  ['telos:ide-ready', 'shell rendered'],
  ['telos:world-painted', 'World painted'],
  ['telos:world-worker-start', 'worker script running'],
  ['telos:world-session-open', 'image open'],
  ['telos:world-ready', 'World connected'],
  ['telos:world-quickjs-ready', 'QuickJS compiled'],
  ['telos:world-sandbox-ready', 'sandbox ready'],
];

/** Median time of each phase over several loads, in the order the phases happen. */
function phasesOf(loads: Record<string, number>[]): BenchPhase[] {
  const known = new Set(PHASES.map(([m]) => m));
  const extra = [...new Set(loads.flatMap((l) => Object.keys(l)))].filter((m) => !known.has(m)).map((m): [string, string] => [m, m]);
  return [...PHASES, ...extra]
    .map(([mark, label]) => ({ name: label, value: median(loads.map((l) => l[mark]).filter((t): t is number => t !== undefined)) }))
    .filter((p) => Number.isFinite(p.value))
    .sort((a, b) => a.value - b.value);
}

/** The World is connected (the worker answers, the layout is restored): every test waits for it. */
const waitConnected = (page: Page) => page.waitForSelector('html[data-world-ready]', { state: 'attached', timeout: 120_000 });

/** One first visit in a new browser profile: the page's and the worker's marks. */
async function coldLoad(browser: Browser, url: string): Promise<Record<string, number>> {
  const ctx = await browser.newContext();
  try {
    const page = await ctx.newPage();
    await page.goto(url);
    await waitConnected(page);
    return await telosMarks(page);
  } finally {
    await ctx.close();
  }
}

/** Returning visits: the image exists; `LOADS` reloads of one profile. With `serviceWorker`
 * the app's service worker (installed by the first visit) answers the reloads. */
async function reloads(browser: Browser, url: string, serviceWorker: boolean): Promise<Record<string, number>[]> {
  const ctx: BrowserContext = await browser.newContext({ serviceWorkers: serviceWorker ? 'allow' : 'block' });
  try {
    const page = await ctx.newPage();
    await page.goto(url);
    await waitConnected(page);
    if (serviceWorker) {
      const installed = await page.evaluate(() =>
        'serviceWorker' in navigator
          ? Promise.race([navigator.serviceWorker.ready.then(() => true), new Promise<boolean>((ok) => setTimeout(() => ok(false), 120_000))])
          : false,
      );
      if (!installed) console.log('(the service worker did not become active within 120 s: the reloads ran without it)');
    }
    const out: Record<string, number>[] = [];
    for (let i = 0; i < LOADS; i++) {
      await page.reload();
      await waitConnected(page);
      if (serviceWorker && !(await page.evaluate(() => navigator.serviceWorker?.controller != null)))
        console.log('(a reload was not served by the service worker)');
      out.push(await telosMarks(page));
    }
    return out;
  } finally {
    await ctx.close();
  }
}

type Studio = {
  telosStudio: {
    view: { getState(): { openWindow(w: unknown): string; windows: { id: string }[]; replaceWindows(w: unknown[]): void; closeWindow(id: string): void } };
    world(): null | { evaluate(src: string): Promise<{ ok: boolean; value?: unknown; error?: { message: string } }> };
  };
};

async function dragFrames(page: Page, windows: number): Promise<{ frames: number[]; work: Record<string, number> }> {
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
  const { result: frames, work } = await mainThreadWork(page, () =>
    frameTimes(page, async () => {
      await page.mouse.move(box.x + 60, box.y + 8);
      await page.mouse.down();
      for (let i = 1; i <= 60; i++) await page.mouse.move(box.x + 60 + i * 4, box.y + 8 + Math.sin(i / 6) * 60);
      await page.mouse.up();
    }),
  );
  return { frames, work };
}

/** Runs workspace code through the World link; throws with the World's reason. */
async function evaluate(page: Page, source: string): Promise<unknown> {
  await page.waitForFunction(() => (window as unknown as Studio).telosStudio.world() !== null);
  const r = await page.evaluate(async (src) => {
    const world = (window as unknown as Studio).telosStudio.world()!;
    const out = await world.evaluate(src);
    return { ok: out.ok, value: out.value ?? null, error: out.error?.message ?? null };
  }, source);
  if (!r.ok) throw new Error(r.error ?? 'the evaluation failed');
  return r.value;
}

/** Builds an object with `n` data slots through the workspace language (in evaluations of
 * a few hundred slots, each well inside the default 1 s deadline); returns its oid. */
async function makeObject(page: Page, n: number): Promise<number> {
  const name = `bench${n}`;
  const made = await evaluate(page, `const o = self.BaseObject.clone(); reflect(self).addSlot('${name}', o, { kind: 'data', category: 'bench' }); return o;`);
  const oid = made && typeof made === 'object' && 'ref' in made ? (made as { ref: number }).ref : null;
  if (oid === null) throw new Error(`making ${name} answered ${JSON.stringify(made)}`);
  for (let from = 0; from < n; from += 200) {
    const to = Math.min(n, from + 200);
    await evaluate(page, `const m = reflect(self.${name}); for (let i = ${from}; i < ${to}; i++) m.addSlot('s' + i, i, { kind: 'data', category: 'group' + (i % 20) });`);
  }
  return oid;
}

async function outlinerOpen(page: Page, oid: number, name: string): Promise<{ open: number; frames: number[]; work: Record<string, number> }> {
  const { result, work } = await mainThreadWork(page, () =>
    page.evaluate(
      ({ oid, name }) =>
        new Promise<{ open: number; id: string }>((ok, fail) => {
          const t0 = performance.now();
          const id = (window as unknown as Studio).telosStudio.view
            .getState()
            .openWindow({ kind: 'outliner', title: name, target: { oid }, x: 400, y: 60, w: 420, h: 600 });
          // Painted: the first slot row is in the DOM and a frame has been drawn with it.
          const check = () => {
            if (document.querySelector(`[data-window-id="${id}"] .slot-row`)) requestAnimationFrame(() => ok({ open: performance.now() - t0, id }));
            else if (performance.now() - t0 > 60_000) fail(new Error(`the outliner on ${name} did not paint within 60 s`));
            else requestAnimationFrame(check);
          };
          check();
        }),
      { oid, name },
    ),
  );
  const list = page.locator(`[data-window-id="${result.id}"] .vlist`);
  const box = (await list.boundingBox())!;
  await page.mouse.move(box.x + 100, box.y + 100);
  const frames = await frameTimes(page, async () => {
    for (let i = 0; i < 60; i++) {
      await page.mouse.wheel(0, 240);
      await page.waitForTimeout(16);
    }
  });
  await page.evaluate((id) => (window as unknown as Studio).telosStudio.view.getState().closeWindow(id), result.id);
  return { open: result.open, frames, work };
}

const workPhases = (work: Record<string, number>, frames: number): BenchPhase[] =>
  Object.entries(work).map(([k, v]) => ({ name: `${k} per frame`, value: v / Math.max(1, frames) }));

async function main() {
  if (!existsSync(join(ROOT, 'dist/index.html'))) throw new Error('dist/ is missing: run `npx vite build` first');
  const baselineDir = await buildBaseline();
  const app = await serveDir(join(ROOT, 'dist'));
  const blank = await serveDir(join(baselineDir, 'dist'));
  const browser = await launchChromium();
  try {
    // Warm the OS file cache once for each.
    await coldLoad(browser, app.url);
    await coldLoad(browser, blank.url);
    const cold: { ours: Record<string, number>[]; base: number[] }[] = [];
    const again: { sw: Record<string, number>[]; noSw: Record<string, number>[]; base: number[] }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the two pages, so a burst of load elsewhere hits both.
      const c = { ours: [] as Record<string, number>[], base: [] as number[] };
      for (let i = 0; i < LOADS; i++) {
        c.ours.push(await coldLoad(browser, app.url));
        c.base.push((await coldLoad(browser, blank.url))['telos:world-ready']!);
      }
      cold.push(c);
      const base = (await reloads(browser, blank.url, false)).map((m) => m['telos:world-ready']!);
      again.push({ sw: await reloads(browser, app.url, true), noSw: await reloads(browser, app.url, false), base });
    }
    const at = (mark: string) => (loads: Record<string, number>[]) => median(loads.map((l) => l[mark]).filter((t): t is number => t !== undefined));
    const painted = at('telos:world-painted');
    const connected = at('telos:world-ready');
    const shell = at('telos:ide-ready');
    const allCold = cold.flatMap((c) => c.ours);
    const rows: BenchRow[] = [
      rowFromRuns(
        { name: `cold load (new profile) to the World painted, median of ${LOADS}`, unit: 'ms', baselineName: 'blank Vite + React page' },
        cold.map((c) => ({ ours: painted(c.ours), baseline: median(c.base) })),
      ),
      rowFromRuns(
        { name: `cold load to the World connected (worker answers), median of ${LOADS}`, unit: 'ms', baselineName: 'blank Vite + React page', phases: phasesOf(allCold) },
        cold.map((c) => ({ ours: connected(c.ours), baseline: median(c.base) })),
      ),
      rowFromRuns(
        { name: `cold load to the IDE shell rendered, median of ${LOADS}`, unit: 'ms', baselineName: 'blank Vite + React page' },
        cold.map((c) => ({ ours: shell(c.ours), baseline: median(c.base) })),
      ),
      rowFromRuns(
        { name: `reload to the World painted, service worker on (as users get it), median of ${LOADS}`, unit: 'ms', baselineName: 'blank page, reloaded' },
        again.map((a) => ({ ours: painted(a.sw), baseline: median(a.base) })),
      ),
      rowFromRuns(
        { name: `reload to the World connected, service worker on (as users get it), median of ${LOADS}`, unit: 'ms', baselineName: 'blank page, reloaded', phases: phasesOf(again.flatMap((a) => a.sw)) },
        again.map((a) => ({ ours: connected(a.sw), baseline: median(a.base) })),
      ),
      rowFromRuns(
        { name: `reload to the World painted, no service worker, median of ${LOADS}`, unit: 'ms', baselineName: 'blank page, reloaded' },
        again.map((a) => ({ ours: painted(a.noSw), baseline: median(a.base) })),
      ),
      rowFromRuns(
        { name: `reload to the World connected, no service worker, median of ${LOADS}`, unit: 'ms', baselineName: 'blank page, reloaded', phases: phasesOf(again.flatMap((a) => a.noSw)) },
        again.map((a) => ({ ours: connected(a.noSw), baseline: median(a.base) })),
      ),
    ].filter((r) => Number.isFinite(r.ours));

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // tsx keeps function names with a helper the page does not have.
    await ctx.addInitScript('globalThis.__name = (f) => f');
    const page = await ctx.newPage();
    page.on('crash', () => console.error('the page crashed'));
    page.on('console', (m) => m.type() === 'error' && console.error('page:', m.text()));
    await page.goto(app.url);
    await waitConnected(page);

    const drags: { many: Awaited<ReturnType<typeof dragFrames>>; one: Awaited<ReturnType<typeof dragFrames>> }[] = [];
    for (let round = 0; round < ROUNDS; round++) drags.push({ many: await dragFrames(page, 100), one: await dragFrames(page, 1) });
    const dragRuns = (pick: (f: number[]) => number): BenchRun[] => drags.map((d) => ({ ours: pick(d.many.frames), baseline: pick(d.one.frames) }));
    const bestDrag = drags.reduce((a, b) => (percentiles(b.many.frames).p99 < percentiles(a.many.frames).p99 ? b : a));
    rows.push(
      rowFromRuns({ name: 'drag with 100 windows: median frame', unit: 'ms', baselineName: 'drag with 1 window' }, dragRuns((f) => percentiles(f).median)),
      rowFromRuns(
        {
          name: 'drag with 100 windows: p99 frame',
          unit: 'ms',
          baselineName: 'drag with 1 window',
          phases: [...workPhases(bestDrag.many.work, bestDrag.many.frames.length), { name: 'frames over 50 ms', value: bestDrag.many.frames.filter((f) => f > 50).length, unit: '' }],
        },
        dragRuns((f) => percentiles(f).p99),
      ),
    );

    await page.evaluate(() => (window as unknown as Studio).telosStudio.view.getState().replaceWindows([]));
    try {
      const big = await makeObject(page, 5000);
      const small = await makeObject(page, 10);
      const opens: { big: Awaited<ReturnType<typeof outlinerOpen>>; small: Awaited<ReturnType<typeof outlinerOpen>> }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // A commit naming both objects drops the link's cached views: each round reads from the worker.
        await evaluate(page, `self.bench5000.s0 = ${round}; self.bench10.s0 = ${round};`);
        opens.push({ big: await outlinerOpen(page, big, 'big'), small: await outlinerOpen(page, small, 'small') });
      }
      const bestOpen = opens.reduce((a, b) => (b.big.open / b.small.open < a.big.open / a.small.open ? b : a));
      rows.push(
        rowFromRuns(
          {
            name: 'outliner on 5,000 slots: click to painted',
            unit: 'ms',
            baselineName: 'outliner on 10 slots',
            phases: Object.entries(bestOpen.big.work).map(([k, v]) => ({ name: `main thread: ${k}`, value: v })),
          },
          opens.map((o) => ({ ours: o.big.open, baseline: o.small.open })),
        ),
        rowFromRuns(
          { name: 'outliner on 5,000 slots: scroll median frame', unit: 'ms', baselineName: 'scroll on 10 slots' },
          opens.map((o) => ({ ours: percentiles(o.big.frames).median, baseline: percentiles(o.small.frames).median })),
        ),
        rowFromRuns(
          { name: 'outliner on 5,000 slots: scroll p99 frame', unit: 'ms', baselineName: 'scroll on 10 slots' },
          opens.map((o) => ({ ours: percentiles(o.big.frames).p99, baseline: percentiles(o.small.frames).p99 })),
        ),
      );
    } catch (e) {
      console.log(`(outliner measures skipped: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
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
