// History and undo: the transaction log read newest first, one transaction with the before-
// and after-image of every object it changed, an object's kept revisions, and undo as a new
// transaction writing a transaction's before-images back (refused when that would lose work).
import type { StoreCore } from './core';
import type { ImageDatabase } from './database';
import { UndoRefusedError } from './errors';
import { txOrderProblem, visitReferences, type ChangeRecord, type MetaRecord, type Oid, type StoredState, type Tid, type TxRecord } from './format';
import type { CommitResult, Revision, TxChange, TxDetail, TxSummary } from './types';

/** The newest transactions first: note, origin, time and the objects each changed. */
export async function history(core: StoreCore, options: { limit?: number; beforeTid?: Tid } = {}): Promise<TxSummary[]> {
  const limit = options.limit ?? 50;
  const records = await core.run('r', [core.db.txlog], 'Reading history', 'Nothing was changed.', () => {
    const range = options.beforeTid !== undefined ? core.db.txlog.where('tid').below(options.beforeTid) : core.db.txlog.toCollection();
    return range.reverse().limit(limit).toArray();
  });
  return records.map((r) => ({ tid: r.tid, time: r.time, note: r.note, origin: r.origin, ...(r.undoOf !== undefined ? { undoOf: r.undoOf } : {}), oids: r.changes.map((c) => c.oid), undoable: r.changes.some((c) => c.before !== null) }));
}

/** One transaction with the before- and after-image of every object it changed. */
export async function transaction(core: StoreCore, tid: Tid): Promise<TxDetail | undefined> {
  return core.run('r', [core.db.txlog, core.db.objects], `Reading transaction ${tid}`, 'Nothing was changed.', async () => {
    const rec = await core.db.txlog.get(tid);
    if (!rec) return undefined;
    const cache = new Map<Tid, Map<Oid, ChangeRecord> | null>();
    const changes: TxChange[] = [];
    for (const c of rec.changes) changes.push({ oid: c.oid, beforeSerial: c.beforeSerial, before: c.before, after: await stateAt(core.db, c.oid, tid, cache) });
    return { tid: rec.tid, time: rec.time, note: rec.note, origin: rec.origin, ...(rec.undoOf !== undefined ? { undoOf: rec.undoOf } : {}), changes };
  });
}

/** An object's kept revisions, newest first (following the previous-revision pointers). */
export async function objectHistory(core: StoreCore, oid: Oid, limit = 50): Promise<Revision[]> {
  return core.run('r', [core.db.txlog, core.db.objects], `Reading the history of object ${oid}`, 'Nothing was changed.', async () => {
    const cur = await core.db.objects.get(oid);
    const out: Revision[] = [];
    if (!cur) return out;
    let serial = cur.serial;
    let state: StoredState | null = cur.state;
    while (serial > 0 && state && out.length < limit) {
      const rec = await core.db.txlog.get(serial);
      if (!rec) break;
      out.push({ tid: serial, time: rec.time, note: rec.note, state });
      const c = rec.changes.find((ch) => ch.oid === oid);
      if (!c || !(c.beforeSerial < serial)) break;
      serial = c.beforeSerial;
      state = c.before;
    }
    return out;
  });
}

/**
 * Why a transaction record cannot be undone as it stands (undefined if it can): each change's
 * previous revision must come before the transaction (0 and no before-image for an object it
 * created), and an undo record's changes must all come from the transaction it says it undid.
 */
function recordMisfit(rec: TxRecord, tid: Tid): string | undefined {
  if (rec.tid !== tid) return `it is stored under ${tid} but says it is transaction ${rec.tid}`;
  const order = txOrderProblem(rec);
  if (order) return order;
  for (const c of rec.changes) {
    if ((c.beforeSerial === 0) !== (c.before === null))
      return c.before === null ? `object ${c.oid} has no before-image, yet a previous revision (transaction ${c.beforeSerial})` : `object ${c.oid} has a before-image, yet no previous revision`;
    if (rec.undoOf !== undefined && c.beforeSerial !== rec.undoOf)
      return `it says it undid transaction ${rec.undoOf}, but object ${c.oid} was at transaction ${c.beforeSerial} before it`;
  }
  return undefined;
}

