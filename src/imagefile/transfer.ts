// Export an image to a `.telos` stream and import one into a new image. Both sides talk to
// the image through two small interfaces (ImageExportSource, ImageImportTarget), so the same
// code serves the IndexedDB store in the browser, the in-memory image of the command line
// and the tests. Import creates its target only after the header is valid, writes in
// batches as records arrive, and on any failure — a bad record, a checksum mismatch at the
// very end, a store error — discards everything it created before rethrowing.
import type { ObjectState, OID } from '../world';
import { base64ToBytes, bytesToBase64 } from './base64';
import { stateFromFile, stateToFile } from './convert';
import { ImageFileError, ImageImportError } from './errors';
import {
  BLOB_CHUNK_BYTES,
  IMAGE_FORMAT,
  IMAGE_FORMAT_VERSION,
  type ImageHeader,
  type ImageRecord,
  type TxRecord as FileTxRecord,
} from './format';
import { readImageFile, type ImageReadLimits, type ImageReadProgress, type ImageReadSummary } from './reader';
import { writeImageFile } from './writer';

/** A transaction of the history as the store's txlog holds it (before-images only). */
export interface HistoryTransaction {
  tid: number;
  time: number;
  note: string;
  origin: string;
  undoOf?: number;
  changes: { oid: OID; beforeSerial: number; before: ObjectState | null }[];
}

export interface StoredBlob {
  id: string;
  /** Media type. */
  type: string;
  size: number;
  data: Blob;
}

export interface ImageDescription {
  /** Suggested name for the image when it is imported. */
  name?: string;
  root: OID;
  nextOid?: number;
  lastTid?: number;
  counts: { objects: number; blobs: number; transactions: number };
  /** Kernel disk, file-system disk (hdb) and saved VM state, when the image has them. */
  disk?: Blob;
  hdb?: Blob;
  vm?: Blob;
}

/** What export reads. Objects in ascending OID order, blobs by id, history by tid. */
export interface ImageExportSource {
  describe(): Promise<ImageDescription>;
  objects(): AsyncIterable<{ serial: number; state: ObjectState }>;
  blobs(): AsyncIterable<StoredBlob>;
  /** History, oldest first; only read when the export asks for it. */
  transactions(): AsyncIterable<HistoryTransaction>;
}

/** What import writes into: one new image, created for this import. */
export interface ImageImportTarget {
  putObjects(batch: { serial: number; state: ObjectState }[]): Promise<void>;
  putBlob(blob: StoredBlob): Promise<void>;
  putTransactions(batch: HistoryTransaction[]): Promise<void>;
  /** Kernel disk or VM state (reserved); a target without it ignores them, and import says so. */
  putMachineState?(kind: 'disk' | 'vm' | 'hdb', data: Blob): Promise<void>;
  /**
   * Everything arrived and was verified: write the image's meta and make it visible.
   * May answer notes on what the target could not keep as it was (shown to the user).
   */
  finish(meta: { root: OID; nextOid: number; lastTid: number; createdAt: string }): Promise<string[] | void>;
  /** Something failed: delete everything this target created. Must not throw for a half-made image. */
  discard(): Promise<void>;
}

export interface ExportOptions {
  /** Include the transaction history (default false: objects and blobs only). */
  includeHistory?: boolean;
  /** Creation time written to the header (default: now). */
  createdAt?: Date;
  /** Called as records are written, with the total expected. */
  onProgress?(p: { records: number; totalRecords: number }): void;
  /** The reader's limits the file must keep within (default: the reader's defaults). */
  limits?: Partial<ImageReadLimits>;
}

function blobChunks(size: number): number {
  return size === 0 ? 1 : Math.ceil(size / BLOB_CHUNK_BYTES);
}

async function* chunkRecords(kind: 'disk' | 'vm', data: Blob): AsyncGenerator<ImageRecord> {
  const size = data.size;
  for (let offset = 0; offset < size || (offset === 0 && size === 0); offset += BLOB_CHUNK_BYTES) {
    const bytes = new Uint8Array(await data.slice(offset, offset + BLOB_CHUNK_BYTES).arrayBuffer());
    yield { type: kind, offset, size, data: bytesToBase64(bytes) };
    if (size === 0) break;
  }
}

/** Offsets of the hdb's chunks that are not all zeros (a blank disk: none). */
async function hdbChunkOffsets(data: Blob): Promise<number[]> {
  const offsets: number[] = [];
  for (let offset = 0; offset < data.size; offset += BLOB_CHUNK_BYTES) {
    const bytes = new Uint8Array(await data.slice(offset, offset + BLOB_CHUNK_BYTES).arrayBuffer());
    if (bytes.some((b) => b !== 0)) offsets.push(offset);
  }
  return offsets;
}

