// Commit: one transaction of object writes, atomic, with serial checks (a ConflictError and
// nothing written when an object read changed since). New objects are stored only when
// reachable from what is written. Two paths: the fast one issues every read and write in one
// burst on the raw IndexedDB connection and lets the reads confirm what the writes assumed;
// the careful one reads, checks, then writes in one Dexie transaction, and runs when the
// writer gave no before-images or the fast path found the image not as it assumed.
import Dexie from 'dexie';
import type { StoreCore } from './core';
import { bounded } from './core';
import type { ImageDatabase } from './database';
import { ConflictError, StoreError, storageError, type Conflict } from './errors';
import { MAX_ID, visitReferences, type ChangeRecord, type MetaRecord, type ObjectRecord, type Oid, type StoredState, type Tid, type TxRecord } from './format';
import type { CommitRequest, CommitResult, ObjectWrite } from './types';

type CommitPlan = ReturnType<typeof planCommit>;

/**
 * Commits one transaction atomically: checks that every written (and read) object's
 * stored serial is still the one read, else ConflictError and nothing is written; stores
 * new objects reachable from what is written; appends the log record; bumps meta.
 * Resolves only after IndexedDB reports the transaction complete.
 */
export async function commit(core: StoreCore, req: CommitRequest): Promise<CommitResult> {
  const note = req.note;
  const what = `Committing “${note}”`;
  core.assertWritable(what);
  checkWrites(req, what);
  const writes = core.transient.size ? req.writes.map((w) => (core.transient.get(w.oid) === w.serial ? { ...w, serial: 0 } : w)) : req.writes;
  const { keep, unreachable } = reachableWrites(core, writes);
  const plan = planCommit(req, keep, what);
  // Fast path: when the writer supplies before-images (the World always does), reads and
  // writes go to IndexedDB in one burst and the reads then confirm what the writes assumed;
  // if anything differs, the transaction is aborted and the careful path runs instead.
  let committed: { tid: Tid; meta: MetaRecord } | undefined;
  if (plan.existing.every((w) => w.before)) {
    try {
      committed = await fastCommit(core, plan);
    } catch (e) {
      if (!(e instanceof RetryCarefully) && !(e instanceof StoreError && ['aborted', 'conflict', 'dangling-reference'].includes(e.code)) && !(e instanceof ConflictError)) throw e;
    }
  }
  if (committed) core.stats.fastCommits++;
  else {
    committed = await carefulCommit(core, plan);
    core.stats.carefulCommits++;
  }
  const { tid, meta } = committed;
  core.meta = meta;
  for (const w of plan.created) core.createdTids.set(w.oid, tid);
  for (const w of keep) core.transient.delete(w.oid);
  for (const oid of unreachable) core.transient.set(oid, tid);
  core.onOwnCommit(tid);
  return { tid, time: plan.time, written: keep.map((w) => w.oid), unreachable };
}

/** What a commit needs to read and check, worked out before any transaction starts. */
function planCommit(req: CommitRequest, keep: ObjectWrite[], what: string) {
  const existing = keep.filter((w) => w.serial !== 0);
  const created = keep.filter((w) => w.serial === 0);
  const writeSet = new Set(keep.map((w) => w.oid));
  const outside = new Set<Oid>();
  const blobIds = new Set<string>();
  for (const w of keep)
    visitReferences(
      w.after,
      (oid) => {
        if (!writeSet.has(oid)) outside.add(oid);
      },
      (id) => blobIds.add(id),
    );
  const reads = (req.reads ?? []).filter((r) => !writeSet.has(r.oid));
  for (const r of reads) outside.delete(r.oid);
  return { req, what, note: req.note, time: Date.now(), keep, existing, created, reads, outside: [...outside], blobIds: [...blobIds] };
}

