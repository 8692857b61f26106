// What the parts of one open image share (commit, history, pack, integrity, sync, and the
// ImageStore in front of them): its database, its meta as last read, the closed and
// read-only state, and the plumbing every part uses: one bounded Dexie transaction that turns
// every failure into a StoreError, and events to subscribers.
import Dexie, { type Transaction } from 'dexie';
import type { ImageDatabase } from './database';
import { ConflictError, StoreError, UndoRefusedError, storageError } from './errors';
import type { MetaRecord, Oid, Tid } from './format';
import type { IntegrityReport, StoreEvent, StoreOptions } from './types';

export const DEFAULTS = { opTimeoutMs: 30_000, blockedTimeoutMs: 5_000, syncIntervalMs: 750, verifyDelayMs: 1_500 };
export type ResolvedOptions = StoreOptions & typeof DEFAULTS;

export class StoreCore {
  /** Why the store is closed (by close(), another tab or the browser), or undefined. */
  closedBy: StoreError | undefined;
  listeners = new Set<(e: StoreEvent) => void>();
  /** Why the image is read-only (a damaged record was found), or undefined. */
  readOnly: string | undefined;
  /** The last integrity report, if a check ran. */
  report: IntegrityReport | undefined;
  /** New objects a commit left unstored (unreachable), with the tid the writer was told:
   * a later write of one at that serial is its creation. */
  transient = new Map<Oid, Tid>();
  /** createdTid of objects this store created or loaded: a writer's copy may lack it. */
  createdTids = new Map<Oid, Tid>();
  /** How many commits took the one-burst fast path, and how many the careful one. */
  readonly stats = { fastCommits: 0, carefulCommits: 0 };
  /** Stops what runs in the background (the sync's timer and channel) when the store closes. */
  onClosed: () => void = () => {};
  /** Tells the sync of this tab's own commit, before the committer hears of it. */
  onOwnCommit: (tid: Tid) => void = () => {};

  constructor(
    readonly name: string,
    readonly db: ImageDatabase,
    /** The image's meta record as this tab last read or wrote it. */
    public meta: MetaRecord,
    readonly options: ResolvedOptions,
  ) {}

  emit(e: StoreEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's failure is its own; the store carries on.
      }
    }
  }

  markClosed(error: StoreError): void {
    if (this.closedBy) return;
    this.closedBy = error;
    this.onClosed();
    this.emit({ type: 'closed', error });
  }

  assertWritable(what: string): void {
    if (this.closedBy) throw new StoreError('closed', `${what} failed: ${this.closedBy.message}`);
    if (this.readOnly) throw new StoreError('read-only', `${what} refused: image “${this.name}” is open read-only because ${this.readOnly}. Nothing was written; export what you need or restore the image.`);
  }

  /** Runs one Dexie transaction, bounded in time, turning every failure into a StoreError. */
  async run<T>(mode: 'r' | 'rw', tables: Dexie.Table[], what: string, unchanged: string, body: (tx: Transaction) => Promise<T>): Promise<T> {
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

/** Waits for a promise at most `ms`; then rejects with a timeout that says the outcome. */
export function bounded<T>(p: PromiseLike<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
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
