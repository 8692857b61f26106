// An image held in plain maps: the command line's image (Node has no IndexedDB), the
// tests' image, and a model of what the store keeps. It is both an export source and,
// through MemoryImageShelf, an import target.
import type { ObjectState, OID } from '../world';
import { importImage, type HistoryTransaction, type ImageDescription, type ImageExportSource, type ImageImportTarget, type ImportOptions, type StoredBlob } from './transfer';

export class MemoryImage implements ImageExportSource {
  name: string;
  root: OID = 0;
  nextOid = 0;
  lastTid = 0;
  createdAt = '';
  readonly objects_ = new Map<OID, { serial: number; state: ObjectState }>();
  readonly blobs_ = new Map<string, StoredBlob>();
  readonly history: HistoryTransaction[] = [];
  disk: Blob | undefined;
  vm: Blob | undefined;
  hdb: Blob | undefined;

  constructor(name: string) {
    this.name = name;
  }

  /** Adds or replaces an object (a copy is not taken: callers hand over their state). */
  put(state: ObjectState, serial = 0): void {
    this.objects_.set(state.oid, { serial, state });
    if (state.oid >= this.nextOid) this.nextOid = state.oid + 1;
  }

  get(oid: OID): ObjectState | undefined {
    return this.objects_.get(oid)?.state;
  }

  async describe(): Promise<ImageDescription> {
    return {
      name: this.name,
      root: this.root,
      nextOid: this.nextOid,
      lastTid: this.lastTid,
      counts: { objects: this.objects_.size, blobs: this.blobs_.size, transactions: this.history.length },
      ...(this.disk ? { disk: this.disk } : {}),
      ...(this.vm ? { vm: this.vm } : {}),
      ...(this.hdb ? { hdb: this.hdb } : {}),
    };
  }

  async *objects() {
    for (const oid of [...this.objects_.keys()].sort((a, b) => a - b)) yield this.objects_.get(oid)!;
  }

  async *blobs() {
    for (const id of [...this.blobs_.keys()].sort()) yield this.blobs_.get(id)!;
  }

  async *transactions() {
    yield* [...this.history].sort((a, b) => a.tid - b.tid);
  }
}

/** A set of named in-memory images that import can add to, as the store's registry does. */
export class MemoryImageShelf {
  readonly images = new Map<string, MemoryImage>();

  /** createTarget for importImage: refuses a name in use, adds the image only when finished. */
  readonly createTarget = async (name: string): Promise<ImageImportTarget> => {
    if (this.images.has(name)) throw new Error(`an image named "${name}" already exists`);
    const image = new MemoryImage(name);
    const shelf = this;
    let finished = false;
    return {
      async putObjects(batch) {
        for (const o of batch) image.objects_.set(o.state.oid, o);
      },
      async putBlob(blob) {
        image.blobs_.set(blob.id, blob);
      },
      async putTransactions(batch) {
        image.history.push(...batch);
      },
      async putMachineState(kind, data) {
        image[kind] = data;
      },
      async finish(meta) {
        image.root = meta.root;
        image.nextOid = meta.nextOid;
        image.lastTid = meta.lastTid;
        image.createdAt = meta.createdAt;
        if (shelf.images.has(name)) throw new Error(`an image named "${name}" already exists`);
        shelf.images.set(name, image);
        finished = true;
      },
      async discard() {
        if (finished) shelf.images.delete(name);
      },
    };
  };
}

/** Reads a whole `.telos` stream into a MemoryImage (validated as by import), e.g. for `telos eval --image`. */
export async function loadImageIntoMemory(input: ReadableStream<Uint8Array>, options: ImportOptions = {}): Promise<MemoryImage> {
  const shelf = new MemoryImageShelf();
  const { name } = await importImage(input, shelf.createTarget, options);
  return shelf.images.get(name)!;
}
