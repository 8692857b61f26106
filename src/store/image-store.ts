// One open living image: lazy loads, commits with serial checks, the transaction log with
// history and undo, pack, blobs, integrity checks, and cross-tab invalidation.
// See format.ts for the tables and what each record holds. ImageStore is the front: it opens
// and creates images and hands each operation to the module of its concern:
//   objects.ts    single-request reads and writes (objects, blobs, oids)
//   commit.ts     commits: plan, the careful path, the fast path
//   history.ts    history, a transaction's changes, an object's revisions, undo
//   pack.ts       pack
//   integrity.ts  the integrity check
//   sync.ts       other tabs' commits (refresh, catch-up, the cross-tab signal)
//   core.ts       the state they share and the bounded-transaction plumbing
import { commit, stampCreated } from './commit';
import { StoreCore, DEFAULTS, bounded } from './core';
import { ImageDatabase, openWithinBounds } from './database';
import { StoreError, FormatTooNewError, storageError } from './errors';
import { FORMAT_VERSION, MetaSchema, recordProblem, type MetaRecord, type Oid, type StoredState, type Tid } from './format';
import { history, objectHistory, transaction, undo } from './history';
import { checkIntegrity } from './integrity';
import { MIGRATIONS, migrate } from './migrations';
import { countObjects, load, loadBlob, putBlob, reserveOids, scanObjects } from './objects';
import { pack } from './pack';
import { StoreSync } from './sync';
import type {
  CommitRequest,
  CommitResult,
  ImageInfo,
  ImageSeed,
  IntegrityReport,
  PackResult,
  Revision,
  StoreEvent,
  StoreOptions,
  TxDetail,
  TxSummary,
} from './types';

/** Images up to this many objects are checked before open returns (a few ms in Chromium). */
export const EAGER_VERIFY_LIMIT = 5_000;

export class ImageStore {
  private readonly core: StoreCore;
  private readonly sync: StoreSync;
  /** How many commits took the one-burst fast path, and how many the careful one. */
  readonly stats: { fastCommits: number; carefulCommits: number };
  /** Resolves when the open-time integrity check is done (at once when it was skipped). */
  readonly integrity: Promise<IntegrityReport | undefined>;