/** The careful path: read, check, then write, all in one Dexie transaction. */
async function carefulCommit(core: StoreCore, plan: CommitPlan): Promise<{ tid: Tid; meta: MetaRecord }> {
  const { existing, reads, outside, blobIds, note, what } = plan;
  const tables = blobIds.length ? [core.db.objects, core.db.txlog, core.db.meta, core.db.blobs] : [core.db.objects, core.db.txlog, core.db.meta];
  const none = Promise.resolve([] as undefined[]);
  let committed: { tid: Tid; meta: MetaRecord } | undefined;
  await core.run('rw', tables, what, 'Nothing from this transaction was written; earlier commits are safe.', async (tx) => {
    core.options.hooks?.duringCommit?.(tx.idbtrans, tx.idbtrans.db);
    const reading = Promise.all([
      core.db.meta.get('image'),
      existing.length === 1 ? core.db.objects.get(existing[0]!.oid).then((r) => [r]) : existing.length ? core.db.objects.bulkGet(existing.map((w) => w.oid)) : none,
      reads.length ? core.db.objects.bulkGet(reads.map((r) => r.oid)) : none,
      outside.length ? core.db.objects.bulkGet(outside) : none,
      blobIds.length ? core.db.blobs.bulkGet(blobIds) : none,
    ]);
    const [meta, current, readRecs, referenced, blobs] = await reading;
    const conflicts: Conflict[] = [];
    existing.forEach((w, i) => {
      const stored = current[i]?.serial ?? 0;
      if (stored !== w.serial) conflicts.push({ oid: w.oid, readSerial: w.serial, storedSerial: stored });
    });
    reads.forEach((r, i) => {
      const stored = readRecs[i]?.serial ?? 0;
      if (stored !== r.serial) conflicts.push({ oid: r.oid, readSerial: r.serial, storedSerial: stored });
    });
    const missing = outside.filter((_, i) => !referenced[i]);
    const missingBlob = blobIds.find((_, i) => !blobs[i]);
    if (conflicts.length) {
      await describeConflicts(core.db, conflicts);
      throw new ConflictError(conflicts, note);
    }
    if (missing.length) {
      const from = plan.keep.find((w) => refersTo(w.after, missing[0]!))!.oid;
      throw new StoreError('dangling-reference', `${what} failed: object ${from} refers to object ${missing[0]}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}, which is neither in the image nor written by this transaction. Nothing was written.`);
    }
    if (missingBlob !== undefined) throw new StoreError('dangling-reference', `${what} failed: blob ${missingBlob} is referred to but was never stored (or was packed away). Nothing was written.`);
    if (!meta) throw new StoreError('corrupt', `${what} failed: the image's meta record is missing. Nothing was written.`);
    const records = commitRecords(plan, meta, current.map((c) => c!.state));
    await issueWrites(core.db, records, note);
    committed = { tid: records.tid, meta: records.meta };
  });
  return committed!;
}

/**
 * The fast path, on the raw IndexedDB connection under Dexie (Dexie's per-request work
 * doubled the cost of a small commit): every read and write is issued at once, assuming
 * meta and the before-images are as this tab last saw them; requests run in order, so the
 * reads answer before any write lands, and if they show anything else the transaction is
 * aborted and RetryCarefully sends the commit down the careful path.
 */
