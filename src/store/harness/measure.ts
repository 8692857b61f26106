// Store measurements shared by bench/store.bench.ts in Node (fake-indexeddb) and in Chromium
// (the e2e store harness page): each returns our figure and a raw-Dexie baseline measured
// in the same run on the same bytes.
import Dexie, { type Table } from 'dexie';
import { ImageStore } from '../image-store';
import type { ObjectRecord, StoredState } from '../format';
import type { Durability } from '../database';

export interface Measured {
  ours: number[];
  baseline: number[];
  /** The same requests as a commit, in raw Dexie (small commits only). */
  floor?: number[];
}

const now = () => performance.now();
let seq = 0;
const uniq = (what: string) => `telos-bench-${what}-${Date.now().toString(36)}-${seq++}`;

class RawDatabase extends Dexie {
  objects!: Table<ObjectRecord, number>;
  constructor(name: string, durability: Durability) {
    super(name, { cache: 'disabled', chromeTransactionDurability: durability, indexedDB: globalThis.indexedDB, IDBKeyRange: globalThis.IDBKeyRange });
    this.version(1).stores({ objects: 'oid' });
  }
}

class FloorDatabase extends Dexie {
  objects!: Table<ObjectRecord, number>;
  txlog!: Table<{ tid: number; time: number; note: string; origin: string; changes: unknown[] }, number>;
  meta!: Table<{ key: string; lastTid: number }, string>;
  constructor(name: string, durability: Durability) {
    super(name, { cache: 'disabled', chromeTransactionDurability: durability, indexedDB: globalThis.indexedDB, IDBKeyRange: globalThis.IDBKeyRange });
    this.version(1).stores({ objects: 'oid', txlog: 'tid', meta: 'key' });
  }
}

/** A small object, as an outliner edit writes one: a few data slots. */
export function smallState(oid: number, i: number, next?: number): StoredState {
  return {
    oid,
    name: `object ${oid}`,
    slots: [
      { kind: 'data', name: 'x', value: i },
      { kind: 'data', name: 'label', value: `point number ${i}` },
      { kind: 'data', name: 'flags', value: [true, false, i % 7] },
      ...(next !== undefined ? [{ kind: 'parent' as const, name: 'next', value: { ref: next } }] : []),
    ],
    traits: [],
    meta: {},
  };
}

const rootSeed = () => ({ root: 0, objects: [{ oid: 0, name: 'lobby', slots: [], traits: [], meta: {} }, smallState(1, 0)], nextOid: 2 });

async function deleteDb(name: string): Promise<void> {
  await Dexie.delete(name);
}

/** Latency of committing one small object, against a raw Dexie put of the same record in
 * its own transaction. Alternates in blocks so both see the same machine. */
export async function measureSmallCommit(rounds: number, durability: Durability = 'relaxed'): Promise<Measured> {
  const store = await ImageStore.create('bench', uniq('small'), rootSeed(), { durability, syncIntervalMs: 0 });
  const raw = new RawDatabase(uniq('small-raw'), durability);
  await raw.open();
  const ours: number[] = [];
  const baseline: number[] = [];
  let serial = 1;
  let before = (await store.load([1]))[0]!.state;
  for (let i = 0; i < rounds; i++) {
    const state = smallState(1, i);
    if (i % 2 === 0) {
      let t = now();
      serial = (await store.commit({ note: 'edit x', origin: 'bench', writes: [{ oid: 1, serial, before, after: state }] })).tid;
      before = state;
      ours.push(now() - t);
      t = now();
      await raw.objects.put({ oid: 1, serial: i, state });
      baseline.push(now() - t);
    } else {
      let t = now();
      await raw.objects.put({ oid: 1, serial: i, state });
      baseline.push(now() - t);
      t = now();
      serial = (await store.commit({ note: 'edit x', origin: 'bench', writes: [{ oid: 1, serial, before, after: state }] })).tid;
      before = state;
      ours.push(now() - t);
    }
  }
  // The same five requests a commit makes (read meta and the object, write the object, the
  // log record and meta), done with raw Dexie in one transaction: the floor of this design.
  const floor = new FloorDatabase(uniq('small-floor'), durability);
  await floor.open();
  await floor.meta.put({ key: 'image', lastTid: 0 });
  const five: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const state = smallState(1, i);
    const t = now();
    await floor.transaction('rw', [floor.objects, floor.txlog, floor.meta], async () => {
      const [meta] = await Promise.all([floor.meta.get('image'), floor.objects.get(1)]);
      const tid = meta!.lastTid + 1;
      await Promise.all([floor.objects.put({ oid: 1, serial: tid, state }), floor.txlog.add({ tid, time: Date.now(), note: 'edit x', origin: 'bench', changes: [{ oid: 1, beforeSerial: tid - 1, before: state }] }), floor.meta.put({ key: 'image', lastTid: tid })]);
    });
    five.push(now() - t);
  }
  floor.close();
  await deleteDb(floor.name);
  if (store.stats.carefulCommits > 0) throw new Error(`${store.stats.carefulCommits} small commits missed the fast path`);
  const dbName = store.info.dbName;
  store.close();
  raw.close();
  await deleteDb(dbName);
  await deleteDb(raw.name);
  return { ours, baseline, floor: five };
}