/** The hdb as sparse records: its non-zero chunks, or one empty chunk for a blank disk. */
async function* hdbRecords(data: Blob, offsets: number[]): AsyncGenerator<ImageRecord> {
  if (offsets.length === 0) yield { type: 'hdb', offset: 0, size: data.size, data: '' };
  for (const offset of offsets) {
    const bytes = new Uint8Array(await data.slice(offset, offset + BLOB_CHUNK_BYTES).arrayBuffer());
    yield { type: 'hdb', offset, size: data.size, data: bytesToBase64(bytes) };
  }
}

/** Streams an image out as `.telos` bytes (gzip). */
export async function exportImage(source: ImageExportSource, options: ExportOptions = {}): Promise<ReadableStream<Uint8Array>> {
  const d = await source.describe();
  const includeHistory = options.includeHistory ?? false;
  const machineChunks = (b: Blob | undefined) => (b ? blobChunks(b.size) : 0);
  const hdbOffsets = d.hdb ? await hdbChunkOffsets(d.hdb) : [];
  const header: ImageHeader = {
    format: IMAGE_FORMAT,
    version: IMAGE_FORMAT_VERSION,
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    root: d.root,
    counts: {
      obj: d.counts.objects,
      blob: d.counts.blobs,
      tx: includeHistory ? d.counts.transactions : 0,
      disk: machineChunks(d.disk),
      vm: machineChunks(d.vm),
    },
  };
  if (d.name !== undefined) header.name = d.name;
  if (d.nextOid !== undefined) header.nextOid = d.nextOid;
  if (d.lastTid !== undefined) header.lastTid = d.lastTid;
  if (d.hdb) header.counts.hdb = Math.max(1, hdbOffsets.length);

  async function* records(): AsyncGenerator<ImageRecord> {
    for await (const { serial, state } of source.objects()) {
      yield { type: 'obj', oid: state.oid, serial, state: stateToFile(state) };
    }
    for await (const blob of source.blobs()) {
      if (blob.data.size !== blob.size) throw new ImageFileError(`blob "${blob.id}" holds ${blob.data.size} bytes but is recorded as ${blob.size}`);
      for (let offset = 0, n = blobChunks(blob.size); n > 0; n--, offset += BLOB_CHUNK_BYTES) {
        const bytes = new Uint8Array(await blob.data.slice(offset, offset + BLOB_CHUNK_BYTES).arrayBuffer());
        yield { type: 'blob', id: blob.id, mediaType: blob.type, size: blob.size, offset, data: bytesToBase64(bytes) };
      }
    }
    if (includeHistory) {
      for await (const tx of source.transactions()) {
        const rec: FileTxRecord = {
          type: 'tx',
          tid: tx.tid,
          time: tx.time,
          note: tx.note,
          origin: tx.origin,
          changes: tx.changes.map((c) => ({ oid: c.oid, beforeSerial: c.beforeSerial, before: c.before && stateToFile(c.before) })),
        };
        if (tx.undoOf !== undefined) rec.undoOf = tx.undoOf;
        yield rec;
      }
    }
    if (d.disk) yield* chunkRecords('disk', d.disk);
    if (d.vm) yield* chunkRecords('vm', d.vm);
    if (d.hdb) yield* hdbRecords(d.hdb, hdbOffsets);
  }

  const totalRecords = header.counts.obj + header.counts.tx + header.counts.disk + header.counts.vm + (header.counts.hdb ?? 0);
  return writeImageFile(header, records(), {
    limits: options.limits,
    progress: (n) => options.onProgress?.({ records: n, totalRecords }),
  });
}

export interface ImportOptions {
  /** Name of the new image (default: the name in the file's header, else "imported"). */
  name?: string;
  limits?: Partial<ImageReadLimits>;
  signal?: AbortSignal;
  onProgress?(p: ImageReadProgress): void;
  /** Objects per putObjects call (default 2,000). */
  batchSize?: number;
}

export interface ImportResult {
  name: string;
  summary: ImageReadSummary;
  /** Things the file held that the target could not keep (e.g. kernel disk on a store without a Machine). */
  skipped: string[];
}

/**
 * Reads a `.telos` stream into a new image. `createTarget` is called once, after the header
 * is valid, with the name to use; it must create a new, empty image (and refuse a name that
 * exists). On any failure the target is discarded and the error rethrown: an ImageFileError
 * for a bad file (naming line, record and reason), an ImageImportError for a store failure.
 */