  private constructor(
    readonly name: string,
    db: ImageDatabase,
    meta: MetaRecord,
    options: StoreOptions & typeof DEFAULTS,
  ) {
    this.core = new StoreCore(name, db, meta, options);
    this.sync = new StoreSync(this.core);
    this.core.onClosed = () => this.sync.stop();
    this.core.onOwnCommit = (tid) => this.sync.noteOwnCommit(tid);
    this.stats = this.core.stats;
    db.on('versionchange', () => {
      this.core.markClosed(
        new StoreError(
          'closed',
          `Image “${name}” was upgraded or deleted in another tab, so this tab closed it. Everything committed so far is stored; reload the page to continue.`,
        ),
      );
    });
    db.on('close', () =>
      this.core.markClosed(
        new StoreError('closed', `The browser closed image “${name}”'s database. Everything acknowledged as committed is stored; reload the page to continue.`),
      ),
    );
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
      store.core.readOnly = readOnly;
      if (readOnly) {
        store.core.report = { ok: false, objects: 0, transactions: 0, problems: [{ table: 'meta', key: 'image', problem: problem! }] };
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
    const m = this.core.meta;
    return { name: this.name, dbName: this.core.db.name, formatVersion: m.formatVersion, root: m.root, nextOid: m.nextOid, lastTid: m.lastTid, packedTid: m.packedTid, createdAt: m.createdAt };
  }
  get root(): Oid {
    return this.core.meta.root;
  }
  /** The first oid never handed out, as of the last read of meta. */
  get nextOid(): Oid {
    return this.core.meta.nextOid;
  }
  /** Why the image is read-only (a damaged record was found), or undefined. */
  get readOnly(): string | undefined {
    return this.core.readOnly;
  }
  /** The last integrity report, if a check ran. */
  get report(): IntegrityReport | undefined {
    return this.core.report;
  }
  get closed(): StoreError | undefined {
    return this.core.closedBy;
  }
  /** The options it was opened with (the conformance harness reopens its database with them). */
  get options(): Readonly<StoreOptions> {
    return this.core.options;
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.core.listeners.add(listener);
    return () => this.core.listeners.delete(listener);
  }

  close(): void {
    this.sync.stop();
    this.core.closedBy ??= new StoreError('closed', `Image “${this.name}” is closed.`);
    this.core.db.close();
  }

  // ---- reading and writing (objects.ts, commit.ts) -----------------------------------------

  /** Committed states of these objects, with their serials; absent oids are left out. */
  load(oids: Oid[]): Promise<{ oid: Oid; state: StoredState; serial: Tid }[]> {
    return load(this.core, oids);
  }
  /** Stored objects in oid order after `afterOid`, at most `limit`: one cursor read, for
   * walking a whole image in batches (export, eager loading) without probing every oid. */
  scanObjects(afterOid: Oid = -1, limit = 5_000): Promise<{ oid: Oid; state: StoredState; serial: Tid }[]> {
    return scanObjects(this.core, afterOid, limit);
  }
  loadBlob(id: string): Promise<Blob | undefined> {
    return loadBlob(this.core, id);
  }
  /** How many objects the image holds (cheap: a key count). */
  countObjects(): Promise<number> {
    return countObjects(this.core);
  }
  /** Hands out `count` fresh oids, unique across every tab on this image. */
  reserveOids(count: number): Promise<Oid> {
    return reserveOids(this.core, count);
  }
  /** Stores a large value; refer to it from a state with the returned `{blob, size, type}`.
   * Written before the commit that uses it; pack removes it if no object ever does. */
  putBlob(data: Blob | ArrayBuffer | Uint8Array, type = ''): Promise<{ blob: string; size: number; type: string }> {
    return putBlob(this.core, data, type);
  }

  /**
   * Commits one transaction atomically: checks that every written (and read) object's
   * stored serial is still the one read, else ConflictError and nothing is written; stores
   * new objects reachable from what is written; appends the log record; bumps meta.
   * Resolves only after IndexedDB reports the transaction complete.
   */
  commit(req: CommitRequest): Promise<CommitResult> {
    return commit(this.core, req);
  }

  // ---- history and undo (history.ts) --------------------------------------------------------

  /** The newest transactions first: note, origin, time and the objects each changed. */
  history(options: { limit?: number; beforeTid?: Tid } = {}): Promise<TxSummary[]> {
    return history(this.core, options);
  }
  /** One transaction with the before- and after-image of every object it changed. */
  transaction(tid: Tid): Promise<TxDetail | undefined> {
    return transaction(this.core, tid);
  }
  /** An object's kept revisions, newest first (following the previous-revision pointers). */
  objectHistory(oid: Oid, limit = 50): Promise<Revision[]> {
    return objectHistory(this.core, oid, limit);
  }
  /** Undoes transaction `tid` as a new transaction that writes its before-images back (see history.ts). */
  undo(tid: Tid, options: { note?: string; origin?: string } = {}): Promise<CommitResult> {
    return undo(this.core, tid, options);
  }

  // ---- pack, integrity, other tabs ------------------------------------------------------------

  /** Drops history older than `beforeTid` and what nothing kept reaches (see pack.ts). */
  pack(beforeTid: Tid, options: { blobGraceMs?: number } = {}): Promise<PackResult> {
    return pack(this.core, beforeTid, options);
  }
  /** Reads every record and checks its shape and references. Problems make the image
   * read-only (nothing is repaired); the report says which records and why. */
  checkIntegrity(): Promise<IntegrityReport> {
    return checkIntegrity(this.core);
  }
  /** Checks `meta.lastTid` and reports other tabs' commits since the last check. Runs on a
   * BroadcastChannel hint, on a timer, and after this tab's own commits. */
  refresh(): Promise<void> {
    return this.sync.refresh();
  }
}
