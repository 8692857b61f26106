// The image registry: which images this browser holds, by the name a person gave them.
// A small Dexie database of its own (`telos-images`) maps names to image databases
// (`telos-image-<uuid>`), so renaming never moves an image's data.
import Dexie, { type Table } from 'dexie';
import { deleteWithinBounds, openWithinBounds } from './database';
import { StoreError, storageError } from './errors';
import { ImageStore } from './image-store';
import type { ImageSeed, StoreOptions } from './types';

export interface ImageEntry {
  name: string;
  dbName: string;
  createdAt: number;
}

export interface RegistryOptions extends StoreOptions {
  /** The registry database's name (tests use their own). */
  registryName?: string;
}

class RegistryDatabase extends Dexie {
  images!: Table<ImageEntry, string>;
  constructor(name: string, options: RegistryOptions) {
    const idb = options.indexedDB ?? globalThis.indexedDB;
    super(name, {
      autoOpen: false,
      cache: 'disabled',
      chromeTransactionDurability: options.durability ?? 'relaxed',
      ...(idb ? { indexedDB: idb, IDBKeyRange: options.IDBKeyRange ?? globalThis.IDBKeyRange } : {}),
    });
    this.version(1).stores({ images: 'name, &dbName' });
  }
}

const MAX_NAME = 200;

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw new StoreError('bad-request', 'An image needs a name that is not empty.');
  if (name.length > MAX_NAME) throw new StoreError('bad-request', `An image name may have at most ${MAX_NAME} characters.`);
  return name;
}

export class ImageRegistry {
  private constructor(
    private readonly db: RegistryDatabase,
    private readonly options: RegistryOptions,
  ) {}

  static async open(options: RegistryOptions = {}): Promise<ImageRegistry> {
    const db = new RegistryDatabase(options.registryName ?? 'telos-images', options);
    await openWithinBounds(db, 'Opening the image list', { blockedTimeoutMs: options.blockedTimeoutMs ?? 5_000, timeoutMs: options.opTimeoutMs ?? 30_000 });
    return new ImageRegistry(db, options);
  }

  close(): void {
    this.db.close();
  }

  async list(): Promise<ImageEntry[]> {
    try {
      return await this.db.images.orderBy('name').toArray();
    } catch (e) {
      throw storageError(e, 'Listing images', 'Nothing was changed.');
    }
  }

  async get(name: string): Promise<ImageEntry | undefined> {
    try {
      return await this.db.images.get(name);
    } catch (e) {
      throw storageError(e, `Finding image “${name}”`, 'Nothing was changed.');
    }
  }

  /** Creates a new image (from `seed`, e.g. the genesis World) and opens it. */
  async create(name: string, seed?: ImageSeed, options: StoreOptions = {}): Promise<ImageStore> {
    checkName(name);
    if (await this.get(name)) throw new StoreError('name-taken', `There is already an image named “${name}”. Choose another name.`);
    const dbName = `telos-image-${globalThis.crypto.randomUUID()}`;
    const opts = { ...this.options, ...options };
    const store = await ImageStore.create(name, dbName, seed, opts);
    try {
      await this.db.images.add({ name, dbName, createdAt: Date.now() });
    } catch (e) {
      store.close();
      await deleteWithinBounds(dbName, `Removing the unfinished image “${name}”`, { indexedDB: opts.indexedDB, blockedTimeoutMs: 2_000 }).catch(() => undefined);
      if ((e as { name?: string }).name === 'ConstraintError')
        throw new StoreError('name-taken', `There is already an image named “${name}”. Choose another name.`);
      throw storageError(e, `Creating image “${name}”`, 'No image was created.');
    }
    return store;
  }

  /** Opens an image by name (lazily: only its meta record is read). */
  async open(name: string, options: StoreOptions = {}): Promise<ImageStore> {
    const entry = await this.get(name);
    if (!entry) throw new StoreError('not-found', `There is no image named “${name}”.`);
    return ImageStore.open(name, entry.dbName, { ...this.options, ...options });
  }

  async rename(from: string, to: string): Promise<void> {
    checkName(to);
    try {
      await this.db.transaction('rw', this.db.images, async () => {
        const entry = await this.db.images.get(from);
        if (!entry) throw new StoreError('not-found', `There is no image named “${from}”.`);
        if (from === to) return;
        if (await this.db.images.get(to)) throw new StoreError('name-taken', `There is already an image named “${to}”. Choose another name.`);
        await this.db.images.delete(from);
        await this.db.images.add({ ...entry, name: to });
      });
    } catch (e) {
      throw storageError(e, `Renaming image “${from}” to “${to}”`, 'The image keeps its old name.');
    }
  }

  /** Deletes an image and all its data. Fails clearly if another tab keeps it open. */
  async delete(name: string): Promise<void> {
    const entry = await this.get(name);
    if (!entry) throw new StoreError('not-found', `There is no image named “${name}”.`);
    await deleteWithinBounds(entry.dbName, `Deleting image “${name}”`, { indexedDB: this.options.indexedDB, blockedTimeoutMs: this.options.blockedTimeoutMs ?? 5_000 });
    try {
      await this.db.images.delete(name);
    } catch (e) {
      throw storageError(e, `Deleting image “${name}”`, 'Its data is gone but its name is still listed; delete it again.');
    }
  }
}