export async function importImage(
  input: ReadableStream<Uint8Array>,
  createTarget: (name: string, header: ImageHeader) => Promise<ImageImportTarget>,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const batchSize = options.batchSize ?? 2000;
  let target: ImageImportTarget | null = null;
  let name = options.name ?? 'imported';
  let objects: { serial: number; state: ObjectState }[] = [];
  let txs: HistoryTransaction[] = [];
  let blobParts: Uint8Array[] = [];
  let blobFilled = 0;
  const machine: Record<'disk' | 'vm', Uint8Array[]> = { disk: [], vm: [] };
  /** The hdb, zeros where the file has no chunk (its size was checked before this is made). */
  let hdb: Uint8Array | null = null;
  const skipped: string[] = [];

  const store = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof ImageFileError || e instanceof ImageImportError) throw e;
      throw new ImageImportError(`the store failed while ${what}: ${(e as Error)?.message ?? String(e)}`, e);
    }
  };
  const flushObjects = async () => {
    if (objects.length === 0) return;
    const batch = objects;
    objects = [];
    await store('writing objects', () => target!.putObjects(batch));
  };
  const flushTxs = async () => {
    if (txs.length === 0) return;
    const batch = txs;
    txs = [];
    await store('writing history', () => target!.putTransactions(batch));
  };

  try {
    const summary = await readImageFile(
      input,
      {
        async header(h) {
          name = options.name ?? h.name ?? 'imported';
          target = await store(`creating image "${name}"`, () => createTarget(name, h));
        },
        async record(r) {
          switch (r.type) {
            case 'obj':
              objects.push({ serial: r.serial ?? 0, state: stateFromFile(r.oid, r.state) });
              if (objects.length >= batchSize) await flushObjects();
              return;
            case 'tx':
              txs.push({
                tid: r.tid,
                time: r.time,
                note: r.note,
                origin: r.origin,
                ...(r.undoOf !== undefined ? { undoOf: r.undoOf } : {}),
                changes: r.changes.map((c) => ({
                  oid: c.oid,
                  beforeSerial: c.beforeSerial,
                  before: c.before && stateFromFile(c.oid, c.before),
                })),
              });
              if (txs.length >= batchSize) await flushTxs();
              return;
            case 'blob': {
              const bytes = base64ToBytes(r.data);
              blobParts.push(bytes);
              blobFilled += bytes.length;
              if (blobFilled === r.size) {
                const data = new Blob(blobParts as BlobPart[], { type: r.mediaType });
                blobParts = [];
                blobFilled = 0;
                await store(`writing blob "${r.id}"`, () => target!.putBlob({ id: r.id, type: r.mediaType, size: r.size, data }));
              }
              return;
            }
            case 'hdb': {
              hdb ??= new Uint8Array(r.size);
              hdb.set(base64ToBytes(r.data), r.offset);
              return;
            }
            case 'disk':
            case 'vm': {
              const parts = machine[r.type];
              parts.push(base64ToBytes(r.data));
              return;
            }
          }
        },
        progress: options.onProgress,
      },
      { limits: options.limits, signal: options.signal },
    );
    await flushObjects();
    await flushTxs();
    const t = target as ImageImportTarget | null;
    if (!t) throw new ImageFileError('the file has no header');
    for (const kind of ['disk', 'vm'] as const) {
      if (summary.counts[kind] === 0) continue;
      const data = new Blob(machine[kind] as BlobPart[]);
      if (t.putMachineState) await store(`writing ${kind} state`, () => t.putMachineState!(kind, data));
      else skipped.push(`${kind === 'disk' ? 'kernel disk' : 'saved VM state'} (${data.size} bytes): this store cannot keep it yet`);
    }
    if (hdb) {
      const data = new Blob([hdb as BlobPart]);
      if (t.putMachineState) await store('writing the file-system disk', () => t.putMachineState!('hdb', data));
      else skipped.push(`file-system disk (hdb, ${data.size} bytes): this store cannot keep it yet`);
    }
    const h = summary.header;
    const notes = await store('finishing the image', () =>
      t.finish({
        root: h.root,
        nextOid: h.nextOid ?? summary.maxOid + 1,
        lastTid: h.lastTid ?? summary.maxTid,
        createdAt: h.createdAt,
      }),
    );
    if (notes) skipped.push(...notes);
    return { name, summary, skipped };
  } catch (e) {
    const t = target as ImageImportTarget | null;
    if (t) {
      try {
        await t.discard();
      } catch (d) {
        throw new ImageImportError(
          `${(e as Error).message}; and the partly imported image "${name}" could not be deleted: ${(d as Error)?.message ?? String(d)}`,
          e,
        );
      }
    }
    throw e;
  }
}