async function fastCommit(core: StoreCore, plan: CommitPlan): Promise<{ tid: Tid; meta: MetaRecord }> {
  const { existing, reads, outside, blobIds, what } = plan;
  const before = core.meta;
  const befores = existing.map((w) => withCreatedTid(core, w.before!, w.oid));
  const records = commitRecords(plan, before, befores);
  const idb = core.db.backendDB();
  const names = blobIds.length ? ['objects', 'txlog', 'meta', 'blobs'] : ['objects', 'txlog', 'meta'];
  let tx: IDBTransaction | undefined;
  const work = new Promise<{ tid: Tid; meta: MetaRecord }>((resolve, reject) => {
    try {
      tx = idb.transaction(names, 'readwrite', { durability: core.options.durability ?? 'relaxed' });
    } catch (e) {
      reject(new Dexie.DatabaseClosedError(e instanceof Error ? e.message : String(e)));
      return;
    }
    const t = tx;
    let retry = false;
    t.oncomplete = () => resolve({ tid: records.tid, meta: records.meta });
    t.onabort = () => {
      const err = t.error;
      // A failed add (another writer took the oid or tid) is for the careful path to name.
      reject(retry || err?.name === 'ConstraintError' ? new RetryCarefully() : (err ?? new DOMException('aborted with no reason given', 'AbortError')));
    };
    t.onerror = (e) => e.stopPropagation();
    try {
      core.options.hooks?.duringCommit?.(t, idb);
      const objects = t.objectStore('objects');
      const got: { result: unknown }[] = [];
      const expected = 1 + existing.length + reads.length + outside.length + blobIds.length;
      const check = () => {
        if (got.length !== expected) return;
        const meta = got[0]!.result as MetaRecord | undefined;
        const at = (i: number) => got[i]!.result as ObjectRecord | undefined;
        let i = 1;
        let same = meta !== undefined && meta.lastTid === before.lastTid && meta.nextOid === before.nextOid && meta.packedTid === before.packedTid && meta.formatVersion === before.formatVersion;
        for (let k = 0; k < existing.length; k++, i++) {
          const cur = at(i);
          same &&= cur !== undefined && cur.serial === existing[k]!.serial && sameState(befores[k]!, cur.state);
        }
        for (let k = 0; k < reads.length; k++, i++) same &&= (at(i)?.serial ?? 0) === reads[k]!.serial;
        for (let k = 0; k < outside.length; k++, i++) same &&= at(i) !== undefined;
        for (let k = 0; k < blobIds.length; k++, i++) same &&= got[i]!.result !== undefined;
        if (!same) {
          if (meta && meta.lastTid >= core.meta.lastTid) core.meta = meta;
          retry = true;
          t.abort();
        }
      };
      const read = (req: IDBRequest) => {
        req.onsuccess = () => {
          got.push(req);
          check();
        };
      };
      // Reads first (they answer in this order), then every write, in one burst.
      const order: IDBRequest[] = [t.objectStore('meta').get('image')];
      for (const w of existing) order.push(objects.get(w.oid));
      for (const r of reads) order.push(objects.get(r.oid));
      for (const o of outside) order.push(objects.get(o));
      for (const b of blobIds) order.push(t.objectStore('blobs').get(b));
      // Answers arrive in issue order; `got` is filled in that order too.
      for (const req of order) read(req);
      for (const r of records.existingRecords) objects.put(r);
      for (const r of records.createdRecords) objects.add(r);
      t.objectStore('txlog').add(records.log);
      t.objectStore('meta').put(records.meta);
    } catch (e) {
      try {
        t.abort();
      } catch {
        // Already aborted (by a hook, say).
      }
      reject(e);
    }
  });
  try {
    return await bounded(work, core.options.opTimeoutMs, what, () => {
      try {
        tx?.abort();
      } catch {
        // Already finished.
      }
    });
  } catch (e) {
    if (e instanceof RetryCarefully || e instanceof StoreError) throw e;
    const closedBy = core.closedBy as StoreError | undefined;
    if (closedBy) throw new StoreError('closed', `${what} failed: ${closedBy.message}`, { cause: e });
    throw storageError(e, what, 'Nothing from this transaction was written; earlier commits are safe.');
  }
}

/** The records a commit writes, given meta and the stored states it replaces. */
function commitRecords(plan: CommitPlan, meta: MetaRecord, befores: (StoredState | null)[]) {
  const { existing, created, req, time, note } = plan;
  const tid = meta.lastTid + 1;
  const changes: ChangeRecord[] = [];
  const existingRecords: ObjectRecord[] = existing.map((w, i) => {
    const before = befores[i]!;
    changes.push({ oid: w.oid, beforeSerial: w.serial, before });
    // The writer's copy may not know the createdTid the store stamped: keep it.
    const createdTid = before?.meta?.createdTid;
    const after = createdTid !== undefined && w.after.meta?.createdTid === undefined ? { ...w.after, meta: { ...w.after.meta, createdTid } } : w.after;
    return { oid: w.oid, serial: tid, state: after };
  });
  const createdRecords: ObjectRecord[] = created.map((w) => {
    changes.push({ oid: w.oid, beforeSerial: 0, before: null });
    return { oid: w.oid, serial: tid, state: stampCreated(w.after, tid) };
  });
  let maxOid = meta.nextOid - 1;
  for (const w of created) if (w.oid > maxOid) maxOid = w.oid;
  const nextMeta: MetaRecord = { ...meta, lastTid: tid, nextOid: Math.max(maxOid + 1, req.nextOid ?? 0) };
  const log: TxRecord = { tid, time, note, origin: req.origin ?? '', changes };
  return { tid, meta: nextMeta, existingRecords, createdRecords, log };
}

/** Issues every write of a commit in one synchronous burst. */
function issueWrites(db: ImageDatabase, r: ReturnType<typeof commitRecords>, note: string): Promise<unknown> {
  return Promise.all([
    r.existingRecords.length === 1 ? db.objects.put(r.existingRecords[0]!) : r.existingRecords.length ? db.objects.bulkPut(r.existingRecords) : undefined,
    r.createdRecords.length
      ? db.objects.bulkAdd(r.createdRecords).catch((e: unknown) => {
          throw createdElsewhere(e, r.createdRecords, note);
        })
      : undefined,
    db.txlog.add(r.log),
    db.meta.put(r.meta),
  ]);
}

