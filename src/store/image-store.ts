// One open living image: lazy loads, commits with serial checks, the transaction log with
// history and undo, pack, blobs, integrity checks, and cross-tab invalidation.
// See format.ts for the tables and what each record holds.
import Dexie, { type Transaction } from 'dexie';
import { ImageDatabase, openWithinBounds, type DatabaseOptions } from './database';
import { ConflictError, StoreError, UndoRefusedError, FormatTooNewError, storageError, type Conflict } from './errors';
import {
  FORMAT_VERSION,
  MAX_ID,
  MetaSchema,
  ObjectRecordSchema,
  TxRecordSchema,
  recordProblem,
  visitReferences,
  type BlobRecord,
  type ChangeRecord,
  type MetaRecord,
  type ObjectRecord,
  type Oid,
  type StoredState,
  type Tid,
  type TxRecord,
} from './format';
import { MIGRATIONS, migrationPath, type Migration } from './migrations';
import { CrossTabSignal } from './signal';

export interface StoreOptions extends DatabaseOptions {
  /** Check every record when the image opens: 'eager' waits for it, 'background' opens at
   * once and checks after, 'none' skips it, 'auto' (default) is eager for images whose oids
   * stay below EAGER_VERIFY_LIMIT and background above. Problems make the image read-only. */
  verify?: 'auto' | 'eager' | 'background' | 'none';
  /** How long after open the background check starts (default 1.5 s). */
  verifyDelayMs?: number;
  /** Longest any single IndexedDB transaction may take before it is reported failed. */
  opTimeoutMs?: number;
  /** How long an open blocked by another tab's old connection waits before failing. */
  blockedTimeoutMs?: number;
  /** How often to check `meta.lastTid` for other tabs' commits (BroadcastChannel is only a
   * hint: a killed tab sends nothing). 0 turns the check off. */
  syncIntervalMs?: number;
  /** Newest format this code understands and the steps to reach it (tests override). */
  formatVersion?: number;
  migrations?: Migration[];
  /** Test-only fault injection. */
  hooks?: StoreHooks;
}

export interface StoreHooks {
  /** Called inside the commit's IndexedDB transaction, before any write is issued. */
  duringCommit?(tx: IDBTransaction, db: IDBDatabase): void;
}

/** One object written by a commit: the serial it was read at (0: created by this commit)
 * and the state to store. The same shape as the World's WriteRecord (its `before` is not
 * needed: the store logs the stored state it replaces, which the serial check proves equal). */
export interface ObjectWrite {
  oid: Oid;
  serial: Tid;
  after: StoredState;
  before?: StoredState | null;
}

export interface CommitRequest {
  note: string;
  origin?: string;
  writes: ObjectWrite[];
  /** Objects only read, whose serials must still hold (ZODB's readCurrent: no write skew). */
  reads?: { oid: Oid; serial: Tid }[];
  /** The writer's next unallocated oid; the image keeps the largest seen. */
  nextOid?: Oid;
}

export interface CommitResult {
  tid: Tid;
  time: number;
  /** Oids written (the new objects that were reachable, and every existing one). */
  written: Oid[];
  /** New objects not reachable from what the commit wrote: not stored (still transient). */
  unreachable: Oid[];
}

export interface TxSummary {
  tid: Tid;
  time: number;
  note: string;
  origin: string;
  undoOf?: Tid;
  oids: Oid[];
}

export interface TxChange {
  oid: Oid;
  beforeSerial: Tid;
  /** null: the transaction created the object. */
  before: StoredState | null;
  /** undefined: the object was since removed by pack. */
  after: StoredState | undefined;
}

export interface TxDetail extends Omit<TxSummary, 'oids'> {
  changes: TxChange[];
}

export interface Revision {
  tid: Tid;
  time: number;
  note: string;
  state: StoredState;
}

export interface IntegrityProblem {
  table: 'meta' | 'objects' | 'txlog' | 'blobs';
  key: string | number;
  problem: string;
}

export interface IntegrityReport {
  ok: boolean;
  objects: number;
  transactions: number;
  problems: IntegrityProblem[];
}

export interface PackResult {
  removedObjects: number;
  removedBlobs: number;
  droppedTransactions: number;
  packedTid: Tid;
}

export interface ImageInfo {
  name: string;
  dbName: string;
  formatVersion: number;
  root: Oid;
  nextOid: Oid;
  lastTid: Tid;
  packedTid: Tid;
  createdAt: number;
}

export type StoreEvent =
  /** Another tab committed: drop these objects' local copies ('all': history was packed away). */
  | { type: 'invalidate'; fromTid: Tid; toTid: Tid; oids: Oid[] | 'all'; notes: string[] }
  /** The connection is gone (upgraded or deleted by another tab, or closed by the browser). */
  | { type: 'closed'; error: StoreError }
  /** The background integrity check finished; if not ok, the image is now read-only. */
  | { type: 'integrity'; report: IntegrityReport };

/** What a new image starts with: objects committed as transaction 1. */
export interface ImageSeed {
  root: Oid;
  objects: StoredState[];
  nextOid?: Oid;
  note?: string;
}

const DEFAULTS = { opTimeoutMs: 30_000, blockedTimeoutMs: 5_000, syncIntervalMs: 750, verifyDelayMs: 1_500 };
const MAX_PROBLEMS = 200;
/** Images up to this many objects are checked before open returns (a few ms in Chromium). */
export const EAGER_VERIFY_LIMIT = 5_000;

