// The `.telos` image file in real Chromium: its own CompressionStream/DecompressionStream and
// IndexedDB. The image-file code is bundled for the page here (esbuild, which tsx and Vite
// already bring) and exercised through the same public API the IDE's Images window calls.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { test, expect } from './fixtures';

declare global {
  interface Window {
    telosImageFile: typeof import('../src/imagefile') & {
      ImageRegistry: typeof import('../src/store').ImageRegistry;
      genesisStates: typeof import('../src/world').genesisStates;
    };
  }
}

let bundle = '';

test.beforeAll(async () => {
  const entry = [
    "export * from './src/imagefile';",
    "export { ImageRegistry } from './src/store';",
    "export { genesisStates } from './src/world';",
  ].join('\n');
  const out = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    format: 'iife',
    globalName: 'telosImageFile',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  bundle = out.outputFiles[0]!.text;
});

async function openPage(page: import('@playwright/test').Page) {
  await page.goto('/');
  await page.addScriptTag({ content: bundle });
}

test('exports a store image and imports it as a new image with the same objects', async ({ page, consoleErrors }) => {
  void consoleErrors;
  await openPage(page);
  const result = await page.evaluate(async () => {
    const { ImageRegistry, genesisStates, exportStoreImage, importIntoStore } = window.telosImageFile;
    const registry = await ImageRegistry.open({ registryName: `imagefile-e2e-${Date.now()}`, syncIntervalMs: 0 });
    const original = await registry.create('Genesis', { root: 0, objects: genesisStates() });
    const file = await new Response(await exportStoreImage(original, { includeHistory: true })).blob();
    original.close();
    const imported = await importIntoStore(registry, file.stream(), { name: 'Genesis copy' });
    const copy = await registry.open('Genesis copy');
    const states = genesisStates();
    const loaded = await copy.load(states.map((s) => s.oid));
    copy.close();
    const names = (await registry.list()).map((e) => e.name);
    registry.close();
    return {
      fileBytes: file.size,
      counts: imported.summary.counts,
      sameSlots: JSON.stringify(loaded.map((l) => l.state.slots)) === JSON.stringify(states.map((s) => s.slots)),
      names,
    };
  });
  expect(result.counts.obj).toBe(19);
  expect(result.sameSlots).toBe(true);
  expect(result.names).toEqual(['Genesis', 'Genesis copy']);
});

test('imports the teaching image file into IndexedDB', async ({ page, consoleErrors }) => {
  void consoleErrors;
  await openPage(page);
  const bytes = [...readFileSync('images/teaching.telos')];
  const result = await page.evaluate(async (data) => {
    const { ImageRegistry, importIntoStore } = window.telosImageFile;
    const registry = await ImageRegistry.open({ registryName: `imagefile-e2e-${Date.now()}`, syncIntervalMs: 0 });
    const progress: number[] = [];
    const r = await importIntoStore(registry, new Blob([new Uint8Array(data)]).stream(), { onProgress: (p) => progress.push(p.line) });
    const image = await registry.open(r.name);
    const stored = await image.countObjects();
    image.close();
    registry.close();
    return { name: r.name, stored, skipped: r.skipped, progressed: progress.length > 1 };
  }, bytes);
  expect(result.name).toBe('teaching');
  expect(result.stored).toBeGreaterThan(2000);
  expect(result.progressed).toBe(true);
});

test('refuses a truncated file and a gzip bomb, leaving the registry as it was', async ({ page, consoleErrors }) => {
  void consoleErrors;
  await openPage(page);
  const good = readFileSync('images/genesis.telos');
  const truncated = [...good.subarray(0, good.length - 40)];
  const prefix = Buffer.from('{"format":"telos-image","version":1,"createdAt":"2026-01-01T00:00:00.000Z","root":0,"counts":{"obj":0,"blob":1,"tx":0,"disk":0,"vm":0}}\n{"type":"blob","id":"z","mediaType":"","size":999999999,"offset":0,"data":"');
  const bomb = [...gzipSync(Buffer.concat([prefix, Buffer.alloc(200 << 20, 0x41)]), { level: 9 })];
  const result = await page.evaluate(
    async ({ truncated, bomb }) => {
      const { ImageRegistry, importIntoStore, readImageFile } = window.telosImageFile;
      const registry = await ImageRegistry.open({ registryName: `imagefile-e2e-${Date.now()}`, syncIntervalMs: 0 });
      const reasons: string[] = [];
      for (const bytes of [truncated]) {
        await importIntoStore(registry, new Blob([new Uint8Array(bytes)]).stream(), { name: 'bad' }).catch((e: Error) => reasons.push(`${e.name}: ${e.message}`));
      }
      const started = performance.now();
      await readImageFile(new Blob([new Uint8Array(bomb)]).stream(), {}, { limits: { maxLineBytes: 1 << 30 } }).catch((e: Error) => reasons.push(`${e.name}: ${e.message}`));
      const bombMs = performance.now() - started;
      const names = (await registry.list()).map((e) => e.name);
      registry.close();
      return { reasons, names, bombMs };
    },
    { truncated, bomb },
  );
  expect(result.reasons[0]).toMatch(/^ImageFileError: line \d+: the gzip stream is corrupt or truncated/);
  expect(result.reasons[1]).toMatch(/expands more than 250 times .*gzip bomb/);
  expect(result.names).toEqual([]);
});
