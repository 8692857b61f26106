// Living image store benchmarks, in Node (fake-indexeddb) and in Chromium (its real
// IndexedDB, through the store harness page of the built app). Each figure is printed with
// a raw-Dexie baseline measured in the same run on the same records:
//   - commit latency of one small object (median, p99) vs a raw Dexie put in its own transaction
//   - the same in Chromium with `strict` durability, against `relaxed` (the durability choice)
//   - one commit of 100,000 new objects vs a raw bulkPut of the same records
//   - open-to-first-objects-loaded of that 100,000-object image (meta, root and the first
//     50 objects) vs a raw Dexie open and get of the same records
import 'fake-indexeddb/auto';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { percentiles, printTable, type BenchRow } from './lib';
import { measureBulkCommit, measureOpen, measureSmallCommit, type Measured } from '../src/store/harness';

const ROUNDS = Number(process.env.STORE_BENCH_ROUNDS ?? 400);
const BULK = Number(process.env.STORE_BENCH_OBJECTS ?? 100_000);
const dist = fileURLToPath(new URL('../dist', import.meta.url));

function latencyRows(m: Measured, where: string, baselineName: string): BenchRow[] {
  const ours = percentiles(m.ours.slice(10));
  const base = percentiles(m.baseline.slice(10));
  const rows: BenchRow[] = [
    { name: `${where}: commit one small object, median`, ours: ours.median, baseline: base.median, unit: 'ms', baselineName },
    { name: `${where}: commit one small object, p99`, ours: ours.p99, baseline: base.p99, unit: 'ms', baselineName },
  ];
  if (m.floor) {
    const floor = percentiles(m.floor.slice(10));
    rows.push({ name: `${where}: commit one small object, median`, ours: ours.median, baseline: floor.median, unit: 'ms', baselineName: 'raw Dexie, same 5 requests in 1 transaction' });
  }
  return rows;
}

async function inNode(): Promise<void> {
  const small = await measureSmallCommit(ROUNDS);
  printTable('Store in Node (fake-indexeddb): small commits', latencyRows(small, 'node', 'raw Dexie put'));
  const bulk = await measureBulkCommit(BULK);
  const open = await measureOpen(bulk.dbName);
  printTable(`Store in Node (fake-indexeddb): ${BULK.toLocaleString('en-US')} objects`, [
    { name: `commit of ${BULK.toLocaleString('en-US')} new objects`, ours: bulk.ours, baseline: bulk.baseline, unit: 'ms', baselineName: 'raw Dexie bulkPut' },
    { name: 'open to first 50 objects loaded', ours: open.ours, baseline: open.baseline, unit: 'ms', baselineName: 'raw Dexie open + get' },
    { name: 'load every object by oid, 5,000 a batch', ours: open.loadAll, baseline: open.rawAll, unit: 'ms', baselineName: 'raw Dexie toArray' },
    { name: 'scan every object by cursor, 5,000 a batch', ours: open.scanAll, baseline: open.rawAll, unit: 'ms', baselineName: 'raw Dexie toArray' },
  ]);
}

/** Serves the built app (dist/) on a free local port. */
function serveDist(): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.map': 'application/json' };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dist, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

async function inChromium(): Promise<void> {
  if (!existsSync(join(dist, 'e2e/pages/store-harness.html'))) {
    console.log('\n(Chromium store bench skipped: dist/ has no store harness; run `npm run build` first.)');
    return;
  }
  const { server, url } = await serveDist();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/e2e/pages/store-harness.html`);
    await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
    const relaxed = await page.evaluate((n) => window.storeHarness.measureSmall(n, 'relaxed'), ROUNDS);
    const strict = await page.evaluate((n) => window.storeHarness.measureSmall(n, 'strict'), Math.min(ROUNDS, 200));
    const r = percentiles(relaxed.ours.slice(10));
    const s = percentiles(strict.ours.slice(10));
    printTable('Store in Chromium: small commits', [
      ...latencyRows(relaxed, 'chromium relaxed', 'raw Dexie put, relaxed'),
      ...latencyRows(strict, 'chromium strict', 'raw Dexie put, strict'),
      { name: 'durability: strict commit median', ours: s.median, baseline: r.median, unit: 'ms', baselineName: 'relaxed commit median' },
    ]);
    const big = await page.evaluate((n) => window.storeHarness.measureBulkAndOpen(n), BULK);
    printTable(`Store in Chromium: ${BULK.toLocaleString('en-US')} objects`, [
      { name: `commit of ${BULK.toLocaleString('en-US')} new objects`, ours: big.bulk.ours, baseline: big.bulk.baseline, unit: 'ms', baselineName: 'raw Dexie bulkPut' },
      { name: 'open to first 50 objects loaded', ours: big.open.ours, baseline: big.open.baseline, unit: 'ms', baselineName: 'raw Dexie open + get' },
      { name: 'load every object by oid, 5,000 a batch', ours: big.open.loadAll, baseline: big.open.rawAll, unit: 'ms', baselineName: 'raw Dexie toArray' },
      { name: 'scan every object by cursor, 5,000 a batch', ours: big.open.scanAll, baseline: big.open.rawAll, unit: 'ms', baselineName: 'raw Dexie toArray' },
    ]);
    await appOpen(page, url);
  } finally {
    await browser.close();
    server.close();
  }
}

/** The app's open-to-first-render (World connected, status bar “World: ready”) on an image
 * of the genesis World plus BULK objects, against the genesis image alone. */
async function appOpen(page: import('@playwright/test').Page, url: string): Promise<void> {
  const harness = `${url}/e2e/pages/store-harness.html`;
  const timeOpen = async (image: string) => {
    const t = Date.now();
    await page.goto(`${url}/?image=${encodeURIComponent(image)}`);
    await page.locator('html[data-world-ready]').waitFor({ state: 'attached', timeout: 120_000 });
    await page.locator('.status-world', { hasText: 'World: ready' }).waitFor({ timeout: 120_000 });
    return Date.now() - t;
  };
  try {
    await page.goto(harness);
    await page.evaluate((n) => window.storeHarness.makeAppImage('store-bench-large', n), BULK);
    await page.evaluate(() => window.storeHarness.makeAppImage('store-bench-genesis', 0));
    const small = await timeOpen('store-bench-genesis');
    const large = await timeOpen('store-bench-large');
    printTable('App in Chromium: open to first render', [
      { name: `open an image of ${BULK.toLocaleString('en-US')} objects + genesis`, ours: large, baseline: small, unit: 'ms', baselineName: 'the genesis image alone' },
    ]);
  } catch (e) {
    console.log(`\n(App open-to-first-render not measured: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  } finally {
    await page.goto(harness).catch(() => undefined);
    await page.evaluate(() => Promise.all([window.storeHarness.deleteAppImage('store-bench-large'), window.storeHarness.deleteAppImage('store-bench-genesis')])).catch(() => undefined);
  }
}

const only = process.env.STORE_BENCH_ONLY;
if (only !== 'chromium') await inNode();
if (only !== 'node') await inChromium();