/** One commit of `count` new objects (a chain hung off the root, so all are reachable),
 * against a raw bulkPut of the same records in one transaction. Keeps the image for
 * measureOpen and returns its database name. */
export async function measureBulkCommit(count: number, durability: Durability = 'relaxed'): Promise<{ ours: number; baseline: number; dbName: string }> {
  const states: StoredState[] = [];
  for (let i = 0; i < count; i++) states.push(smallState(i + 2, i, i + 1 < count ? i + 3 : undefined));
  const root: StoredState = { oid: 0, name: 'lobby', slots: [{ kind: 'data', name: 'first', value: { ref: 2 } }], traits: [], meta: {} };

  // Ours first, then the baseline, so neither inherits the other's background compaction
  // unfairly in its favour (the baseline runs while ours is still being compacted).
  const store = await ImageStore.create('bench', uniq('bulk'), rootSeed(), { durability, syncIntervalMs: 0 });
  let t = now();
  const r = await store.commit({ note: `create ${count} objects`, origin: 'bench', writes: [{ oid: 0, serial: 1, after: root }, ...states.map((after) => ({ oid: after.oid, serial: 0, after }))] });
  const ours = now() - t;
  if (r.written.length !== count + 1) throw new Error(`bulk commit wrote ${r.written.length} objects, expected ${count + 1}`);

  const raw = new RawDatabase(uniq('bulk-raw'), durability);
  await raw.open();
  t = now();
  await raw.transaction('rw', raw.objects, () => raw.objects.bulkPut(states.map((state) => ({ oid: state.oid, serial: 2, state }))));
  const baseline = now() - t;
  raw.close();
  await deleteDb(raw.name);

  const dbName = store.info.dbName;
  store.close();
  return { ours, baseline, dbName };
}

/** Open a large image and load what a first render shows: the root and the first `shown`
 * objects down its chain. Baseline: a raw Dexie open and bulkGet of the same records. */
export async function measureOpen(dbName: string, shown = 50): Promise<{ ours: number; baseline: number; loadAll: number; scanAll: number; rawAll: number }> {
  const oids = Array.from({ length: shown }, (_, i) => i + 2);
  let t = now();
  const raw = new RawDatabase(dbName, 'relaxed');
  await raw.open();
  await raw.objects.get(0);
  await raw.objects.bulkGet(oids);
  const baseline = now() - t;
  raw.close();

  t = now();
  const store = await ImageStore.open('bench', dbName, { syncIntervalMs: 0, verify: 'background' });
  await store.load([store.root]);
  const loaded = await store.load(oids);
  const ours = now() - t;
  if (loaded.length !== shown) throw new Error(`opened image shows ${loaded.length} objects, expected ${shown}`);
  await store.integrity;
  // Loading the whole image, as an eager World does: by oid in batches of 5,000 (load) and
  // by cursor (scanObjects), against one raw toArray of the table.
  t = now();
  const all = store.info.nextOid;
  let byOid = 0;
  for (let lo = 0; lo < all; lo += 5_000) byOid += (await store.load(Array.from({ length: Math.min(5_000, all - lo) }, (_, i) => lo + i))).length;
  const loadAll = now() - t;
  t = now();
  let scanned = 0;
  for (let after = -1; ; ) {
    const batch = await store.scanObjects(after, 5_000);
    if (!batch.length) break;
    scanned += batch.length;
    after = batch[batch.length - 1]!.oid;
  }
  const scanAll = now() - t;
  store.close();
  const raw2 = new RawDatabase(dbName, 'relaxed');
  t = now();
  const everything = await raw2.objects.toArray();
  const rawAll = now() - t;
  raw2.close();
  if (byOid !== everything.length || scanned !== everything.length) throw new Error(`loaded ${byOid} / scanned ${scanned} of ${everything.length} objects`);
  await deleteDb(dbName);
  return { ours, baseline, loadAll, scanAll, rawAll };
}
