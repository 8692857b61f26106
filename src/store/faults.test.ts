// Faults only fake-indexeddb can inject exactly as Chromium produces them (the shared
// scenarios in harness/ cover the rest in both engines).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ImageStore } from './index';
import { obj } from './harness';

const seed = { root: 0, objects: [obj(0, 'lobby', { a: { ref: 1 } }), obj(1, 'a', { x: 1 })] };
let n = 0;
const dbName = () => `telos-faults-${n++}-${Math.random().toString(36).slice(2)}`;

describe('faults during commit', () => {
  it('a transaction IndexedDB aborts with QuotaExceededError and no request error ends as “storage full”, nothing written', async () => {
    let inject = true;
    const s = await ImageStore.create('quota', dbName(), seed, {
      syncIntervalMs: 0,
      hooks: {
        duringCommit: (tx) => {
          // What Chromium does when the quota runs out: the transaction aborts with
          // QuotaExceededError as its error, and no request fails first.
          if (inject) setTimeout(() => (tx as unknown as { _abort(name: string): void })._abort('QuotaExceededError'));
        },
      },
    });
    const p = s.commit({ note: 'big edit', writes: [{ oid: 1, serial: 1, after: obj(1, 'a', { x: 2 }) }] });
    await expect(p).rejects.toMatchObject({ code: 'storage-full', message: expect.stringMatching(/“big edit” failed: the browser refused to store more data/) });
    inject = false;
    expect((await s.load([1]))[0]).toMatchObject({ serial: 1 });
    expect(s.info.lastTid).toBe(1);
    const r = await s.commit({ note: 'after space was freed', writes: [{ oid: 1, serial: 1, after: obj(1, 'a', { x: 3 }) }] });
    expect(r.tid).toBe(2);
    s.close();
  });

  it('a commit on a closed store is refused at once with the reason', async () => {
    const s = await ImageStore.create('closed', dbName(), seed, { syncIntervalMs: 0 });
    s.close();
    await expect(s.commit({ note: 'late', writes: [{ oid: 1, serial: 1, after: obj(1, 'a') }] })).rejects.toMatchObject({ code: 'closed' });
    await expect(s.load([1])).rejects.toMatchObject({ code: 'closed' });
  });

  it('opening a database that is not a TelOS image fails clearly and changes nothing', async () => {
    const name = dbName();
    const { ImageDatabase } = await import('./database');
    const db = new ImageDatabase(name);
    await db.open();
    db.close();
    await expect(ImageStore.open('stranger', name)).rejects.toMatchObject({ code: 'corrupt', message: expect.stringMatching(/no meta record/) });
  });
});

describe('errors cross the worker boundary', () => {
  it('a store error and a conflict serialize to JSON with their name, code and details', async () => {
    const s = await ImageStore.create('json', dbName(), seed, { syncIntervalMs: 0 });
    await s.commit({ note: 'first', writes: [{ oid: 1, serial: 1, after: obj(1, 'a', { x: 2 }) }] });
    const conflict = await s.commit({ note: 'stale', writes: [{ oid: 1, serial: 1, after: obj(1, 'a', { x: 3 }) }] }).catch((e: unknown) => e);
    const json = JSON.parse(JSON.stringify(conflict));
    expect(json).toMatchObject({ name: 'ConflictError', code: 'conflict', oids: [1], conflicts: [{ oid: 1, readSerial: 1, storedSerial: 2, byNote: 'first' }] });
    s.close();
    const closed = await s.load([1]).catch((e: unknown) => e);
    expect(JSON.parse(JSON.stringify(closed))).toMatchObject({ name: 'StoreError', code: 'closed' });
  });
});