/** A before-image as the writer holds it, with the createdTid the store stamped when this
 * store created the object (the writer's copy never learned it). */
function withCreatedTid(core: StoreCore, state: StoredState, oid: Oid): StoredState {
  const tid = core.createdTids.get(oid);
  return tid !== undefined && state.meta?.createdTid === undefined ? { ...state, meta: { ...state.meta, createdTid: tid } } : state;
}

/** New objects are stored only when reachable from what the commit writes to objects
 * that already exist (or from the root, when the root itself is new). */
function reachableWrites(core: StoreCore, writes: ObjectWrite[]): { keep: ObjectWrite[]; unreachable: Oid[] } {
  const created = new Map<Oid, ObjectWrite>();
  for (const w of writes) if (w.serial === 0) created.set(w.oid, w);
  if (created.size === 0) return { keep: writes, unreachable: [] };
  const reached = new Set<Oid>();
  const stack: StoredState[] = [];
  for (const w of writes) if (w.serial !== 0 || w.oid === core.meta.root) stack.push(w.after);
  if (created.has(core.meta.root)) reached.add(core.meta.root);
  while (stack.length) {
    visitReferences(stack.pop(), (oid) => {
      const w = created.get(oid);
      if (w && !reached.has(oid)) {
        reached.add(oid);
        stack.push(w.after);
      }
    });
  }
  if (reached.size === created.size) return { keep: writes, unreachable: [] };
  return {
    keep: writes.filter((w) => w.serial !== 0 || reached.has(w.oid)),
    unreachable: writes.filter((w) => w.serial === 0 && !reached.has(w.oid)).map((w) => w.oid),
  };
}

/** The fast commit path found the image not as it assumed: abort and check carefully. */
class RetryCarefully extends StoreError {
  constructor() {
    super('aborted', 'retry carefully');
  }
}

function sameState(a: StoredState, b: StoredState): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function checkWrites(req: CommitRequest, what: string): void {
  const seen = new Set<Oid>();
  for (const w of req.writes) {
    if (!Number.isSafeInteger(w.oid) || w.oid < 0 || w.oid > MAX_ID) throw new StoreError('bad-request', `${what} failed: ${String(w.oid)} is not a valid oid. Nothing was written.`);
    if (!Number.isSafeInteger(w.serial) || w.serial < 0) throw new StoreError('bad-request', `${what} failed: object ${w.oid} has no valid serial (${String(w.serial)}). Nothing was written.`);
    if (seen.has(w.oid)) throw new StoreError('bad-request', `${what} failed: object ${w.oid} is written twice. Nothing was written.`);
    if (!w.after || typeof w.after !== 'object' || w.after.oid !== w.oid) throw new StoreError('bad-request', `${what} failed: the state written for object ${w.oid} is not that object's state. Nothing was written.`);
    seen.add(w.oid);
  }
}

export function stampCreated(state: StoredState, tid: Tid): StoredState {
  return { ...state, meta: { ...state.meta, createdTid: tid } };
}

function refersTo(state: StoredState, oid: Oid): boolean {
  let found = false;
  visitReferences(state, (o) => (found ||= o === oid));
  return found;
}

/** A failed bulkAdd of new objects means another writer created the same oids first. */
function createdElsewhere(e: unknown, records: ObjectRecord[], note: string): unknown {
  const failures = (e as { failuresByPos?: Record<number, unknown> }).failuresByPos;
  if (!failures) return e;
  const conflicts = Object.keys(failures).map((pos) => ({ oid: records[Number(pos)]!.oid, readSerial: 0, storedSerial: -1 }));
  return new ConflictError(conflicts, note);
}

async function describeConflicts(db: ImageDatabase, conflicts: Conflict[]): Promise<void> {
  const tids = [...new Set(conflicts.map((c) => c.storedSerial).filter((t) => t > 0))];
  const recs = await db.txlog.bulkGet(tids);
  const byTid = new Map(tids.map((t, i) => [t, recs[i]]));
  for (const c of conflicts) {
    const r = byTid.get(c.storedSerial);
    if (r) {
      c.byNote = r.note;
      c.byOrigin = r.origin;
    }
  }
}