export class ImageStore {
  private closedBy: StoreError | undefined;
  private listeners = new Set<(e: StoreEvent) => void>();
  private lastSeenTid: Tid;
  private ownTids = new Set<Tid>();
  private refreshing: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private signal: CrossTabSignal;
  private _readOnly: string | undefined;
  private _report: IntegrityReport | undefined;
  /** New objects a commit left unstored (unreachable), with the tid the writer was told:
   * a later write of one at that serial is its creation. */
  private transient = new Map<Oid, Tid>();
  /** createdTid of objects this store created or loaded: a writer's copy may lack it. */
  private createdTids = new Map<Oid, Tid>();
  /** How many commits took the one-burst fast path, and how many the careful one. */
  readonly stats = { fastCommits: 0, carefulCommits: 0 };
  /** Resolves when the open-time integrity check is done (at once when it was skipped). */
  readonly integrity: Promise<IntegrityReport | undefined>;

  private constructor(
    readonly name: string,
    private readonly db: ImageDatabase,
    private meta: MetaRecord,
    private readonly options: StoreOptions & typeof DEFAULTS,
  ) {
    this.lastSeenTid = meta.lastTid;
    db.on('versionchange', () => {
      this.markClosed(
        new StoreError(
          'closed',
          `Image “${name}” was upgraded or deleted in another tab, so this tab closed it. Everything committed so far is stored; reload the page to continue.`,
        ),
      );
    });
    db.on('close', () =>
      this.markClosed(
        new StoreError('closed', `The browser closed image “${name}”'s database. Everything acknowledged as committed is stored; reload the page to continue.`),
      ),
    );
    this.signal = new CrossTabSignal(db.name, () => void this.refresh());
    if (options.syncIntervalMs > 0) {
      this.timer = setInterval(() => void this.refresh(), options.syncIntervalMs);
      (this.timer as { unref?: () => void }).unref?.();
    }
    this.integrity = Promise.resolve(undefined);
  }

  /** Opens an image database (lazily: only meta is read), migrating it if it is older. */
  static async open(name: string, dbName: string, opts: StoreOptions = {}): Promise<ImageStore> {
    const options = { ...DEFAULTS, ...opts };
    const supported = options.formatVersion ?? FORMAT_VERSION;
    const db = new ImageDatabase(dbName, options);
    const what = `Opening image “${name}”`;
    await openWithinBounds(db, what, { blockedTimeoutMs: options.blockedTimeoutMs, timeoutMs: options.opTimeoutMs });
    try {
      const raw = await bounded(db.meta.get('image'), options.opTimeoutMs, what);
      if (raw === undefined) throw new StoreError('corrupt', `${what} failed: it has no meta record, so it is not a TelOS image (or its creation never finished). Nothing was changed.`);
      const version = (raw as { formatVersion?: unknown }).formatVersion;
      if (typeof version === 'number' && version > supported) throw new FormatTooNewError(name, version, supported);
      const problem = recordProblem(MetaSchema, raw);
      let meta = raw;
      let readOnly: string | undefined;
      if (problem) {
        readOnly = `its meta record is damaged (${problem})`;
      } else if (meta.formatVersion < supported) {
        meta = await migrate(db, name, meta, supported, options.migrations ?? MIGRATIONS, options.opTimeoutMs);
      }
      const store = new ImageStore(name, db, meta, options);
      store._readOnly = readOnly;
      if (readOnly) {
        store._report = { ok: false, objects: 0, transactions: 0, problems: [{ table: 'meta', key: 'image', problem: problem! }] };
      } else if (options.verify === 'eager' || ((options.verify ?? 'auto') === 'auto' && meta.nextOid <= EAGER_VERIFY_LIMIT)) {
        // Oids are unique and below nextOid, so nextOid bounds the count without a request.
        await store.checkIntegrity();
      } else if (options.verify !== 'none') {
        // Start after the first render has had the database to itself.
        (store as { integrity: Promise<IntegrityReport | undefined> }).integrity = new Promise((r) => setTimeout(r, options.verifyDelayMs)).then(() =>
          store.closed ? undefined : store.checkIntegrity().catch(() => undefined),
        );
      }
      return store;
    } catch (e) {
      db.close();
      throw storageError(e, what, 'Nothing was changed.');
    }
  }

