// The image registry and openImageStore: list, create from a seed, open, rename, delete.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ImageRegistry, openImageStore, type ImageSeed } from './index';
import { obj } from './harness';

let n = 0;
const registryName = () => `telos-images-test-${n++}-${Math.random().toString(36).slice(2)}`;
const seed = (): ImageSeed => ({ root: 0, objects: [obj(0, 'lobby', { a: { ref: 1 } }), obj(1, 'a', { x: 1 })] });
const quiet = { syncIntervalMs: 0 };

describe('image registry', () => {
  it('creates an image from a seed, lists it, and opens it again by name', async () => {
    const r = await ImageRegistry.open({ ...quiet, registryName: registryName() });
    const s = await r.create('Teaching', seed());
    s.close();
    expect((await r.list()).map((e) => e.name)).toEqual(['Teaching']);
    const t = await r.open('Teaching');
    expect((await t.load([1]))[0]!.state.name).toBe('a');
    t.close();
    r.close();
  });

  it('refuses a second image with the same name and leaves the first untouched', async () => {
    const r = await ImageRegistry.open({ ...quiet, registryName: registryName() });
    (await r.create('One', seed())).close();
    await expect(r.create('One', seed())).rejects.toMatchObject({ code: 'name-taken', message: expect.stringMatching(/already an image named “One”/) });
    expect((await r.list()).length).toBe(1);
    r.close();
  });

  it('renames an image without moving its data, and refuses a taken or empty name', async () => {
    const r = await ImageRegistry.open({ ...quiet, registryName: registryName() });
    (await r.create('Old', seed())).close();
    (await r.create('Other', seed())).close();
    await r.rename('Old', 'New');
    await expect(r.rename('New', 'Other')).rejects.toMatchObject({ code: 'name-taken' });
    await expect(r.rename('New', '  ')).rejects.toMatchObject({ code: 'bad-request' });
    expect((await r.list()).map((e) => e.name)).toEqual(['New', 'Other']);
    const s = await r.open('New');
    expect(s.info.lastTid).toBe(1);
    s.close();
    r.close();
  });

  it('deletes an image and its database; opening it then says it does not exist', async () => {
    const r = await ImageRegistry.open({ ...quiet, registryName: registryName() });
    const s = await r.create('Doomed', seed());
    const dbName = s.info.dbName;
    s.close();
    await r.delete('Doomed');
    await expect(r.open('Doomed')).rejects.toMatchObject({ code: 'not-found', message: 'There is no image named “Doomed”.' });
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).not.toContain(dbName);
    r.close();
  });

  it('refuses to delete an image another tab keeps open, within a bounded time', async () => {
    const r = await ImageRegistry.open({ ...quiet, registryName: registryName(), blockedTimeoutMs: 200 });
    const s = await r.create('Busy', seed());
    // A tab that ignores requests to close its connection.
    const raw = await new Promise<IDBDatabase>((res) => {
      const req = indexedDB.open(s.info.dbName);
      req.onsuccess = () => res(req.result);
    });
    raw.onversionchange = () => {};
    s.close();
    await expect(r.delete('Busy')).rejects.toMatchObject({ code: 'blocked' });
    raw.close();
    r.close();
  });

  it('openImageStore creates the image from its seed the first time and reopens it after', async () => {
    const registry = registryName();
    const s = await openImageStore('default', { ...quiet, registryName: registry, seed: seed });
    await s.commit({ note: 'edit', writes: [{ oid: 1, serial: 1, after: obj(1, 'a', { x: 2 }) }] });
    s.close();
    let seeded = false;
    const t = await openImageStore('default', {
      ...quiet,
      registryName: registry,
      seed: () => {
        seeded = true;
        return seed();
      },
    });
    expect(seeded).toBe(false);
    expect(t.info.lastTid).toBe(2);
    t.close();
  });

  it('openImageStore without a seed creates an empty image the World can commit genesis into', async () => {
    const s = await openImageStore('blank', { ...quiet, registryName: registryName() });
    expect(s.info.lastTid).toBe(0);
    expect(await s.load([0])).toEqual([]);
    const r = await s.commit({ note: 'Genesis', origin: 'world', writes: [{ oid: 0, serial: 0, after: obj(0, 'lobby', { a: { ref: 1 } }) }, { oid: 1, serial: 0, after: obj(1, 'a') }], nextOid: 2 });
    expect(r).toMatchObject({ tid: 1, unreachable: [] });
    expect(s.nextOid).toBe(2);
    s.close();
  });
});
