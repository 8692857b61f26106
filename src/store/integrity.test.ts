// The integrity check refuses transaction records whose ordering the history relies on is
// broken: a previous revision or an undone transaction not strictly before the record's own
// tid. Such an image opens read-only, naming the record, and keeps every object it holds.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ImageDatabase } from './database';
import { ImageStore } from './index';
import { obj } from './harness';

const seed = { root: 0, objects: [obj(0, 'lobby', { a: { ref: 1 } }), obj(1, 'a', { x: 1 })] };
let n = 0;
const dbName = () => `telos-integrity-${n++}-${Math.random().toString(36).slice(2)}`;

async function damaged(edit: (db: ImageDatabase, tids: { set: number; undo: number }) => Promise<unknown>) {
  const name = dbName();
  const s = await ImageStore.create('img', name, seed, { syncIntervalMs: 0 });
  const set = (await s.commit({ note: 'set x', writes: [{ oid: 1, serial: 1, after: obj(1, 'a', { x: 2 }) }] })).tid;
  const undo = (await s.undo(set)).tid;
  s.close();
  const db = new ImageDatabase(name);
  await db.open();
  await edit(db, { set, undo });
  db.close();
  return { store: await ImageStore.open('img', name, { syncIntervalMs: 0, verify: 'eager' }), set, undo };
}

describe('integrity of transaction records', () => {
  it('an image as the store writes it, with an undo, is sound', async () => {
    const { store } = await damaged(async () => undefined);
    expect(store.report?.ok).toBe(true);
    store.close();
  });

  for (const forward of [0, 1]) {
    it(`a previous revision ${forward ? 'after' : 'equal to'} the record's own tid makes the image read-only, naming the record, nothing lost`, async () => {
      const { store, set } = await damaged((db, t) => db.txlog.update(t.set, { changes: [{ oid: 1, beforeSerial: t.set + forward, before: obj(1, 'a', { x: 1 }) }] }));
      expect(store.report?.ok).toBe(false);
      expect(store.report?.problems).toContainEqual({ table: 'txlog', key: set, problem: `object 1's previous revision is transaction ${set + forward}, which is not before it` });
      await expect(store.commit({ note: 'later', writes: [{ oid: 1, serial: set + 1, after: obj(1, 'a', { x: 9 }) }] })).rejects.toMatchObject({
        code: 'read-only',
        message: expect.stringMatching(new RegExp(`txlog ${set}: object 1's previous revision is transaction ${set + forward}`)),
      });
      const [lobby, a] = await store.load([0, 1]);
      expect(lobby?.state.name).toBe('lobby');
      expect(a?.state.slots).toEqual(obj(1, 'a', { x: 1 }).slots);
      store.close();
    });
  }

  for (const forward of [0, 1]) {
    it(`an undo of a transaction ${forward ? 'after' : 'equal to'} its own tid makes the image read-only, naming the record`, async () => {
      const { store, undo } = await damaged((db, t) => db.txlog.update(t.undo, { undoOf: t.undo + forward }));
      expect(store.report?.problems).toContainEqual({ table: 'txlog', key: undo, problem: `it says it undid transaction ${undo + forward}, which is not before it` });
      expect(store.info.lastTid).toBe(undo);
      store.close();
    });
  }
});