  /** Creates a new image database holding `seed` as transaction 1 (or nothing, lastTid 0). */
  static async create(name: string, dbName: string, seed: ImageSeed | undefined, opts: StoreOptions = {}): Promise<ImageStore> {
    const options = { ...DEFAULTS, ...opts };
    const db = new ImageDatabase(dbName, options);
    const what = `Creating image “${name}”`;
    await openWithinBounds(db, what, { blockedTimeoutMs: options.blockedTimeoutMs, timeoutMs: options.opTimeoutMs });
    try {
      const now = Date.now();
      await bounded(
        db.transaction('rw', [db.objects, db.txlog, db.meta], async () => {
          if (await db.meta.get('image')) throw new StoreError('name-taken', `${what} failed: its database already holds an image.`);
          const objects = seed?.objects ?? [];
          const tid = objects.length ? 1 : 0;
          const maxOid = objects.reduce((m, s) => Math.max(m, s.oid), -1);
          const meta: MetaRecord = {
            key: 'image',
            formatVersion: options.formatVersion ?? FORMAT_VERSION,
            root: seed?.root ?? 0,
            nextOid: Math.max(seed?.nextOid ?? 0, maxOid + 1),
            lastTid: tid,
            packedTid: 0,
            createdAt: now,
          };
          if (tid) {
            const states = objects.map((s) => stampCreated(s, tid));
            void db.objects.bulkAdd(states.map((state) => ({ oid: state.oid, serial: tid, state })));
            void db.txlog.add({ tid, time: now, note: seed?.note ?? 'Genesis', origin: 'genesis', changes: states.map((s) => ({ oid: s.oid, beforeSerial: 0, before: null })) });
          }
          await db.meta.add(meta);
        }),
        options.opTimeoutMs,
        what,
      );
    } catch (e) {
      db.close();
      throw storageError(e, what, 'No image was created.');
    }
    db.close();
    return ImageStore.open(name, dbName, { ...opts, verify: opts.verify ?? 'none' });
  }

  // ---- state --------------------------------------------------------------------------

  get info(): ImageInfo {
    const m = this.meta;
    return { name: this.name, dbName: this.db.name, formatVersion: m.formatVersion, root: m.root, nextOid: m.nextOid, lastTid: m.lastTid, packedTid: m.packedTid, createdAt: m.createdAt };
  }
  get root(): Oid {
    return this.meta.root;
  }
  /** The first oid never handed out, as of the last read of meta. */
  get nextOid(): Oid {
    return this.meta.nextOid;
  }
  /** Why the image is read-only (a damaged record was found), or undefined. */
  get readOnly(): string | undefined {
    return this._readOnly;
  }
  /** The last integrity report, if a check ran. */
  get report(): IntegrityReport | undefined {
    return this._report;
  }
  get closed(): StoreError | undefined {
    return this.closedBy;
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.signal.close();
    this.closedBy ??= new StoreError('closed', `Image “${this.name}” is closed.`);
    this.db.close();
  }

  // ---- reading ------------------------------------------------------------------------

  /** Committed states of these objects, with their serials; absent oids are left out. */
  async load(oids: Oid[]): Promise<{ oid: Oid; state: StoredState; serial: Tid }[]> {
    const what = oids.length === 1 ? `Loading object ${oids[0]}` : `Loading ${oids.length} objects`;
    const records = await this.run('r', [this.db.objects], what, 'Nothing was changed.', () => this.db.objects.bulkGet(oids));
    const out: { oid: Oid; state: StoredState; serial: Tid }[] = [];
    for (const r of records) {
      if (!r) continue;
      out.push({ oid: r.oid, state: r.state, serial: r.serial });
      const created = r.state?.meta?.createdTid;
      if (created !== undefined) this.createdTids.set(r.oid, created);
    }
    return out;
  }

  /** Stored objects in oid order after `afterOid`, at most `limit`: one cursor read, for
   * walking a whole image in batches (export, eager loading) without probing every oid. */
  async scanObjects(afterOid: Oid = -1, limit = 5_000): Promise<{ oid: Oid; state: StoredState; serial: Tid }[]> {
    const records = await this.run('r', [this.db.objects], `Reading objects after ${afterOid}`, 'Nothing was changed.', () =>
      this.db.objects.where('oid').above(afterOid).limit(limit).toArray(),
    );
    return records.map((r) => {
      const created = r.state?.meta?.createdTid;
      if (created !== undefined) this.createdTids.set(r.oid, created);
      return { oid: r.oid, state: r.state, serial: r.serial };
    });
  }

  async loadBlob(id: string): Promise<Blob | undefined> {
    const r = await this.run('r', [this.db.blobs], `Loading blob ${id}`, 'Nothing was changed.', () => this.db.blobs.get(id));
    return r?.data;
  }

  /** How many objects the image holds (cheap: a key count). */
  async countObjects(): Promise<number> {
    return this.run('r', [this.db.objects], 'Counting objects', 'Nothing was changed.', () => this.db.objects.count());
  }

  // ---- writing ------------------------------------------------------------------------

  /** Hands out `count` fresh oids, unique across every tab on this image. */
  async reserveOids(count: number): Promise<Oid> {
    this.assertWritable('Reserving oids');
    const first = await this.run('rw', [this.db.meta], 'Reserving oids', 'Nothing was changed.', async () => {
      const meta = (await this.db.meta.get('image'))!;
      const next = { ...meta, nextOid: meta.nextOid + count };
      await this.db.meta.put(next);
      this.meta = next;
      return meta.nextOid;
    });
    return first;
  }

  /** Stores a large value; refer to it from a state with the returned `{blob, size, type}`.
   * Written before the commit that uses it; pack removes it if no object ever does. */
  async putBlob(data: Blob | ArrayBuffer | Uint8Array, type = ''): Promise<{ blob: string; size: number; type: string }> {
    this.assertWritable('Storing a blob');
    const blob = data instanceof Blob ? data : new Blob([data as BlobPart], { type });
    const id = globalThis.crypto.randomUUID();
    const record: BlobRecord & { time: number } = { id, data: blob, size: blob.size, type: type || blob.type, time: Date.now() };
    await this.run('rw', [this.db.blobs], `Storing a blob of ${blob.size} bytes`, 'Nothing was changed.', () => this.db.blobs.add(record));
    return { blob: id, size: record.size, type: record.type };
  }

