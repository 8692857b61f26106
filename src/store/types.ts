// The store's public shapes: what it is opened with, what a commit asks and answers, what
// history, pack and the integrity check report, and the events it sends to subscribers.
import type { DatabaseOptions } from './database';
import type { StoreError } from './errors';
import type { MetaRecord, Oid, StoredState, Tid } from './format';
import type { Migration } from './migrations';

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
  /** Whether undo has anything to write back: false when the transaction only created objects
   *  (as Genesis did), since undo restores before-images and never removes an object. */
  undoable: boolean;
}

export interface TxChange {
  oid: Oid;
  beforeSerial: Tid;
  /** null: the transaction created the object. */
  before: StoredState | null;
  /** undefined: the object was since removed by pack. */
  after: StoredState | undefined;
}

export interface TxDetail extends Omit<TxSummary, 'oids' | 'undoable'> {
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

/** An image's meta record, with the names it is listed and stored under. */
export interface ImageInfo extends Omit<MetaRecord, 'key'> {
  name: string;
  dbName: string;
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
