// Export from and import into the living image store (src/store), through its public API
// only: an open ImageStore to export, an ImageRegistry to import into.
//
// The store has no bulk-load entry point, so an import is: refuse a name that is taken,
// create an empty image named "<name> (importing…)", store each blob as it arrives (the
// store gives blobs fresh ids; references are rewritten), and at the end, once the whole
// file is verified, commit every object in one transaction noted "Imported …" and rename
// the image to its name. If the tab dies mid-import, what is left says what it is and can
// be deleted from the Images window; any other failure deletes it. Consequences:
// the imported image's history starts at that transaction (the file's history is not
// replayed, and import says so), every serial is that transaction's tid, and objects the
// root does not reach are not stored (the store keeps only what is reachable).
import { StoreError, type ImageRegistry, type ImageStore } from '../store';
import type { ObjectState, Value } from '../world';
import { ImageFileError } from './errors';
import type { ImageHeader } from './format';
import {
  exportImage,
  importImage,
  type ExportOptions,
  type HistoryTransaction,
  type ImageExportSource,
  type ImageImportTarget,
  type ImportOptions,
  type ImportResult,
  type StoredBlob,
} from './transfer';

const BATCH = 2000;

function visitValue(v: Value, onBlob: (b: { blob: string; size: number; type: string }) => void): void {
  if (Array.isArray(v)) for (const x of v) visitValue(x, onBlob);
  else if (v !== null && typeof v === 'object' && 'blob' in v) onBlob(v);
}

function mapBlobs(v: Value, ids: ReadonlyMap<string, string>): Value {
  if (Array.isArray(v)) return v.map((x) => mapBlobs(x, ids));
  if (v !== null && typeof v === 'object' && 'blob' in v) return { blob: ids.get(v.blob) ?? v.blob, size: v.size, type: v.type };
  return v;
}

/** An open image of the store, seen as something to export. */
export function storeExportSource(image: ImageStore): ImageExportSource {
  /** The objects that exist, in OID order, by cursor: probing every OID below nextOid took minutes when it was 10^9. */
  async function* allObjects(): AsyncGenerator<{ serial: number; state: ObjectState }> {
    let after = -1;
    for (;;) {
      const found = await image.scanObjects(after, BATCH);
      if (found.length === 0) return;
      for (const f of found) yield { serial: f.serial, state: f.state };
      after = found[found.length - 1]!.oid;
    }
  }
  let blobTypes: Map<string, { size: number; type: string }> | null = null;
  const referencedBlobs = async () => {
    if (blobTypes) return blobTypes;
    const found = new Map<string, { size: number; type: string }>();
    for await (const { state } of allObjects()) {
      for (const s of state.slots) if (s.kind === 'data') visitValue(s.value, (b) => found.has(b.blob) || found.set(b.blob, { size: b.size, type: b.type }));
    }
    return (blobTypes = found);
  };
  const allTids = async (): Promise<number[]> => {
    const tids: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await image.history({ limit: 500, ...(before !== undefined ? { beforeTid: before } : {}) });
      if (page.length === 0) break;
      for (const t of page) tids.push(t.tid);
      before = page[page.length - 1]!.tid;
    }
    return tids.reverse();
  };
  let tidList: number[] | null = null;
  return {
    async describe() {
      const info = image.info;
      const [objects, blobs] = await Promise.all([image.countObjects(), referencedBlobs()]);
      tidList = await allTids();
      return {
        name: image.name,
        root: info.root,
        nextOid: info.nextOid,
        lastTid: info.lastTid,
        counts: { objects, blobs: blobs.size, transactions: tidList.length },
      };
    },
    objects: allObjects,
    async *blobs(): AsyncGenerator<StoredBlob> {
      const refs = await referencedBlobs();
      for (const id of [...refs.keys()].sort()) {
        const data = await image.loadBlob(id);
        if (!data) throw new ImageFileError(`blob "${id}" is referred to by an object but is missing from image "${image.name}"`);
        yield { id, type: refs.get(id)!.type, size: data.size, data };
      }
    },
    async *transactions(): AsyncGenerator<HistoryTransaction> {
      for (const tid of tidList ?? (await allTids())) {
        const t = await image.transaction(tid);
        if (!t) throw new ImageFileError(`transaction ${tid} disappeared from image "${image.name}" during export`);
        yield {
          tid: t.tid,
          time: t.time,
          note: t.note,
          origin: t.origin,
          ...(t.undoOf !== undefined ? { undoOf: t.undoOf } : {}),
          changes: t.changes.map((c) => ({ oid: c.oid, beforeSerial: c.beforeSerial, before: c.before })),
        };
      }
    },
  };
}

/** Exports an open image of the store as `.telos` bytes (gzip), streamed. */
export async function exportStoreImage(image: ImageStore, options: ExportOptions = {}): Promise<ReadableStream<Uint8Array>> {
  return exportImage(storeExportSource(image), options);
}

/** The name an image has while it is being imported. */
export function importingName(name: string): string {
  return `${name} (importing…)`;
}

/** createTarget for importImage: a new image in this registry, deleted again on failure. */
export function storeImportTarget(registry: ImageRegistry): (name: string, header: ImageHeader) => Promise<ImageImportTarget> {
  return async (name, header) => {
    if (await registry.get(name)) throw new StoreError('name-taken', `There is already an image named “${name}”. Choose another name.`);
    const working = importingName(name);
    const image = await registry.create(working);
    const states: ObjectState[] = [];
    const blobIds = new Map<string, string>();
    let history = 0;
    let closed = false;
    let renamed = false;
    return {
      async putObjects(batch) {
        for (const o of batch) states.push(o.state);
      },
      async putBlob(blob) {
        const ref = await image.putBlob(blob.data, blob.type);
        blobIds.set(blob.id, ref.blob);
      },
      async putTransactions(batch) {
        history += batch.length;
      },
      async finish(meta) {
        if (meta.root !== image.root) {
          throw new ImageFileError(`the image's root is object ${meta.root}; the store keeps images rooted at object ${image.root}`);
        }
        const writes = states.map((s) => {
          const after: ObjectState = blobIds.size
            ? { ...s, slots: s.slots.map((slot) => (slot.kind === 'data' ? { ...slot, value: mapBlobs(slot.value, blobIds) } : slot)) }
            : s;
          return { oid: s.oid, serial: 0, after };
        });
        const source = header.name ? `“${header.name}”` : 'a .telos file';
        const result = await image.commit({ note: `Imported ${source}`, origin: 'import', writes, nextOid: meta.nextOid });
        image.close();
        closed = true;
        await registry.rename(working, name);
        renamed = true;
        const notes: string[] = [];
        if (history > 0) notes.push(`history of ${history} transactions: the imported image starts its history at the import`);
        if (result.unreachable.length > 0) notes.push(`${result.unreachable.length} objects the root does not reach (the store keeps only reachable objects)`);
        return notes;
      },
      async discard() {
        if (!closed) image.close();
        closed = true;
        if (!renamed) await registry.delete(working);
      },
    };
  };
}

/** Imports a `.telos` stream as a new image in the registry; see importImage for errors. */
export function importIntoStore(registry: ImageRegistry, input: ReadableStream<Uint8Array>, options: ImportOptions = {}): Promise<ImportResult> {
  return importImage(input, storeImportTarget(registry), options);
}