  /**
   * Commits one transaction atomically: checks that every written (and read) object's
   * stored serial is still the one read, else ConflictError and nothing is written; stores
   * new objects reachable from what is written; appends the log record; bumps meta.
   * Resolves only after IndexedDB reports the transaction complete.
   */
  async commit(req: CommitRequest): Promise<CommitResult> {
    const note = req.note;
    const what = `Committing “${note}”`;
    this.assertWritable(what);
    checkWrites(req, what);
    const writes = this.transient.size ? req.writes.map((w) => (this.transient.get(w.oid) === w.serial ? { ...w, serial: 0 } : w)) : req.writes;
    const { keep, unreachable } = this.reachableWrites(writes);
    const plan = this.planCommit(req, keep, what);
    // Fast path: when the writer supplies before-images (the World always does), reads and
    // writes go to IndexedDB in one burst and the reads then confirm what the writes assumed;
    // if anything differs, the transaction is aborted and the careful path runs instead.
    let committed: { tid: Tid; meta: MetaRecord } | undefined;
    if (plan.existing.every((w) => w.before)) {
      try {
        committed = await this.fastCommit(plan);
      } catch (e) {
        if (!(e instanceof RetryCarefully) && !(e instanceof StoreError && ['aborted', 'conflict', 'dangling-reference'].includes(e.code)) && !(e instanceof ConflictError)) throw e;
      }
    }
    if (committed) this.stats.fastCommits++;
    else {
      committed = await this.carefulCommit(plan);
      this.stats.carefulCommits++;
    }
    const { tid, meta } = committed;
    this.meta = meta;
    for (const w of plan.created) this.createdTids.set(w.oid, tid);
    for (const w of keep) this.transient.delete(w.oid);
    for (const oid of unreachable) this.transient.set(oid, tid);
    this.noteOwnCommit(tid);
    return { tid, time: plan.time, written: keep.map((w) => w.oid), unreachable };
  }

