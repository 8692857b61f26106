// Storage conformance scenarios, after ZODB's shared suites (BasicStorage, Synchronization,
// TransactionalUndo, History, Packable, MTStorage, recovery with injected faults). Written
// once against the store's public API; run by vitest on fake-indexeddb
// (scenarios.test.ts) and inside Chromium on its real IndexedDB (e2e/store-conformance.spec.ts).
import { ImageStore } from '../image-store';
import type { StoreOptions } from '../types';
import { ImageDatabase } from '../database';
import type { ImageSeed } from '../types';
import type { ObjectState, Value } from '../../world';
import { equal, eventually, ok, rejects, sleep } from './check';

export interface ScenarioContext {
  /** Options every store in the run uses (the IndexedDB factory, short time bounds). */
  options: StoreOptions;
  /** Registers a cleanup to run after the scenario, pass or fail. */
  defer(fn: () => void | Promise<void>): void;
}

export type Scenario = (ctx: ScenarioContext) => Promise<void>;

let counter = 0;
const uniqueDbName = () => `telos-conformance-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** An object state with data slots (and parent slots for `{ref}` values named `parent*`). */
export function obj(oid: number, name: string, data: Record<string, Value> = {}): ObjectState {
  return {
    oid,
    name,
    slots: Object.entries(data).map(([slot, value]) =>
      slot.startsWith('parent') && value && typeof value === 'object' && 'ref' in value
        ? { kind: 'parent' as const, name: slot, value }
        : { kind: 'data' as const, name: slot, value },
    ),
    traits: [],
    meta: {},
  };
}

/** The value of a data slot in a state. */
export function slot(state: ObjectState | undefined, name: string): Value | undefined {
  const s = state?.slots.find((x) => x.name === name);
  return s && s.kind !== 'method' ? s.value : undefined;
}

const lobbySeed = (): ImageSeed => ({
  root: 0,
  objects: [obj(0, 'lobby', { counter: { ref: 1 }, a: { ref: 2 } }), obj(1, 'counter', { n: 0 }), obj(2, 'a', { x: 1 })],
});

async function fresh(ctx: ScenarioContext, seed: ImageSeed | undefined = lobbySeed(), extra: StoreOptions = {}): Promise<ImageStore> {
  const store = await ImageStore.create('conformance', uniqueDbName(), seed, { ...ctx.options, ...extra });
  ctx.defer(() => store.close());
  return store;
}

/** The same image opened again: another tab. */
async function another(ctx: ScenarioContext, store: ImageStore, extra: StoreOptions = {}): Promise<ImageStore> {
  const other = await ImageStore.open(store.name, store.info.dbName, { ...ctx.options, ...extra });
  ctx.defer(() => other.close());
  return other;
}

async function loadOne(store: ImageStore, oid: number) {
  return (await store.load([oid]))[0];
}

/** Writes `data` into object `oid` as read at its current serial. */
async function update(store: ImageStore, oid: number, data: Record<string, Value>, note = `update ${oid}`) {
  const cur = (await loadOne(store, oid))!;
  // Like the World, hand over the before-image: the store's fast path relies on it.
  return store.commit({ note, origin: 'test', writes: [{ oid, serial: cur.serial, before: cur.state, after: obj(oid, cur.state.name, data) }] });
}

/** Increments the counter object, retrying on conflict as a user clicking again would. */
async function increment(store: ImageStore, oid = 1): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const cur = (await loadOne(store, oid))!;
    const n = slot(cur.state, 'n') as number;
    try {
      await store.commit({ note: 'increment', origin: 'test', writes: [{ oid, serial: cur.serial, before: cur.state, after: obj(oid, 'counter', { n: n + 1 }) }] });
      return attempt;
    } catch (e) {
      if ((e as Error).name !== 'ConflictError' || attempt > 200) throw e;
    }
  }
}

export const suites: Record<string, Record<string, Scenario>> = {
  BasicStorage: {
    'a new image holds its seed as transaction 1 with createdTid stamped': async (ctx) => {
      const s = await fresh(ctx);
      equal(s.info.lastTid, 1, 'lastTid');
      equal(s.root, 0, 'root');
      const [lobby] = await s.load([0]);
      equal(lobby!.serial, 1, 'serial of the lobby');
      equal(lobby!.state.meta.createdTid, 1, 'createdTid');
      equal((await s.history())[0]!.note, 'Genesis', 'first note');
    },
    'a committed object loads back with the commit’s tid as its serial': async (ctx) => {
      const s = await fresh(ctx);
      const r = await update(s, 2, { x: 42 });
      equal(r.tid, 2, 'tid');
      const a = await loadOne(s, 2);
      equal(a!.serial, 2, 'serial');
      equal(slot(a!.state, 'x'), 42, 'x');
    },
    'loading an absent object answers nothing for it': async (ctx) => {
      const s = await fresh(ctx);
      equal((await s.load([2, 999])).map((o) => o.oid), [2], 'loaded oids');
    },
    'scanning walks every stored object in oid order, in batches': async (ctx) => {
      const s = await fresh(ctx);
      const seen: number[] = [];
      for (let after = -1; ; ) {
        const batch = await s.scanObjects(after, 2);
        if (!batch.length) break;
        seen.push(...batch.map((o) => o.oid));
        after = batch[batch.length - 1]!.oid;
      }
      equal(seen, [0, 1, 2], 'oids');
    },
    'tids increase by one per commit': async (ctx) => {
      const s = await fresh(ctx);
      const tids: number[] = [];
      for (let i = 0; i < 5; i++) tids.push((await update(s, 2, { x: i })).tid);
      equal(tids, [2, 3, 4, 5, 6], 'tids');
      equal(s.info.lastTid, 6, 'lastTid');
    },
    'a commit with before-images that match takes the one-burst fast path': async (ctx) => {
      const s = await fresh(ctx);
      await update(s, 2, { x: 2 });
      await update(s, 2, { x: 3 });
      equal(s.stats, { fastCommits: 2, carefulCommits: 0 }, 'paths taken');
      const d = (await s.transaction(3))!;
      equal([slot(d.changes[0]!.before!, 'x'), slot(d.changes[0]!.after, 'x')], [2, 3], 'before/after');
    },
    'a commit without before-images logs the stored states it replaces': async (ctx) => {
      const s = await fresh(ctx);
      await s.commit({ note: 'no before', writes: [{ oid: 2, serial: 1, after: obj(2, 'a', { x: 5 }) }] });
      const d = (await s.transaction(2))!;
      equal([slot(d.changes[0]!.before!, 'x'), slot(d.changes[0]!.after, 'x')], [1, 5], 'before/after');
    },
    'a writer’s before-image that differs from the stored state is not trusted': async (ctx) => {
      const s = await fresh(ctx);
      await s.commit({ note: 'wrong before', writes: [{ oid: 2, serial: 1, before: obj(2, 'a', { x: 'imagined' }), after: obj(2, 'a', { x: 5 }) }] });
      const d = (await s.transaction(2))!;
      equal(slot(d.changes[0]!.before!, 'x'), 1, 'the stored before-image is logged');
    },
    'an object keeps its createdTid through later edits by a writer that never saw it': async (ctx) => {
      const s = await fresh(ctx);
      const b = obj(3, 'b', { y: 1 });
      const r = await s.commit({ note: 'add b', writes: [{ oid: 0, serial: 1, before: (await loadOne(s, 0))!.state, after: obj(0, 'lobby', { counter: { ref: 1 }, a: { ref: 2 }, b: { ref: 3 } }) }, { oid: 3, serial: 0, before: null, after: b }] });
      // The writer's copy of b has no createdTid (only the stored one does).
      await s.commit({ note: 'edit b', writes: [{ oid: 3, serial: r.tid, before: b, after: obj(3, 'b', { y: 2 }) }] });
      const stored = (await loadOne(s, 3))!;
      equal([slot(stored.state, 'y'), stored.state.meta.createdTid], [2, r.tid], 'createdTid kept');
      equal((await s.transaction(r.tid + 1))!.changes[0]!.before!.meta.createdTid, r.tid, 'logged before-image has it too');
    },
    'a write with a stale serial is a ConflictError and nothing is written': async (ctx) => {
      const s = await fresh(ctx);
      const stale = (await loadOne(s, 2))!;
      await update(s, 2, { x: 2 }, 'first writer');
      const e = await rejects(
        s.commit({ note: 'second writer', writes: [{ oid: 2, serial: stale.serial, after: obj(2, 'a', { x: 3 }) }, { oid: 1, serial: 1, after: obj(1, 'counter', { n: 9 }) }] }),
        { name: 'ConflictError', message: /object 2 was changed by transaction 2 “first writer”/ },
        'stale write',
      );
      equal((e as unknown as { oids: number[] }).oids, [2], 'conflicting oids');
      equal(slot((await loadOne(s, 1))!.state, 'n'), 0, 'other object in the refused commit untouched');
      equal(s.info.lastTid, 2, 'no tid used');
    },
    'creating an oid that already exists is a ConflictError': async (ctx) => {
      const s = await fresh(ctx);
      await rejects(
        s.commit({ note: 'dup', writes: [{ oid: 0, serial: 1, after: obj(0, 'lobby', { b: { ref: 2 } }) }, { oid: 2, serial: 0, after: obj(2, 'again') }] }),
        { name: 'ConflictError' },
        'create existing',
      );
    },
    'a new object written by a commit is stored and stamped with the commit’s tid': async (ctx) => {
      const s = await fresh(ctx);
      const r = await s.commit({ note: 'add b', writes: [{ oid: 0, serial: 1, after: obj(0, 'lobby', { counter: { ref: 1 }, a: { ref: 2 }, b: { ref: 3 } }) }, { oid: 3, serial: 0, after: obj(3, 'b', { y: 'hello' }) }], nextOid: 4 });
      const b = await loadOne(s, 3);
      equal(b!.serial, r.tid, 'serial');
      equal(b!.state.meta.createdTid, r.tid, 'createdTid');
      equal(s.nextOid, 4, 'nextOid');
    },
    'a commit referring to an object that does not exist is refused and nothing is written': async (ctx) => {
      const s = await fresh(ctx);
      await rejects(s.commit({ note: 'dangling', writes: [{ oid: 2, serial: 1, after: obj(2, 'a', { other: { ref: 77 } }) }] }), { code: 'dangling-reference', message: /object 2 refers to object 77/ }, 'dangling');
      equal(slot((await loadOne(s, 2))!.state, 'x'), 1, 'untouched');
    },
    'malformed commits are refused with a reason': async (ctx) => {
      const s = await fresh(ctx);
      await rejects(s.commit({ note: 'bad oid', writes: [{ oid: -1, serial: 0, after: obj(-1, 'x') }] }), { code: 'bad-request', message: /not a valid oid/ }, 'negative oid');
      await rejects(s.commit({ note: 'twice', writes: [{ oid: 2, serial: 1, after: obj(2, 'a') }, { oid: 2, serial: 1, after: obj(2, 'a') }] }), { code: 'bad-request', message: /written twice/ }, 'duplicate');
      await rejects(s.commit({ note: 'mismatch', writes: [{ oid: 2, serial: 1, after: obj(3, 'a') }] }), { code: 'bad-request' }, 'state of another oid');
      equal(s.info.lastTid, 1, 'nothing committed');
    },
    'committed state survives closing and reopening': async (ctx) => {
      const s = await fresh(ctx);
      await update(s, 2, { x: 'kept' });
      s.close();
      const t = await another(ctx, s);
      equal(slot((await loadOne(t, 2))!.state, 'x'), 'kept', 'x after reopen');
      equal(t.info.lastTid, 2, 'lastTid after reopen');
    },
    'blobs round-trip and a reference to an unknown blob is refused': async (ctx) => {
      const s = await fresh(ctx);
      const bytes = new Uint8Array(100_000).map((_, i) => i % 251);
      const ref = await s.putBlob(bytes, 'application/octet-stream');
      equal(ref.size, 100_000, 'size');
      await update(s, 2, { data: ref });
      const back = await s.loadBlob(ref.blob);
      const got = new Uint8Array(await back!.arrayBuffer());
      equal([got.length, got[7], got[99_999]], [100_000, 7, 99_999 % 251], 'bytes');
      await rejects(update(s, 2, { data: { blob: 'nope', size: 1, type: '' } }), { code: 'dangling-reference', message: /blob nope/ }, 'unknown blob');
    },
  },

  Reachability: {
    'new objects that nothing written refers to are not stored': async (ctx) => {
      const s = await fresh(ctx);
      const r = await s.commit({ note: 'orphan', writes: [{ oid: 2, serial: 1, after: obj(2, 'a', { x: 2, kid: { ref: 10 } }) }, { oid: 10, serial: 0, after: obj(10, 'kid', { grandkid: { ref: 11 } }) }, { oid: 11, serial: 0, after: obj(11, 'grandkid') }, { oid: 12, serial: 0, after: obj(12, 'orphan') }] });
      equal(r.written.sort(), [10, 11, 2], 'written');
      equal(r.unreachable, [12], 'unreachable');
      equal((await s.load([10, 11, 12])).map((o) => o.oid), [10, 11], 'stored');
    },
    'an unreachable new object is stored once something refers to it': async (ctx) => {
      const s = await fresh(ctx);
      const r1 = await s.commit({ note: 'orphan', writes: [{ oid: 12, serial: 0, after: obj(12, 'orphan') }] });
      equal(r1.unreachable, [12], 'skipped');
      // The World believes 12 was committed at r1.tid; writing it at that serial creates it.
      const r2 = await s.commit({ note: 'adopt', writes: [{ oid: 2, serial: 1, after: obj(2, 'a', { adopted: { ref: 12 } }) }, { oid: 12, serial: r1.tid, after: obj(12, 'orphan') }] });
      equal(r2.unreachable, [], 'stored now');
      equal((await loadOne(s, 12))!.serial, r2.tid, 'serial');
    },
    'a trait reached only through a trait use is stored, kept by pack and checked': async (ctx) => {
      const s = await fresh(ctx);
      const user = { ...obj(2, 'a', { x: 1 }), traits: [{ trait: 20, exclude: [], alias: {} }] };
      const r = await s.commit({ note: 'use a new trait', writes: [{ oid: 2, serial: 1, after: user }, { oid: 20, serial: 0, after: obj(20, 'Comparable') }] });
      equal(r.unreachable, [], 'trait stored');
      await s.pack(s.info.lastTid + 1);
      equal((await s.load([20])).length, 1, 'trait kept by pack');
      await rejects(s.commit({ note: 'use a missing trait', writes: [{ oid: 1, serial: 1, after: { ...obj(1, 'counter', { n: 0 }), traits: [{ trait: 99, exclude: [], alias: {} }] } }] }), { code: 'dangling-reference', message: /refers to object 99/ }, 'missing trait');
    },
  },

  Synchronization: {
    'a read-current check refuses a commit when an object it only read changed': async (ctx) => {
      const s = await fresh(ctx);
      const t = await another(ctx, s);
      const seenA = (await loadOne(t, 2))!;
      await update(s, 2, { x: 100 }, 'change a');
      await rejects(
        t.commit({ note: 'depends on a', writes: [{ oid: 1, serial: 1, after: obj(1, 'counter', { n: 1 }) }], reads: [{ oid: 2, serial: seenA.serial }] }),
        { name: 'ConflictError', message: /object 2 was changed by transaction 2 “change a”/ },
        'write skew',
      );
    },
    'another tab’s commits arrive as invalidations within a second': async (ctx) => {
      const s = await fresh(ctx);
      const t = await another(ctx, s);
      const seen: number[][] = [];
      t.subscribe((e) => e.type === 'invalidate' && e.oids !== 'all' && seen.push(e.oids));
      const started = Date.now();
      await update(s, 2, { x: 5 }, 'tab one edits a');
      await eventually(() => seen.length > 0, 1000, 'invalidation');
      equal(seen[0], [2], 'invalidated oids');
      ok(Date.now() - started < 1000, 'within a second');
    },
    'a tab’s own commits do not invalidate its own objects': async (ctx) => {
      const s = await fresh(ctx);
      const seen: unknown[] = [];
      s.subscribe((e) => e.type === 'invalidate' && seen.push(e));
      await update(s, 2, { x: 5 });
      await s.refresh();
      await sleep(50);
      equal(seen.length, 0, 'own invalidations');
    },
    'a stale tab’s commit conflicts and names the transaction that changed the object': async (ctx) => {
      const s = await fresh(ctx);
      const t = await another(ctx, s);
      const old = (await loadOne(t, 2))!;
      await update(s, 2, { x: 7 }, 'Rename slot');
      const e = await rejects(t.commit({ note: 'late edit', origin: 'tab 2', writes: [{ oid: 2, serial: old.serial, after: obj(2, 'a', { x: 8 }) }] }), { name: 'ConflictError' }, 'stale');
      ok(/“Rename slot”/.test(e.message) && /Nothing was written/.test(e.message), `message says what changed: ${e.message}`);
      equal(slot((await loadOne(s, 2))!.state, 'x'), 7, 'first writer kept');
    },
  },

  TransactionalUndo: {
    'undo writes the before-images back as a new transaction': async (ctx) => {
      const s = await fresh(ctx);
      const r = await update(s, 2, { x: 50 }, 'set x');
      const u = await s.undo(r.tid);
      equal(u.tid, r.tid + 1, 'undo tid');
      const a = (await loadOne(s, 2))!;
      equal(slot(a.state, 'x'), 1, 'x restored');
      equal(a.serial, u.tid, 'serial');
      const h = await s.history({ limit: 1 });
      equal([h[0]!.note, h[0]!.undoOf], ['Undo “set x”', r.tid], 'undo record');
    },
    'undo is refused when an object changed since, naming the later transaction': async (ctx) => {
      const s = await fresh(ctx);
      const r = await update(s, 2, { x: 50 }, 'set x');
      await update(s, 2, { x: 60 }, 'set x again');
      await rejects(s.undo(r.tid), { name: 'UndoRefusedError', message: /object 2 \(a\) was changed since by transaction 3 “set x again”/ }, 'refused');
      equal(slot((await loadOne(s, 2))!.state, 'x'), 60, 'untouched');
    },
    'undoing an undo redoes the change': async (ctx) => {
      const s = await fresh(ctx);
      const r = await update(s, 2, { x: 50 });
      const u = await s.undo(r.tid);
      await s.undo(u.tid);
      equal(slot((await loadOne(s, 2))!.state, 'x'), 50, 'redone');
    },
    'undoing a creation unlinks the new object and pack then removes it': async (ctx) => {
      const s = await fresh(ctx);
      const r = await s.commit({ note: 'add b', writes: [{ oid: 0, serial: 1, after: obj(0, 'lobby', { counter: { ref: 1 }, a: { ref: 2 }, b: { ref: 3 } }) }, { oid: 3, serial: 0, after: obj(3, 'b') }] });
      await s.undo(r.tid);
      equal(slot((await loadOne(s, 0))!.state, 'b'), undefined, 'link gone');
      const p = await s.pack(s.info.lastTid + 1);
      equal(p.removedObjects, 1, 'removed');
      equal(await s.load([3]), [], 'b gone');
    },
    'undoing a transaction twice is refused as already undone, and nothing is written': async (ctx) => {
      const s = await fresh(ctx);
      const r = await update(s, 2, { x: 50 }, 'set x');
      const u = await s.undo(r.tid);
      await rejects(s.undo(r.tid), { name: 'UndoRefusedError', message: new RegExp(`^Cannot undo transaction ${r.tid}: it was already undone by transaction ${u.tid}\\. Nothing was written\\.$`) }, 'twice');
      equal(s.info.lastTid, u.tid, 'no transaction written');
      equal(slot((await loadOne(s, 2))!.state, 'x'), 1, 'still undone');
    },
    'undoing a transaction that only created objects is refused': async (ctx) => {
      const s = await fresh(ctx);
      const r = await s.commit({ note: 'make c', writes: [{ oid: 3, serial: 0, after: obj(3, 'c') }] });
      await rejects(s.undo(r.tid), { name: 'UndoRefusedError', message: /it only created objects, which go once nothing refers to them/ }, 'creation only');
      equal(s.info.lastTid, r.tid, 'no empty transaction written');
    },
    'an undo record that does not fit the history is refused, nothing written, and reading it ends': async (ctx) => {
      // Records as a bug, a bad disk or a hostile imported image could leave them: a before-
      // serial not below the transaction's own tid (an object's history would loop on itself),
      // and an undo record whose changes do not come from the transaction it says it undid.
      const s = await fresh(ctx);
      const r = await update(s, 2, { x: 50 }, 'set x');
      await damage(s, (db) => db.txlog.update(r.tid, { changes: [{ oid: 2, beforeSerial: r.tid, before: obj(2, 'a', { x: 7 }) }] }));
      // The integrity check names such a record and opens the image read-only; undo refuses
      // it on its own too, for an image opened before the check reached it.
      const checked = await another(ctx, s, { verify: 'eager' });
      await rejects(checked.undo(r.tid), { name: 'StoreError', message: new RegExp(`read-only because .*txlog ${r.tid}: object 2's previous revision is transaction ${r.tid}, which is not before it`) }, 'checked');
      const t = await another(ctx, s, { verify: 'none' });
      await rejects(t.undo(r.tid), { name: 'UndoRefusedError', message: new RegExp(`its record does not fit the history: object 2's previous revision is transaction ${r.tid}, which is not before it`) }, 'self loop');
      equal(t.info.lastTid, r.tid, 'nothing written');
      equal(slot((await loadOne(t, 2))!.state, 'x'), 50, 'untouched');
      // Reading the transaction before it follows revisions back and must not go round forever.
      const before = await t.transaction(1);
      equal(before?.tid, 1, 'transaction 1 read');
      equal((await t.objectHistory(2)).length <= 50, true, 'bounded');
      const u = await update(t, 2, { x: 60 }, 'set x again');
      const v = await t.undo(u.tid);
      await damage(t, (db) => db.txlog.update(v.tid, { undoOf: 1 }));
      const w = await another(ctx, t, { verify: 'none' });
      await rejects(w.undo(v.tid), { name: 'UndoRefusedError', message: new RegExp(`its record does not fit the history: it says it undid transaction 1, but object 2 was at transaction ${u.tid} before it`) }, 'undoOf');
      equal(w.info.lastTid, v.tid, 'nothing written');
    },
    'undo of a missing transaction is refused': async (ctx) => {
      const s = await fresh(ctx);
      await rejects(s.undo(99), { name: 'UndoRefusedError', message: /no such transaction/ }, 'missing');
    },
  },

  History: {
    'history lists transactions newest first with notes, origins and objects': async (ctx) => {
      const s = await fresh(ctx);
      await update(s, 2, { x: 2 }, 'one');
      await s.commit({ note: 'two', origin: 'outliner', writes: [{ oid: 1, serial: 1, after: obj(1, 'counter', { n: 1 }) }, { oid: 2, serial: 2, after: obj(2, 'a', { x: 3 }) }] });
      const h = await s.history();
      equal(h.map((t) => [t.tid, t.note]), [[3, 'two'], [2, 'one'], [1, 'Genesis']], 'list');
      equal([h[0]!.origin, h[0]!.oids], ['outliner', [1, 2]], 'origin and objects');
      equal((await s.history({ limit: 1, beforeTid: 3 })).map((t) => t.tid), [2], 'paging');
    },
    'a transaction’s detail has the before- and after-image of each object': async (ctx) => {
      const s = await fresh(ctx);
      await update(s, 2, { x: 2 }, 'one');
      await update(s, 2, { x: 3 }, 'two');
      await update(s, 2, { x: 4 }, 'three');
      const d = (await s.transaction(3))!;
      equal(d.note, 'two', 'note');
      equal([slot(d.changes[0]!.before!, 'x'), slot(d.changes[0]!.after, 'x')], [2, 3], 'before/after');
      const g = (await s.transaction(1))!;
      equal(g.changes.find((c) => c.oid === 2)!.before, null, 'created');
      equal(slot(g.changes.find((c) => c.oid === 2)!.after, 'x'), 1, 'genesis after');
    },
    'an object’s history follows its previous revisions': async (ctx) => {
      const s = await fresh(ctx);
      await update(s, 2, { x: 2 }, 'one');
      await update(s, 1, { n: 1 }, 'other object');
      await update(s, 2, { x: 3 }, 'two');
      const revs = await s.objectHistory(2);
      equal(revs.map((r) => [r.tid, r.note, slot(r.state, 'x')]), [[4, 'two', 3], [2, 'one', 2], [1, 'Genesis', 1]], 'revisions');
    },
  },

  Packable: {
    'pack removes objects the root no longer reaches and keeps the rest': async (ctx) => {
      const s = await fresh(ctx);
      await s.commit({ note: 'unlink a', writes: [{ oid: 0, serial: 1, after: obj(0, 'lobby', { counter: { ref: 1 } }) }] });
      const p = await s.pack(s.info.lastTid + 1);
      equal([p.removedObjects, p.droppedTransactions], [1, 2], 'removed');
      equal((await s.load([0, 1, 2])).map((o) => o.oid), [0, 1], 'kept');
      equal((await s.checkIntegrity()).ok, true, 'image still sound');
    },
    'pack keeps what the kept history refers to, so undo after pack stays sound': async (ctx) => {
      const s = await fresh(ctx);
      const r = await s.commit({ note: 'unlink a', writes: [{ oid: 0, serial: 1, after: obj(0, 'lobby', { counter: { ref: 1 } }) }] });
      const p = await s.pack(r.tid);
      equal([p.removedObjects, p.droppedTransactions], [0, 1], 'a kept for history');
      await s.undo(r.tid);
      equal(slot((await loadOne(s, 0))!.state, 'a'), { ref: 2 }, 'link restored');
      equal((await s.checkIntegrity()).ok, true, 'sound');
    },
    'undo across a pack is refused with the reason': async (ctx) => {
      const s = await fresh(ctx);
      const r = await update(s, 2, { x: 2 });
      await update(s, 2, { x: 3 });
      await s.pack(r.tid + 1);
      await rejects(s.undo(r.tid), { name: 'UndoRefusedError', message: /dropped by pack/ }, 'packed');
      equal((await s.history()).map((t) => t.tid), [3], 'history kept from the pack point');
    },
    'pack removes blobs no object refers to and keeps referenced ones': async (ctx) => {
      const s = await fresh(ctx);
      const kept = await s.putBlob(new Uint8Array([1, 2, 3]));
      const lost = await s.putBlob(new Uint8Array([4, 5]));
      await update(s, 2, { data: kept });
      const p = await s.pack(s.info.lastTid + 1, { blobGraceMs: 0 });
      equal(p.removedBlobs, 1, 'removed blobs');
      ok((await s.loadBlob(kept.blob)) !== undefined, 'kept blob');
      equal(await s.loadBlob(lost.blob), undefined, 'lost blob');
    },
    'a fresh blob not yet committed survives a pack within its grace time': async (ctx) => {
      const s = await fresh(ctx);
      const pending = await s.putBlob(new Uint8Array([9]));
      await s.pack(s.info.lastTid + 1);
      ok((await s.loadBlob(pending.blob)) !== undefined, 'pending blob kept');
    },
  },

  MTStorage: {
    'concurrent commits to different objects all succeed with distinct tids': async (ctx) => {
      const s = await fresh(ctx);
      const t = await another(ctx, s);
      const results = await Promise.all([update(s, 1, { n: 1 }), update(t, 2, { x: 2 }), update(s, 0, { counter: { ref: 1 }, a: { ref: 2 } })]);
      equal(new Set(results.map((r) => r.tid)).size, 3, 'distinct tids');
      equal(Math.max(...results.map((r) => r.tid)), 4, 'last tid');
    },
    'tabs incrementing one counter with retries never lose an update': async (ctx) => {
      const s = await fresh(ctx);
      const t = await another(ctx, s);
      const u = await another(ctx, s);
      const perTab = 8;
      const run = async (store: ImageStore) => {
        for (let i = 0; i < perTab; i++) await increment(store);
      };
      await Promise.all([run(s), run(t), run(u)]);
      equal(slot((await loadOne(s, 1))!.state, 'n'), 3 * perTab, 'counter');
      equal((await s.history({ limit: 1000 })).filter((h) => h.note === 'increment').length, 3 * perTab, 'one transaction per increment');
    },
    'two tabs creating objects from reserved oids never collide': async (ctx) => {
      const s = await fresh(ctx);
      const t = await another(ctx, s);
      const [a, b] = await Promise.all([s.reserveOids(10), t.reserveOids(10)]);
      ok(Math.abs(a - b) >= 10, `blocks ${a} and ${b} do not overlap`);
      ok(a >= 3 && b >= 3, 'after the seed’s oids');
    },
  },

  Recovery: {
    'an image written by a newer format is refused untouched, naming both versions': async (ctx) => {
      const s = await fresh(ctx, lobbySeed(), { formatVersion: 7 });
      s.close();
      const e = await rejects(ImageStore.open('future', s.info.dbName, ctx.options), { name: 'FormatTooNewError', code: 'format-too-new' }, 'too new');
      ok(/format version 7/.test(e.message) && /version 1/.test(e.message), `names both versions: ${e.message}`);
      const again = await another(ctx, s, { formatVersion: 7 });
      equal(again.info.formatVersion, 7, 'still version 7');
      equal(again.info.lastTid, 1, 'untouched');
    },
    'an image from a newer build with more tables is refused and keeps its tables': async (ctx) => {
      const newer = { formatVersion: 9, schemaUpgrades: [{ version: 3, stores: { kernelDisk: 'chunk' } }] };
      const s = await fresh(ctx, lobbySeed(), newer);
      s.close();
      await rejects(ImageStore.open('future', s.info.dbName, ctx.options), { name: 'FormatTooNewError', message: /format version 9/ }, 'too new');
      const idb = ctx.options.indexedDB ?? globalThis.indexedDB;
      const raw = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = idb.open(s.info.dbName);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const tables = [...raw.objectStoreNames].sort();
      const version = raw.version;
      raw.close();
      equal(tables, ['blobs', 'kernelDisk', 'meta', 'objects', 'txlog'], 'tables kept');
      equal(version, 30, 'IndexedDB version kept');
    },
    'an older image is migrated at open, in one transaction': async (ctx) => {
      const s = await fresh(ctx);
      s.close();
      const migrations = [
        {
          from: 1,
          to: 2,
          date: '2026-11-22',
          name: 'add a colour to every object',
          description: 'test step',
          migrate: async (db: ImageDatabase) => {
            await db.objects.toCollection().modify((o) => {
              o.state = { ...o.state, slots: [...o.state.slots, { kind: 'data', name: 'colour', value: 'red' }] };
            });
          },
        },
      ];
      const m = await another(ctx, s, { formatVersion: 2, migrations });
      equal(m.info.formatVersion, 2, 'format');
      equal(slot((await loadOne(m, 2))!.state, 'colour'), 'red', 'migrated');
    },
    'a failing migration leaves the image untouched at its old format': async (ctx) => {
      const s = await fresh(ctx);
      s.close();
      const migrations = [
        {
          from: 1,
          to: 2,
          date: '2026-11-22',
          name: 'half-done step',
          description: 'writes, then fails',
          migrate: async (db: ImageDatabase) => {
            await db.objects.update(2, { serial: 99 });
            throw new Error('step broke');
          },
        },
      ];
      await rejects(another(ctx, s, { formatVersion: 2, migrations }), { code: 'migration-failed', message: /half-done step.*step broke.*untouched at format 1/ }, 'failed migration');
      const again = await another(ctx, s);
      equal([again.info.formatVersion, (await loadOne(again, 2))!.serial], [1, 1], 'untouched');
    },
    'a missing migration step is refused untouched': async (ctx) => {
      const s = await fresh(ctx);
      s.close();
      await rejects(another(ctx, s, { formatVersion: 3, migrations: [] }), { code: 'migration-failed', message: /no migration from format 1 to 2/ }, 'no path');
    },
    'records of the wrong type found at open make the image read-only with a report': async (ctx) => {
      const s = await fresh(ctx);
      await damage(s, (db) => db.objects.put({ oid: 1, serial: 1, state: { oid: 1, name: 5, slots: 'x' } } as never));
      const r = await another(ctx, s, { verify: 'eager' });
      ok(r.readOnly !== undefined, 'read-only');
      ok(r.report!.problems.some((p) => p.table === 'objects' && p.key === 1), `report names object 1: ${JSON.stringify(r.report)}`);
      equal(slot((await loadOne(r, 2))!.state, 'x'), 1, 'the rest still loads');
      await rejects(update(r, 2, { x: 3 }), { code: 'read-only', message: /read-only because/ }, 'writes refused');
    },
    'dangling references found at open make the image read-only with a report': async (ctx) => {
      const s = await fresh(ctx);
      await damage(s, (db) => db.objects.delete(2));
      const r = await another(ctx, s, { verify: 'eager' });
      ok(r.report!.problems.some((p) => /refers to object 2, which is not in the image/.test(p.problem)), 'dangling reported');
      ok(r.readOnly, 'read-only');
    },
    'a damaged meta record opens read-only instead of failing': async (ctx) => {
      const s = await fresh(ctx);
      await damage(s, (db) => db.meta.put({ key: 'image', formatVersion: 1, root: 'zero' } as never));
      const r = await another(ctx, s);
      ok(r.readOnly && /meta record is damaged/.test(r.readOnly), `read-only: ${r.readOnly}`);
    },
    'a small damaged image is read-only as soon as open returns': async (ctx) => {
      const s = await fresh(ctx);
      await damage(s, (db) => db.objects.delete(1));
      const r = await another(ctx, s, { verify: 'auto' });
      ok(r.readOnly && /refers to object 1/.test(r.readOnly), `read-only at once: ${r.readOnly}`);
    },
    'a background check reports damage after a lazy open': async (ctx) => {
      const s = await fresh(ctx);
      await damage(s, (db) => db.objects.put({ oid: 2, serial: 1, state: obj(3, 'wrong oid') }));
      const r = await another(ctx, s, { verify: 'background', verifyDelayMs: 0 });
      const report = await r.integrity;
      ok(report && !report.ok && r.readOnly, 'found in the background');
    },
    'an abort during commit leaves nothing written and says so': async (ctx) => {
      const s = await fresh(ctx, lobbySeed(), { hooks: { duringCommit: (tx) => tx.abort() } });
      await rejects(update(s, 2, { x: 9 }), { code: 'aborted', message: /Nothing from this transaction was written/ }, 'aborted');
      const t = await another(ctx, s);
      equal([t.info.lastTid, slot((await loadOne(t, 2))!.state, 'x')], [1, 1], 'nothing written');
    },
    'a quota failure during commit is reported as storage full; earlier commits are intact': async (ctx) => {
      let fail = false;
      const s = await fresh(ctx, lobbySeed(), {
        hooks: {
          duringCommit: () => {
            if (fail) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          },
        },
      });
      await update(s, 2, { x: 2 });
      fail = true;
      await rejects(update(s, 2, { x: 3 }), { code: 'storage-full', message: /quota exceeded.*earlier commits are safe/ }, 'quota');
      fail = false;
      const t = await another(ctx, s);
      equal([t.info.lastTid, slot((await loadOne(t, 2))!.state, 'x')], [2, 2], 'earlier commit intact');
      await update(s, 2, { x: 4 });
    },
    'a transaction whose end is never reported fails within the time bound': async (ctx) => {
      const s = await fresh(ctx, lobbySeed(), {
        opTimeoutMs: 300,
        hooks: {
          duringCommit: (tx) => {
            tx.oncomplete = null;
            tx.onabort = null;
            tx.onerror = null;
          },
        },
      });
      const started = Date.now();
      await rejects(update(s, 2, { x: 9 }), { code: 'timeout', message: /outcome is unknown/ }, 'bounded');
      ok(Date.now() - started < 2000, 'ended in bounded time');
    },
    'a connection closed under the store ends the next commit with a clear error': async (ctx) => {
      let close = false;
      const s = await fresh(ctx, lobbySeed(), {
        opTimeoutMs: 1000,
        hooks: {
          duringCommit: (_tx, db) => {
            if (close) db.close();
          },
        },
      });
      close = true;
      await update(s, 2, { x: 2 }); // the running transaction still completes
      close = false;
      await rejects(update(s, 2, { x: 3 }), { code: 'closed', message: /closed.*reload the page/i }, 'closed');
      const t = await another(ctx, s);
      equal(slot((await loadOne(t, 2))!.state, 'x'), 2, 'acknowledged commit kept');
    },
    'an upgrade in another tab closes this tab’s image with a clear message': async (ctx) => {
      const s = await fresh(ctx);
      const events: string[] = [];
      s.subscribe((e) => e.type === 'closed' && events.push(e.error.message));
      const newer = await another(ctx, s, { schemaUpgrades: [{ version: 2, stores: { kernelDisk: 'chunk' } }] });
      equal(newer.info.lastTid, 1, 'newer tab opened');
      await eventually(() => events.length > 0, 2000, 'closed event');
      ok(/upgraded or deleted in another tab/.test(events[0]!), events[0]!);
      await rejects(update(s, 2, { x: 3 }), { code: 'closed', message: /upgraded or deleted in another tab/ }, 'old tab refuses writes');
      await update(newer, 2, { x: 4 });
    },
    'an upgrade blocked by another tab’s old connection fails within the time bound': async (ctx) => {
      const s = await fresh(ctx);
      s.close();
      const idb = ctx.options.indexedDB ?? globalThis.indexedDB;
      const stubborn = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = idb.open(s.info.dbName);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      stubborn.onversionchange = () => {
        // An old build that ignores upgrade requests and keeps its connection open.
      };
      ctx.defer(() => stubborn.close());
      const started = Date.now();
      await rejects(another(ctx, s, { blockedTimeoutMs: 300, schemaUpgrades: [{ version: 2, stores: { kernelDisk: 'chunk' } }] }), { code: 'blocked', message: /another tab.*Nothing was changed/ }, 'blocked');
      ok(Date.now() - started < 3000, 'bounded');
      stubborn.close();
      const again = await another(ctx, s);
      equal(again.info.lastTid, 1, 'image intact');
    },
  },
};

/** Writes damage straight into an image's database, as a bug or a bad disk would. */
async function damage(store: ImageStore, fn: (db: ImageDatabase) => Promise<unknown>): Promise<void> {
  store.close();
  const opts = store.options;
  const db = new ImageDatabase(store.info.dbName, opts);
  await db.open();
  await fn(db);
  db.close();
}

/** Every scenario as [suite, name, run], in order. */
export function allScenarios(): [string, string, Scenario][] {
  return Object.entries(suites).flatMap(([suite, scenarios]) => Object.entries(scenarios).map(([name, run]) => [suite, name, run] as [string, string, Scenario]));
}

/** Runs one scenario with cleanups; used by both runners. */
export async function runScenario(run: Scenario, options: StoreOptions): Promise<void> {
  const cleanups: (() => void | Promise<void>)[] = [];
  try {
    await run({ options, defer: (fn) => cleanups.push(fn) });
  } finally {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // Cleanup failures do not hide the scenario's own result.
      }
    }
  }
}
