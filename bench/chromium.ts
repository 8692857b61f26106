// What the browser benchmarks share: a static server for a built page, Debian's Chromium,
// the page's and its workers' performance marks on one clock, the main thread's work split
// by kind (DevTools' Performance metrics), and frame intervals.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from '@playwright/test';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

/** Serves `dir` on a free local port. Every response says `no-store`, so each load fetches
 * (a service worker, where the page installs one, is the only cache). */
export function serveDir(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    try {
      if (!file.startsWith(dir)) throw new Error('outside');
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

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Every `telos:*` performance mark of the page and of its workers, in ms since the page's
 * navigation started (a worker's marks are moved onto the page's clock), and when the
 * page's first script arrived. */
export async function telosMarks(page: Page): Promise<Record<string, number>> {
  const own = await page.evaluate(() => {
    const marks: Record<string, number> = {};
    for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('telos:') && !(m.name in marks)) marks[m.name] = m.startTime;
    const script = performance
      .getEntriesByType('resource')
      .find((r) => (r as PerformanceResourceTiming).initiatorType === 'script' || r.name.endsWith('.js')) as PerformanceResourceTiming | undefined;
    if (script) marks['page script loaded'] = script.responseEnd;
    return { origin: performance.timeOrigin, marks };
  });
  const marks = own.marks;
  for (const worker of page.workers()) {
    const theirs = await worker
      .evaluate(() => {
        const out: Record<string, number> = {};
        for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('telos:')) out[m.name] = m.startTime;
        return { origin: performance.timeOrigin, marks: out };
      })
      .catch(() => null);
    if (!theirs) continue;
    for (const [name, t] of Object.entries(theirs.marks)) marks[name] ??= t + theirs.origin - own.origin;
  }
  return marks;
}

/** The main thread's work while `action` runs, by kind, in ms (Chromium's DevTools
 * Performance metrics: script, style recalculation, layout, and all tasks together). */
export async function mainThreadWork<T>(page: Page, action: () => Promise<T>): Promise<{ result: T; work: Record<string, number> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const read = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return Object.fromEntries(metrics.map((m) => [m.name, m.value])) as Record<string, number>;
  };
  const before = await read();
  const result = await action();
  const after = await read();
  await cdp.detach();
  const d = (k: string) => ((after[k] ?? 0) - (before[k] ?? 0)) * 1000;
  return {
    result,
    work: { script: d('ScriptDuration'), style: d('RecalcStyleDuration'), layout: d('LayoutDuration'), 'all tasks': d('TaskDuration') },
  };
}

/** Frame intervals (ms) on the main thread while `action` runs, from requestAnimationFrame. */
export async function frameTimes(page: Page, action: () => Promise<void>): Promise<number[]> {
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