  /** What a commit needs to read and check, worked out before any transaction starts. */
  private planCommit(req: CommitRequest, keep: ObjectWrite[], what: string) {
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
  private async carefulCommit(plan: ReturnType<ImageStore['planCommit']>): Promise<{ tid: Tid; meta: MetaRecord }> {
    const { existing, reads, outside, blobIds, note, what, req } = plan;
    const tables = blobIds.length ? [this.db.objects, this.db.txlog, this.db.meta, this.db.blobs] : [this.db.objects, this.db.txlog, this.db.meta];
    const none = Promise.resolve([] as undefined[]);
    let committed: { tid: Tid; meta: MetaRecord } | undefined;
    await this.run('rw', tables, what, 'Nothing from this transaction was written; earlier commits are safe.', async (tx) => {
      this.options.hooks?.duringCommit?.(tx.idbtrans, tx.idbtrans.db);
      const reading = Promise.all([
        this.db.meta.get('image'),
        existing.length === 1 ? this.db.objects.get(existing[0]!.oid).then((r) => [r]) : existing.length ? this.db.objects.bulkGet(existing.map((w) => w.oid)) : none,
        reads.length ? this.db.objects.bulkGet(reads.map((r) => r.oid)) : none,
        outside.length ? this.db.objects.bulkGet(outside) : none,
        blobIds.length ? this.db.blobs.bulkGet(blobIds) : none,
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
        await describeConflicts(this.db, conflicts);
        throw new ConflictError(conflicts, note);
      }
      if (missing.length) {
        const from = plan.keep.find((w) => refersTo(w.after, missing[0]!))!.oid;
        throw new StoreError('dangling-reference', `${what} failed: object ${from} refers to object ${missing[0]}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}, which is neither in the image nor written by this transaction. Nothing was written.`);
      }
      if (missingBlob !== undefined) throw new StoreError('dangling-reference', `${what} failed: blob ${missingBlob} is referred to but was never stored (or was packed away). Nothing was written.`);
      if (!meta) throw new StoreError('corrupt', `${what} failed: the image's meta record is missing. Nothing was written.`);
      void req;
      const records = this.commitRecords(plan, meta, current.map((c) => c!.state));
      await this.issueWrites(records, note);
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
  private async fastCommit(plan: ReturnType<ImageStore['planCommit']>): Promise<{ tid: Tid; meta: MetaRecord }> {
    const { existing, reads, outside, blobIds, note, what } = plan;
    const before = this.meta;
    const befores = existing.map((w) => this.withCreatedTid(w.before!, w.oid));
    const records = this.commitRecords(plan, before, befores);
    const idb = this.db.backendDB();
    const names = blobIds.length ? ['objects', 'txlog', 'meta', 'blobs'] : ['objects', 'txlog', 'meta'];
    let tx: IDBTransaction | undefined;
    const work = new Promise<{ tid: Tid; meta: MetaRecord }>((resolve, reject) => {
      try {
        tx = idb.transaction(names, 'readwrite', { durability: this.options.durability ?? 'relaxed' });
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
        this.options.hooks?.duringCommit?.(t, idb);
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
            if (meta && meta.lastTid >= this.meta.lastTid) this.meta = meta;
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
      return await bounded(work, this.options.opTimeoutMs, what, () => {
        try {
          tx?.abort();
        } catch {
          // Already finished.
        }
      });
    } catch (e) {
      if (e instanceof RetryCarefully || e instanceof StoreError) throw e;
      const closedBy = this.closedBy as StoreError | undefined;
      if (closedBy) throw new StoreError('closed', `${what} failed: ${closedBy.message}`, { cause: e });
      void note;
      throw storageError(e, what, 'Nothing from this transaction was written; earlier commits are safe.');
    }
  }

  /** The records a commit writes, given meta and the stored states it replaces. */
  private commitRecords(plan: ReturnType<ImageStore['planCommit']>, meta: MetaRecord, befores: (StoredState | null)[]) {
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
  private issueWrites(r: ReturnType<ImageStore['commitRecords']>, note: string): Promise<unknown> {
    return Promise.all([
      r.existingRecords.length === 1 ? this.db.objects.put(r.existingRecords[0]!) : r.existingRecords.length ? this.db.objects.bulkPut(r.existingRecords) : undefined,
      r.createdRecords.length
        ? this.db.objects.bulkAdd(r.createdRecords).catch((e: unknown) => {
            throw createdElsewhere(e, r.createdRecords, note);
          })
        : undefined,
      this.db.txlog.add(r.log),
      this.db.meta.put(r.meta),
    ]);
  }

  /** A before-image as the writer holds it, with the createdTid the store stamped when this
   * store created the object (the writer's copy never learned it). */
  private withCreatedTid(state: StoredState, oid: Oid): StoredState {
    const tid = this.createdTids.get(oid);
    return tid !== undefined && state.meta?.createdTid === undefined ? { ...state, meta: { ...state.meta, createdTid: tid } } : state;
  }

  /** New objects are stored only when reachable from what the commit writes to objects
   * that already exist (or from the root, when the root itself is new). */
  private reachableWrites(writes: ObjectWrite[]): { keep: ObjectWrite[]; unreachable: Oid[] } {
    const created = new Map<Oid, ObjectWrite>();
    for (const w of writes) if (w.serial === 0) created.set(w.oid, w);
    if (created.size === 0) return { keep: writes, unreachable: [] };
    const reached = new Set<Oid>();
    const stack: StoredState[] = [];
    for (const w of writes) if (w.serial !== 0 || w.oid === this.meta.root) stack.push(w.after);
    if (created.has(this.meta.root)) reached.add(this.meta.root);
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

  // ---- history and undo ----------------------------------------------------------------

  /** The newest transactions first: note, origin, time and the objects each changed. */
  async history(options: { limit?: number; beforeTid?: Tid } = {}): Promise<TxSummary[]> {
    const limit = options.limit ?? 50;
    const records = await this.run('r', [this.db.txlog], 'Reading history', 'Nothing was changed.', () => {
      const range = options.beforeTid !== undefined ? this.db.txlog.where('tid').below(options.beforeTid) : this.db.txlog.toCollection();
      return range.reverse().limit(limit).toArray();
    });
    return records.map((r) => ({ tid: r.tid, time: r.time, note: r.note, origin: r.origin, ...(r.undoOf !== undefined ? { undoOf: r.undoOf } : {}), oids: r.changes.map((c) => c.oid) }));
  }

  /** One transaction with the before- and after-image of every object it changed. */
  async transaction(tid: Tid): Promise<TxDetail | undefined> {
    return this.run('r', [this.db.txlog, this.db.objects], `Reading transaction ${tid}`, 'Nothing was changed.', async () => {
      const rec = await this.db.txlog.get(tid);
      if (!rec) return undefined;
      const cache = new Map<Tid, Map<Oid, ChangeRecord> | null>();
      const changes: TxChange[] = [];
      for (const c of rec.changes) changes.push({ oid: c.oid, beforeSerial: c.beforeSerial, before: c.before, after: await this.stateAt(c.oid, tid, cache) });
      return { tid: rec.tid, time: rec.time, note: rec.note, origin: rec.origin, ...(rec.undoOf !== undefined ? { undoOf: rec.undoOf } : {}), changes };
    });
  }

  /** An object's kept revisions, newest first (following the previous-revision pointers). */
  async objectHistory(oid: Oid, limit = 50): Promise<Revision[]> {
    return this.run('r', [this.db.txlog, this.db.objects], `Reading the history of object ${oid}`, 'Nothing was changed.', async () => {
      const cur = await this.db.objects.get(oid);
      const out: Revision[] = [];
      if (!cur) return out;
      let serial = cur.serial;
      let state: StoredState | null = cur.state;
      while (serial > 0 && state && out.length < limit) {
        const rec = await this.db.txlog.get(serial);
        if (!rec) break;
        out.push({ tid: serial, time: rec.time, note: rec.note, state });
        const c = rec.changes.find((ch) => ch.oid === oid);
        if (!c) break;
        serial = c.beforeSerial;
        state = c.before;
      }
      return out;
    });
  }

  /** The state `oid` had right after transaction `tid`, walking back from the current one. */
  private async stateAt(oid: Oid, tid: Tid, cache: Map<Tid, Map<Oid, ChangeRecord> | null>): Promise<StoredState | undefined> {
    const cur = await this.db.objects.get(oid);
    if (!cur) return undefined;
    let serial = cur.serial;
    let state: StoredState | null = cur.state;
    while (serial > tid) {
      let changes = cache.get(serial);
      if (changes === undefined) {
        const rec = await this.db.txlog.get(serial);
        changes = rec ? new Map(rec.changes.map((c) => [c.oid, c])) : null;
        cache.set(serial, changes);
      }
      const c = changes?.get(oid);
      if (!c) return undefined;
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
  async undo(tid: Tid, options: { note?: string; origin?: string } = {}): Promise<CommitResult> {
    const what = `Undoing transaction ${tid}`;
    this.assertWritable(what);
    const time = Date.now();
    let committed: { tid: Tid; meta: MetaRecord; written: Oid[] } | undefined;
    await this.run('rw', [this.db.objects, this.db.txlog, this.db.meta], what, 'Nothing was written.', async () => {
      const [meta, rec] = await Promise.all([this.db.meta.get('image'), this.db.txlog.get(tid)]);
      if (!rec) {
        throw new UndoRefusedError(tid, tid > 0 && tid < meta!.packedTid ? `its history was dropped by pack (history is kept from transaction ${meta!.packedTid})` : 'there is no such transaction');
      }
      const restore = rec.changes.filter((c) => c.before !== null);
      const current = await this.db.objects.bulkGet(restore.map((c) => c.oid));
      const reasons: string[] = [];
      for (let i = 0; i < restore.length; i++) {
        const cur = current[i];
        const c = restore[i]!;
        if (!cur) reasons.push(`object ${c.oid} was removed by pack`);
        else if (cur.serial !== tid) {
          const later = await this.db.txlog.get(cur.serial);
          reasons.push(`object ${c.oid} (${cur.state.name || 'unnamed'}) was changed since by transaction ${cur.serial}${later ? ` “${later.note}”` : ''}`);
        }
      }
      if (reasons.length) throw new UndoRefusedError(tid, reasons.slice(0, 5).join('; ') + (reasons.length > 5 ? ` and ${reasons.length - 5} more` : ''));
      const restored = new Set(restore.map((c) => c.oid));
      const refs = new Set<Oid>();
      for (const c of restore) visitReferences(c.before, (o) => !restored.has(o) && refs.add(o));
      const refList = [...refs];
      const present = await this.db.objects.bulkGet(refList);
      const gone = refList.filter((_, i) => !present[i]);
      if (gone.length) throw new UndoRefusedError(tid, `restoring it would refer to object ${gone[0]}, which no longer exists (removed by pack)`);
      const newTid = meta!.lastTid + 1;
      const changes: ChangeRecord[] = restore.map((c, i) => ({ oid: c.oid, beforeSerial: tid, before: current[i]!.state }));
      const nextMeta: MetaRecord = { ...meta!, lastTid: newTid };
      await Promise.all([
        this.db.objects.bulkPut(restore.map((c) => ({ oid: c.oid, serial: newTid, state: c.before! }))),
        this.db.txlog.add({ tid: newTid, time, note: options.note ?? `Undo “${rec.note}”`, origin: options.origin ?? 'undo', undoOf: tid, changes }),
        this.db.meta.put(nextMeta),
      ]);
      committed = { tid: newTid, meta: nextMeta, written: restore.map((c) => c.oid) };
    });
    this.meta = committed!.meta;
    this.noteOwnCommit(committed!.tid);
    return { tid: committed!.tid, time, written: committed!.written, unreachable: [] };
  }

  // ---- pack -----------------------------------------------------------------------------

  /**
   * Drops history older than `beforeTid` and removes the objects and blobs that neither the
   * root nor the kept history reaches. One read-write transaction: a crash leaves the image
   * as it was. Blobs younger than `blobGraceMs` are kept (a commit may be about to use them).
   */
  async pack(beforeTid: Tid, options: { blobGraceMs?: number } = {}): Promise<PackResult> {
    const what = `Packing image “${this.name}”`;
    this.assertWritable(what);
    const grace = options.blobGraceMs ?? 10 * 60_000;
    let result: PackResult | undefined;
    await this.run('rw', [this.db.objects, this.db.txlog, this.db.meta, this.db.blobs], what, 'Nothing was removed.', async () => {
      const [meta, objects, kept, blobKeys] = await Promise.all([
        this.db.meta.get('image'),
        this.db.objects.toArray(),
        this.db.txlog.where('tid').aboveOrEqual(beforeTid).toArray(),
        this.db.blobs.toCollection().primaryKeys(),
      ]);
      const byOid = new Map(objects.map((o) => [o.oid, o]));
      const reached = new Set<Oid>();
      const blobsUsed = new Set<string>();
      const stack: Oid[] = [meta!.root];
      const push = (oid: Oid) => {
        if (!reached.has(oid)) {
          reached.add(oid);
          stack.push(oid);
        }
      };
      reached.add(meta!.root);
      for (const rec of kept) for (const c of rec.changes) visitReferences(c.before, push, (b) => blobsUsed.add(b));
      for (const rec of kept) for (const c of rec.changes) if (c.before) push(c.oid);
      while (stack.length) {
        const o = byOid.get(stack.pop()!);
        if (o) visitReferences(o.state, push, (b) => blobsUsed.add(b));
      }
      const dead = objects.filter((o) => !reached.has(o.oid)).map((o) => o.oid);
      const unusedBlobs = blobKeys.filter((k) => !blobsUsed.has(k));
      const blobRecords = unusedBlobs.length ? await this.db.blobs.bulkGet(unusedBlobs) : [];
      const now = Date.now();
      const deadBlobs = unusedBlobs.filter((_, i) => now - ((blobRecords[i] as { time?: number } | undefined)?.time ?? 0) >= grace);
      const dropped = await this.db.txlog.where('tid').below(beforeTid).primaryKeys();
      const packedTid = Math.max(meta!.packedTid, Math.min(beforeTid, meta!.lastTid + 1));
      await Promise.all([
        this.db.objects.bulkDelete(dead),
        this.db.blobs.bulkDelete(deadBlobs),
        this.db.txlog.bulkDelete(dropped),
        this.db.meta.put({ ...meta!, packedTid }),
      ]);
      this.meta = { ...this.meta, packedTid };
      result = { removedObjects: dead.length, removedBlobs: deadBlobs.length, droppedTransactions: dropped.length, packedTid };
    });
    return result!;
  }

  // ---- integrity --------------------------------------------------------------------------

  /** Reads every record and checks its shape and references. Problems make the image
   * read-only (nothing is repaired); the report says which records and why. */
  async checkIntegrity(): Promise<IntegrityReport> {
    const problems: IntegrityProblem[] = [];
    const add = (p: IntegrityProblem) => {
      if (problems.length < MAX_PROBLEMS) problems.push(p);
    };
    const report = await this.run('r', [this.db.objects, this.db.txlog, this.db.meta, this.db.blobs], `Checking image “${this.name}”`, 'Nothing was changed.', async () => {
      const meta = await this.db.meta.get('image');
      const metaProblem = recordProblem(MetaSchema, meta);
      if (metaProblem) add({ table: 'meta', key: 'image', problem: metaProblem });
      const oids = new Set<Oid>();
      const refs: [Oid, Oid][] = [];
      const blobRefs: [Oid, string][] = [];
      let objects = 0;
      await this.db.objects.each((rec, cursor) => {
        objects++;
        const key = cursor.primaryKey as Oid;
        oids.add(key);
        const p = recordProblem(ObjectRecordSchema, rec);
        if (p) return add({ table: 'objects', key, problem: p });
        if (rec.oid !== key || rec.state.oid !== key) return add({ table: 'objects', key, problem: `record says oid ${rec.oid}, its state says ${rec.state.oid}` });
        if (meta && rec.serial > meta.lastTid) add({ table: 'objects', key, problem: `serial ${rec.serial} is newer than the last transaction ${meta.lastTid}` });
        visitReferences(rec.state, (o) => refs.push([key, o]), (b) => blobRefs.push([key, b]));
      });
      for (const [from, to] of refs) if (!oids.has(to)) add({ table: 'objects', key: from, problem: `refers to object ${to}, which is not in the image` });
      if (meta && !metaProblem && objects > 0 && !oids.has(meta.root)) add({ table: 'meta', key: 'image', problem: `the root object ${meta.root} is missing` });
      if (blobRefs.length) {
        const ids = [...new Set(blobRefs.map(([, b]) => b))];
        const found = await this.db.blobs.bulkGet(ids);
        const missing = new Set(ids.filter((_, i) => !found[i]));
        for (const [from, b] of blobRefs) if (missing.has(b)) add({ table: 'objects', key: from, problem: `refers to blob ${b}, which is not in the image` });
      }
      let transactions = 0;
      await this.db.txlog.each((rec, cursor) => {
        transactions++;
        const p = recordProblem(TxRecordSchema, rec);
        if (p) add({ table: 'txlog', key: cursor.primaryKey as Tid, problem: p });
        else if (rec.tid !== cursor.primaryKey) add({ table: 'txlog', key: cursor.primaryKey as Tid, problem: `record says tid ${rec.tid}` });
      });
      return { ok: problems.length === 0, objects, transactions, problems };
    });
    this._report = report;
    if (!report.ok) {
      this._readOnly = `${report.problems.length}${report.problems.length >= MAX_PROBLEMS ? '+' : ''} damaged record(s) were found, the first: ${report.problems[0]!.table} ${report.problems[0]!.key}: ${report.problems[0]!.problem}`;
    }
    this.emit({ type: 'integrity', report });
    return report;
  }

  // ---- other tabs -------------------------------------------------------------------------

  /** Checks `meta.lastTid` and reports other tabs' commits since the last check. Runs on a
   * BroadcastChannel hint, on a timer, and after this tab's own commits. */
  refresh(): Promise<void> {
    if (this.closedBy) return Promise.resolve();
    this.refreshing ??= this.catchUp().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async catchUp(): Promise<void> {
    try {
      const from = this.lastSeenTid;
      const result = await this.run('r', [this.db.meta, this.db.txlog], 'Checking for other tabs’ commits', 'Nothing was changed.', async () => {
        const meta = await this.db.meta.get('image');
        if (!meta || meta.lastTid <= from) return undefined;
        const recs = await this.db.txlog.where('tid').between(from, meta.lastTid, false, true).toArray();
        return { meta, recs };
      });
      if (!result) return;
      const { meta, recs } = result;
      this.meta = { ...this.meta, lastTid: Math.max(this.meta.lastTid, meta.lastTid), nextOid: Math.max(this.meta.nextOid, meta.nextOid), packedTid: meta.packedTid };
      this.lastSeenTid = Math.max(this.lastSeenTid, meta.lastTid);
      const others = recs.filter((r) => !this.ownTids.has(r.tid));
      for (const r of recs) this.ownTids.delete(r.tid);
      const expected = meta.lastTid - from;
      if (recs.length < expected) {
        this.emit({ type: 'invalidate', fromTid: from, toTid: meta.lastTid, oids: 'all', notes: others.map((r) => r.note) });
      } else if (others.length) {
        const oids = [...new Set(others.flatMap((r) => r.changes.map((c) => c.oid)))];
        this.emit({ type: 'invalidate', fromTid: from, toTid: meta.lastTid, oids, notes: others.map((r) => r.note) });
      }
    } catch {
      // A failed check is retried by the next hint or tick; a closed store reports itself.
    }
  }

  private noteOwnCommit(tid: Tid): void {
    this.ownTids.add(tid);
    this.signal.post(tid);
    if (tid === this.lastSeenTid + 1) {
      this.lastSeenTid = tid;
      this.ownTids.delete(tid);
    } else void this.refresh();
  }

  // ---- plumbing ---------------------------------------------------------------------------

  private emit(e: StoreEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's failure is its own; the store carries on.
      }
    }
  }

  private markClosed(error: StoreError): void {
    if (this.closedBy) return;
    this.closedBy = error;
    if (this.timer) clearInterval(this.timer);
    this.signal.close();
    this.emit({ type: 'closed', error });
  }

  private assertWritable(what: string): void {
    if (this.closedBy) throw new StoreError('closed', `${what} failed: ${this.closedBy.message}`);
    if (this._readOnly) throw new StoreError('read-only', `${what} refused: image “${this.name}” is open read-only because ${this._readOnly}. Nothing was written; export what you need or restore the image.`);
  }

  /** Runs one Dexie transaction, bounded in time, turning every failure into a StoreError. */
  private async run<T>(mode: 'r' | 'rw', tables: Dexie.Table[], what: string, unchanged: string, body: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.closedBy) throw new StoreError('closed', `${what} failed: ${this.closedBy.message}`);
    let dexieTx: Transaction | undefined;
    // IndexedDB may abort a transaction with no failed request (Chromium does on quota
    // exhaustion); the abort event's `error` then holds the only reason given.
    let abortReason: { error: DOMException | null } | undefined;
    const work = this.db.transaction(mode, tables, (tx) => {
      dexieTx = tx;
      tx.idbtrans.addEventListener('abort', () => (abortReason = { error: tx.idbtrans.error }));
      return body(tx);
    });
    try {
      return await bounded(work, this.options.opTimeoutMs, what, () => {
        try {
          dexieTx?.abort();
        } catch {
          // Already finished or aborted.
        }
      });
    } catch (e) {
      if (e instanceof ConflictError || e instanceof UndoRefusedError) throw e;
      const closedBy = this.closedBy as StoreError | undefined;
      if (closedBy && !(e instanceof StoreError)) throw new StoreError('closed', `${what} failed: ${closedBy.message}`, { cause: e });
      if (e instanceof StoreError) throw e;
      const txError = (dexieTx?.idbtrans as IDBTransaction | undefined)?.error;
      if (txError?.name === 'QuotaExceededError') throw storageError(txError, what, unchanged);
      if (abortReason) throw storageError(abortReason.error ?? new DOMException('aborted with no reason given', 'AbortError'), what, unchanged);
      if (!this.db.isOpen()) throw storageError(new Dexie.DatabaseClosedError(), what, unchanged);
      throw storageError(e, what, unchanged);
    }
  }
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

/** Waits for a promise at most `ms`; then rejects with a timeout that says the outcome. */
function bounded<T>(p: PromiseLike<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(
        new StoreError(
          'timeout',
          `${what} did not finish within ${ms / 1000} s (IndexedDB never reported the transaction's end). Its outcome is unknown: reload the page to see the image as stored.`,
        ),
      );
    }, ms);
  });
  return Promise.race([Promise.resolve(p), timeout]).finally(() => clearTimeout(timer));
}

async function migrate(db: ImageDatabase, name: string, meta: MetaRecord, to: number, migrations: Migration[], timeoutMs: number): Promise<MetaRecord> {
  const path = migrationPath(migrations, meta.formatVersion, to);
  const what = `Migrating image “${name}” from format ${meta.formatVersion} to ${to}`;
  if (typeof path === 'string') throw new StoreError('migration-failed', `${what} failed: ${path}. Nothing was changed.`);
  let step: Migration | undefined;
  try {
    return await bounded(
      db.transaction('rw', [db.objects, db.txlog, db.blobs, db.meta], async (tx) => {
        for (step of path) await step.migrate(db, tx);
        const next = { ...(await db.meta.get('image'))!, formatVersion: to };
        await db.meta.put(next);
        return next;
      }),
      timeoutMs,
      what,
    );
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new StoreError('migration-failed', `${what} failed at step “${step?.name}” (format ${step?.from} → ${step?.to}): ${detail}. The image was left untouched at format ${meta.formatVersion}.`, { cause: e });
  }
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

function stampCreated(state: StoredState, tid: Tid): StoredState {
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
