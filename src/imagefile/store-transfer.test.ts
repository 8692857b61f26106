// Export from and import into the living image store (fake-indexeddb).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ImageRegistry } from '../store';
import { genesisStates } from '../world';
import { exportStoreImage, ImageFileError, importIntoStore, readImageFile } from './index';
import { mutate, rng } from './fuzz-mutations';
import { bytesOf, gzip, openLines, sampleImage, sealLines, streamOf } from './test-fixtures';
import { exportImage } from './transfer';

let n = 0;
const openRegistry = () => ImageRegistry.open({ syncIntervalMs: 0, registryName: `imagefile-test-${n++}-${Math.random().toString(36).slice(2)}` });

describe('image files and the store', () => {
  it('imports a file as a new store image and exports the same objects again', async () => {
    const registry = await openRegistry();
    const file = await bytesOf(await exportImage(sampleImage()));
    const result = await importIntoStore(registry, streamOf(file), { name: 'Imported' });
    expect(result.skipped).toEqual([]);
    const image = await registry.open('Imported');
    const [point] = await image.load([2]);
    expect(point!.state.slots.map((s) => s.name)).toEqual(['parent', 'x', 'y', 'norm']);
    expect(point!.state.traits[0]!.alias).toEqual({ pointHash: 'hash', constructor: 'hash' });
    const again = await bytesOf(await exportStoreImage(image));
    image.close();
    const summary = await readImageFile(streamOf(again));
    // Only blobs an object refers to are exported: the sample's empty blob is referred to by none.
    expect(summary.counts).toMatchObject({ obj: 4, blob: 1, tx: 0 });
    // The blob keeps its bytes under the id the store gave it.
    const lobby = openLines(again).find((l) => l.includes('"oid":0,'))!;
    expect(lobby).toMatch(/"blob":"[0-9a-f-]{36}","size":5,"type":"text\/plain"/);
    registry.close();
  });

  it('exports an image whose nextOid is far past its objects in time for its objects, not its OIDs', async () => {
    const registry = await openRegistry();
    const image = await registry.create('Sparse', { root: 0, objects: genesisStates() });
    await image.reserveOids(100_000_000);
    expect(image.info.nextOid).toBeGreaterThan(100_000_000);
    const started = performance.now();
    const summary = await readImageFile(streamOf(await bytesOf(await exportStoreImage(image))));
    // Walking every OID below nextOid, 2,000 at a time, took minutes.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(summary.counts.obj).toBe(genesisStates().length);
    expect(summary.header.nextOid).toBe(image.info.nextOid);
    image.close();
    registry.close();
  });

  it('round-trips the genesis World through the store', async () => {
    const registry = await openRegistry();
    const image = await registry.create('Genesis', { root: 0, objects: genesisStates() });
    const file = await bytesOf(await exportStoreImage(image, { includeHistory: true }));
    image.close();
    const result = await importIntoStore(registry, streamOf(file), { name: 'Copy' });
    expect(result.skipped).toEqual(['history of 1 transactions: the imported image starts its history at the import']);
    const copy = await registry.open('Copy');
    const states = genesisStates();
    const loaded = await copy.load(states.map((s) => s.oid));
    expect(loaded.map((l) => l.state.name)).toEqual(states.map((s) => s.name));
    expect(loaded.map((l) => l.state.slots)).toEqual(states.map((s) => s.slots));
    copy.close();
    registry.close();
  });

  it('exports, imports and exports again through the store to the same records', async () => {
    // The first import renumbers serials and creation tids to the import transaction and
    // starts a new history; from then on the records travel unchanged.
    const registry = await openRegistry();
    const first = await bytesOf(await exportImage(sampleImage()));
    await importIntoStore(registry, streamOf(first), { name: 'B' });
    const b = await registry.open('B');
    const fromB = await bytesOf(await exportStoreImage(b));
    b.close();
    await importIntoStore(registry, streamOf(fromB), { name: 'C' });
    const c = await registry.open('C');
    const fromC = await bytesOf(await exportStoreImage(c));
    c.close();
    const records = (bytes: Uint8Array) => openLines(bytes).slice(1).map((l) => l.replace(/"blob":"[0-9a-f-]{36}"/g, '"blob":"…"').replace(/"id":"[0-9a-f-]{36}"/g, '"id":"…"'));
    expect(records(fromC)).toEqual(records(fromB));
    expect(records(fromB).length).toBe(records(first).length - 1); // the unreferenced empty blob stays behind
    registry.close();
  });

  it('deletes the new store image when the file fails its checksum, leaving other images alone', async () => {
    const registry = await openRegistry();
    (await registry.create('Existing', { root: 0, objects: genesisStates() })).close();
    const lines = openLines(await bytesOf(await exportImage(sampleImage())));
    const bad = sealLines(lines).replace(/"sha256":"[0-9a-f]+"/, `"sha256":"${'1'.repeat(64)}"`);
    await expect(importIntoStore(registry, streamOf(gzip(bad)), { name: 'Broken' })).rejects.toThrow(/checksum mismatch/);
    expect((await registry.list()).map((e) => e.name)).toEqual(['Existing']);
    const existing = await registry.open('Existing');
    expect(await existing.countObjects()).toBe(genesisStates().length);
    existing.close();
    registry.close();
  });

  it('refuses to import under the name of an existing image and leaves it untouched', async () => {
    const registry = await openRegistry();
    (await registry.create('Taken', { root: 0, objects: genesisStates() })).close();
    const file = await bytesOf(await exportImage(sampleImage()));
    await expect(importIntoStore(registry, streamOf(file), { name: 'Taken' })).rejects.toThrow(/already an image named “Taken”/);
    const taken = await registry.open('Taken');
    expect(await taken.countObjects()).toBe(genesisStates().length);
    taken.close();
    registry.close();
  });
});