/** The state `oid` had right after transaction `tid`, walking back from the current one. */
async function stateAt(db: ImageDatabase, oid: Oid, tid: Tid, cache: Map<Tid, Map<Oid, ChangeRecord> | null>): Promise<StoredState | undefined> {
  const cur = await db.objects.get(oid);
  if (!cur) return undefined;
  let serial = cur.serial;
  let state: StoredState | null = cur.state;
  while (serial > tid) {
    let changes = cache.get(serial);
    if (changes === undefined) {
      const rec = await db.txlog.get(serial);
      changes = rec ? new Map(rec.changes.map((c) => [c.oid, c])) : null;
      cache.set(serial, changes);
    }
    const c = changes?.get(oid);
    // A previous revision not before this one (a damaged record) would go round forever.
    if (!c || !(c.beforeSerial < serial)) return undefined;
    serial = c.beforeSerial;
    state = c.before;
  }
  return serial === tid && state ? state : undefined;
}

/**
 * Undoes transaction `tid` as a new transaction that writes its before-images back.
 * Refused (UndoRefusedError, nothing written) when an object it changed was changed again
 * since, when its history was packed away, or when a restored state would refer to an
 * object that no longer exists. Objects it created are left to reachability: once nothing
 * refers to them, pack removes them.
 */
export async function undo(core: StoreCore, tid: Tid, options: { note?: string; origin?: string } = {}): Promise<CommitResult> {
  const what = `Undoing transaction ${tid}`;
  core.assertWritable(what);
  const time = Date.now();
  let committed: { tid: Tid; meta: MetaRecord; written: Oid[] } | undefined;
  await core.run('rw', [core.db.objects, core.db.txlog, core.db.meta], what, 'Nothing was written.', async () => {
    const [meta, rec] = await Promise.all([core.db.meta.get('image'), core.db.txlog.get(tid)]);
    if (!rec) {
      throw new UndoRefusedError(tid, tid > 0 && tid < meta!.packedTid ? `its history was dropped by pack (history is kept from transaction ${meta!.packedTid})` : 'there is no such transaction');
    }
    const misfit = recordMisfit(rec, tid);
    if (misfit) throw new UndoRefusedError(tid, `its record does not fit the history: ${misfit}`);
    const restore = rec.changes.filter((c) => c.before !== null);
    if (restore.length === 0) throw new UndoRefusedError(tid, 'it only created objects, which go once nothing refers to them');
    const current = await core.db.objects.bulkGet(restore.map((c) => c.oid));
    const reasons: string[] = [];
    const laters = new Map<Tid, TxRecord | undefined>();
    for (let i = 0; i < restore.length; i++) {
      const cur = current[i];
      const c = restore[i]!;
      if (!cur) reasons.push(`object ${c.oid} was removed by pack`);
      else if (cur.serial !== tid) {
        if (!laters.has(cur.serial)) laters.set(cur.serial, await core.db.txlog.get(cur.serial));
        const later = laters.get(cur.serial);
        reasons.push(`object ${c.oid} (${cur.state.name || 'unnamed'}) was changed since by transaction ${cur.serial}${later ? ` “${later.note}”` : ''}`);
      }
    }
    // Undone already: every object it wrote back was last written by an undo of it.
    const undoneBy = [...laters.values()].find((l) => l?.undoOf === tid);
    if (undoneBy && reasons.length === restore.length && current.every((cur) => cur?.serial === undoneBy.tid)) {
      throw new UndoRefusedError(tid, `it was already undone by transaction ${undoneBy.tid}`);
    }
    if (reasons.length) throw new UndoRefusedError(tid, reasons.slice(0, 5).join('; ') + (reasons.length > 5 ? ` and ${reasons.length - 5} more` : ''));
    const restored = new Set(restore.map((c) => c.oid));
    const refs = new Set<Oid>();
    for (const c of restore) visitReferences(c.before, (o) => !restored.has(o) && refs.add(o));
    const refList = [...refs];
    const present = await core.db.objects.bulkGet(refList);
    const gone = refList.filter((_, i) => !present[i]);
    if (gone.length) throw new UndoRefusedError(tid, `restoring it would refer to object ${gone[0]}, which no longer exists (removed by pack)`);
    const newTid = meta!.lastTid + 1;
    const changes: ChangeRecord[] = restore.map((c, i) => ({ oid: c.oid, beforeSerial: tid, before: current[i]!.state }));
    const nextMeta: MetaRecord = { ...meta!, lastTid: newTid };
    await Promise.all([
      core.db.objects.bulkPut(restore.map((c) => ({ oid: c.oid, serial: newTid, state: c.before! }))),
      core.db.txlog.add({ tid: newTid, time, note: options.note ?? `Undo “${rec.note}”`, origin: options.origin ?? 'undo', undoOf: tid, changes }),
      core.db.meta.put(nextMeta),
    ]);
    committed = { tid: newTid, meta: nextMeta, written: restore.map((c) => c.oid) };
  });
  core.meta = committed!.meta;
  core.onOwnCommit(committed!.tid);
  return { tid: committed!.tid, time, written: committed!.written, unreachable: [] };
}
