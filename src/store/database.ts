// The Dexie database of one image, and opening it without ever waiting forever: an upgrade
// blocked by another tab's old connection ends in a clear error after a bounded time.
import Dexie, { type Table } from 'dexie';
import { StoreError, storageError } from './errors';
import { TABLES, type BlobRecord, type MetaRecord, type ObjectRecord, type Oid, type Tid, type TxRecord } from './format';

export type Durability = 'relaxed' | 'strict' | 'default';

export interface DatabaseOptions {
  /** IndexedDB durability of every transaction; see README in index.ts for the choice. */
  durability?: Durability;
  /** The IndexedDB factory (fake-indexeddb in Node tests); the global one by default. */
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
  /** Extra schema versions a newer TelOS Studio would declare (tests simulate upgrades). */
  schemaUpgrades?: { version: number; stores: Record<string, string | null> }[];
}

export class ImageDatabase extends Dexie {
  objects!: Table<ObjectRecord, Oid>;
  txlog!: Table<TxRecord, Tid>;
  blobs!: Table<BlobRecord, string>;
  meta!: Table<MetaRecord, string>;

  constructor(dbName: string, options: DatabaseOptions = {}) {
    const idb = options.indexedDB ?? globalThis.indexedDB;
    super(dbName, {
      autoOpen: false,
      cache: 'disabled',
      chromeTransactionDurability: options.durability ?? 'relaxed',
      ...(idb ? { indexedDB: idb, IDBKeyRange: options.IDBKeyRange ?? globalThis.IDBKeyRange } : {}),
    });
    this.version(1).stores(TABLES);
    for (const up of options.schemaUpgrades ?? []) this.version(up.version).stores(up.stores);
  }
}

/** Opens a Dexie database; a `blocked` open fails with a StoreError after `blockedTimeoutMs`
 * and an open that never settles fails after `timeoutMs`, closing the attempt either way. */
export async function openWithinBounds(
  db: Dexie,
  what: string,
  bounds: { blockedTimeoutMs: number; timeoutMs: number },
): Promise<void> {
  let blockedTimer: ReturnType<typeof setTimeout> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bounded = new Promise<never>((_, reject) => {
    const onBlocked = () => {
      if (blockedTimer) return;
      blockedTimer = setTimeout(() => {
        db.close();
        reject(
          new StoreError(
            'blocked',
            `${what} is waiting for another tab that still has the image open with an older TelOS Studio. Close or reload the other tabs showing it, then try again. Nothing was changed.`,
          ),
        );
      }, bounds.blockedTimeoutMs);
    };
    db.on('blocked', onBlocked);
    timer = setTimeout(() => {
      db.close();
      reject(new StoreError('timeout', `${what} did not finish within ${bounds.timeoutMs / 1000} s. Nothing was changed; reload and try again.`));
    }, bounds.timeoutMs);
  });
  try {
    await Promise.race([db.open(), bounded]);
  } catch (e) {
    throw storageError(e, what, 'Nothing was changed.');
  } finally {
    clearTimeout(blockedTimer);
    clearTimeout(timer);
  }
}

/** Deletes a Dexie database, failing clearly (instead of hanging) when another tab blocks it. */
export async function deleteWithinBounds(
  dbName: string,
  what: string,
  options: { indexedDB?: IDBFactory; blockedTimeoutMs: number },
): Promise<void> {
  const idb = options.indexedDB ?? globalThis.indexedDB;
  await new Promise<void>((resolve, reject) => {
    const req = idb.deleteDatabase(dbName);
    let timer: ReturnType<typeof setTimeout> | undefined;
    req.onsuccess = () => {
      clearTimeout(timer);
      resolve();
    };
    req.onerror = () => {
      clearTimeout(timer);
      reject(storageError(req.error, what, 'The image was not deleted.'));
    };
    req.onblocked = () => {
      timer ??= setTimeout(
        () =>
          reject(
            new StoreError(
              'blocked',
              `${what} is waiting for another tab that has the image open. Close the other tabs showing it; the image will be deleted when they close.`,
            ),
          ),
        options.blockedTimeoutMs,
      );
    };
  });
}