describe('fuzzing import into the store', () => {
  it('refuses or imports each of 300 mutated files, never leaving a partial image or touching another', async () => {
    const registry = await openRegistry();
    const existing = await registry.create('Existing', { root: 0, objects: genesisStates() });
    const existingBefore = JSON.stringify(await existing.load(genesisStates().map((s) => s.oid)));
    const good = await bytesOf(await exportImage(sampleImage(), { includeHistory: true }));
    const lines = openLines(good);
    const r = rng(77);
    const outcomes = { imported: 0, refused: 0 };
    for (let n = 0; n < 300; n++) {
      const { kind, bytes } = mutate(good, lines, r);
      try {
        const result = await importIntoStore(registry, streamOf(bytes), { name: 'Fuzzed' });
        const image = await registry.open(result.name);
        expect(await image.countObjects(), `case ${n} (${kind})`).toBeGreaterThan(0);
        image.close();
        await registry.delete('Fuzzed');
        outcomes.imported++;
      } catch (e) {
        if (!(e instanceof ImageFileError)) throw new Error(`case ${n} (${kind}) failed with ${(e as Error)?.stack ?? String(e)}`);
        outcomes.refused++;
      }
      expect((await registry.list()).map((x) => x.name), `case ${n} (${kind})`).toEqual(['Existing']);
    }
    expect(JSON.stringify(await existing.load(genesisStates().map((s) => s.oid)))).toBe(existingBefore);
    expect(outcomes.imported + outcomes.refused).toBe(300);
    existing.close();
    registry.close();
  }, 120_000);

  it('stops an import when asked and deletes what it had created', async () => {
    const registry = await openRegistry();
    const controller = new AbortController();
    const file = await bytesOf(await exportImage(sampleImage()));
    const slow = streamOf(file, 64);
    const run = importIntoStore(registry, slow, { name: 'Cancelled', signal: controller.signal, onProgress: () => controller.abort() });
    controller.abort();
    await expect(run).rejects.toThrow(/reading was cancelled/);
    expect(await registry.list()).toEqual([]);
    registry.close();
  });
});
