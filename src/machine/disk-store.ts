// The kernel disk and the suspended machine of one image, kept in IndexedDB through idb.
//
// One database per image, `telos-machine:<image>`, beside the image's own store:
//   chunks  key: chunk index → Uint8Array of CHUNK_BYTES (absent chunks are zeros)
//   hdb     the same for the second disk (hdb: the file system vfs_server mounts at /disk)
//   meta    'disk' → { size }            size of the disk in bytes
//           'hdb'  → { size }            size of the second disk (absent: it has none yet)
//           'vm'   → { state: Blob, console: string, uptimeMs, savedAt, hdb }
// The second disk is made blank (no chunks, only its size) before the first boot that
// needs it; the kernel puts an ext2 file system on a blank hdb itself. Images from before
// it existed get one at their next fresh boot.
// The disk is loaded whole at boot (a few MiB); while the machine runs, the chunks that
// differ from what was last stored are written back (DiskTracker), and once more at stop,
// so a page reload finds what the kernel wrote. A chunk write is one IndexedDB transaction
// over all dirty chunks, so the stored disk is always some state the guest really had
// (sector writes between two flushes land together).
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { DEFAULT_HDB_BYTES, MAX_HDB_BYTES, hdbSizeProblem } from './hdb-size';

export const DISK_BYTES = 4 << 20;
export const CHUNK_BYTES = 64 << 10;
export { DEFAULT_HDB_BYTES, HDB_SIZES_MIB, MAX_HDB_BYTES, MIN_HDB_BYTES, hdbSizeProblem } from './hdb-size';

/** Which disk of the machine: the PS's (hda) or the file system's (hdb). */
export type DiskId = 'hda' | 'hdb';
const CHUNK_STORE = { hda: 'chunks', hdb: 'hdb' } as const;
const META_KEY = { hda: 'disk', hdb: 'hdb' } as const;

export interface SuspendedMachine {
  /** v86's save_state (it includes the whole disk). */
  state: Blob;
  /** The tail of the console, so the terminal continues where it was. */
  console: string;
  /** How long the machine had been running when it was suspended. */
  uptimeMs: number;
  savedAt: number;
  /** Whether the saved machine had its hdb attached (states saved before hdb existed did
   * not, and v86 cannot restore one into a machine that has it). */
  hdb: boolean;
}

interface MachineDB extends DBSchema {
  chunks: { key: number; value: Uint8Array };
  hdb: { key: number; value: Uint8Array };
  meta: { key: string; value: { size: number } | SuspendedMachine };
}

export function machineDatabaseName(image: string): string {
  return `telos-machine:${image}`;
}

export class DiskStore {
  private constructor(
    readonly image: string,
    private readonly db: IDBPDatabase<MachineDB>,
  ) {}

  static async open(image: string): Promise<DiskStore> {
    // Version 2 added the hdb store; a version-1 database keeps its chunks and meta.
    const db = await openDB<MachineDB>(machineDatabaseName(image), 2, {
      upgrade(d, oldVersion) {
        if (oldVersion < 1) {
          d.createObjectStore('chunks');
          d.createObjectStore('meta');
        }
        if (oldVersion < 2) d.createObjectStore('hdb');
      },
    });
    return new DiskStore(image, db);
  }

  close(): void {
    this.db.close();
  }

  /** The stored disk as one buffer (zeros where nothing was written yet). */
  async loadDisk(): Promise<ArrayBuffer> {
    return (await this.load('hda'))!;
  }

  /** The stored hdb as one buffer, or undefined when the image has none yet. */
  loadHdb(): Promise<ArrayBuffer | undefined> {
    return this.load('hdb');
  }

  /** The size of the image's hdb, or undefined when it has none yet. */
  async hdbSize(): Promise<number | undefined> {
    return ((await this.db.get('meta', META_KEY.hdb)) as { size: number } | undefined)?.size;
  }

  /** Gives the image a blank hdb of `size` bytes unless it has one; answers the size it has. */
  async ensureHdb(size: number = DEFAULT_HDB_BYTES): Promise<number> {
    const problem = hdbSizeProblem(size);
    if (problem) throw new RangeError(problem);
    const tx = this.db.transaction(['meta', 'hdb'], 'readwrite');
    const meta = tx.objectStore('meta');
    const had = (await meta.get(META_KEY.hdb)) as { size: number } | undefined;
    if (!had) {
      await tx.objectStore('hdb').clear();
      await meta.put({ size }, META_KEY.hdb);
    }
    await tx.done;
    return had?.size ?? size;
  }

  private async load(which: DiskId): Promise<ArrayBuffer | undefined> {
    const tx = this.db.transaction([CHUNK_STORE[which], 'meta']);
    const meta = (await tx.objectStore('meta').get(META_KEY[which])) as { size: number } | undefined;
    if (!meta && which === 'hdb') {
      await tx.done;
      return undefined;
    }
    const size = meta?.size ?? DISK_BYTES;
    const disk = new Uint8Array(size);
    let cursor = await tx.objectStore(CHUNK_STORE[which]).openCursor();
    while (cursor) {
      const at = cursor.key * CHUNK_BYTES;
      if (at < size) disk.set(cursor.value.subarray(0, Math.min(CHUNK_BYTES, size - at)), at);
      cursor = await cursor.continue();
    }
    await tx.done;
    return disk.buffer;
  }

  /** Writes the given chunks of `disk` (all of them when `indices` is omitted) in one transaction. */
  async storeChunks(disk: ArrayBuffer, indices?: number[], which: DiskId = 'hda'): Promise<void> {
    const bytes = new Uint8Array(disk);
    if (which === 'hdb') {
      const problem = hdbSizeProblem(bytes.length);
      if (problem) throw new RangeError(problem);
    }
    const all = indices ?? Array.from({ length: Math.ceil(bytes.length / CHUNK_BYTES) }, (_, i) => i);
    const tx = this.db.transaction([CHUNK_STORE[which], 'meta'], 'readwrite');
    const chunks = tx.objectStore(CHUNK_STORE[which]);
    const writes: Promise<unknown>[] = [tx.objectStore('meta').put({ size: bytes.length }, META_KEY[which])];
    for (const i of all) {
      const chunk = bytes.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
      writes.push(chunk.every((b) => b === 0) ? chunks.delete(i) : chunks.put(chunk, i));
    }
    await Promise.all([...writes, tx.done]);
  }

  /** Replaces the whole disk (import, or a fresh disk). */
  async replaceDisk(disk: ArrayBuffer, which: DiskId = 'hda'): Promise<void> {
    if (which === 'hdb') {
      const problem = hdbSizeProblem(disk.byteLength);
      if (problem) throw new RangeError(problem);
    }
    await this.db.clear(CHUNK_STORE[which]);
    await this.storeChunks(disk, undefined, which);
  }

  async loadSuspended(): Promise<SuspendedMachine | undefined> {
    return (await this.db.get('meta', 'vm')) as SuspendedMachine | undefined;
  }

  async storeSuspended(s: SuspendedMachine): Promise<void> {
    await this.db.put('meta', s, 'vm');
  }

  async clearSuspended(): Promise<void> {
    await this.db.delete('meta', 'vm');
  }
}

/**
 * Follows the live disk buffer of a running machine and answers which chunks changed since
 * the last flush. It keeps a copy of what was last stored and compares chunk by chunk
 * (4 MiB in about a millisecond), only after the guest reported a disk write.
 */
export class DiskTracker {
  private shadow: Uint8Array;
  private written = true;

  constructor(initial: ArrayBuffer) {
    this.shadow = new Uint8Array(initial).slice();
  }

  /** The guest wrote sectors (v86's `ide-write-end`): the next scan has work to do. */
  noteWrite(): void {
    this.written = true;
  }

  /** Whether the guest wrote since the last scan (those sectors are not in the image yet). */
  get hasUnscannedWrites(): boolean {
    return this.written;
  }

  /** Indices of chunks where `live` differs from the last flushed copy; updates the copy. */
  takeDirty(live: ArrayBuffer, force = false): number[] {
    if (!this.written && !force) return [];
    this.written = false;
    const now = new Uint8Array(live);
    if (now.length !== this.shadow.length) {
      this.shadow = now.slice();
      return Array.from({ length: Math.ceil(now.length / CHUNK_BYTES) }, (_, i) => i);
    }
    const a = new Uint32Array(now.buffer, now.byteOffset, now.length >>> 2);
    const b = new Uint32Array(this.shadow.buffer, 0, this.shadow.length >>> 2);
    const words = CHUNK_BYTES >>> 2;
    const dirty: number[] = [];
    for (let c = 0; c * words < a.length; c++) {
      const end = Math.min(a.length, (c + 1) * words);
      for (let i = c * words; i < end; i++) {
        if (a[i] !== b[i]) {
          dirty.push(c);
          this.shadow.set(now.subarray(c * CHUNK_BYTES, (c + 1) * CHUNK_BYTES), c * CHUNK_BYTES);
          break;
        }
      }
    }
    return dirty;
  }
}

const VM_MAGIC = 0x314d5654; // "TVM1"

/** A suspended machine as one Blob (the `vm` records of an image file): magic, length of a
 * JSON header, the header (console tail, uptime, time), then v86's state bytes. */
export async function packSuspended(s: SuspendedMachine): Promise<Blob> {
  const header = new TextEncoder().encode(JSON.stringify({ console: s.console, uptimeMs: s.uptimeMs, savedAt: s.savedAt, hdb: s.hdb }));
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint32(0, VM_MAGIC, true);
  new DataView(head.buffer).setUint32(4, header.length, true);
  return new Blob([head, header, s.state], { type: 'application/x-telos-vm' });
}

export async function unpackSuspended(blob: Blob): Promise<SuspendedMachine> {
  const head = new DataView(await blob.slice(0, 8).arrayBuffer());
  if (blob.size < 8 || head.getUint32(0, true) !== VM_MAGIC) throw new Error('the saved machine state is not a TelOS VM record (bad magic)');
  const length = head.getUint32(4, true);
  if (8 + length > blob.size) throw new Error('the saved machine state is truncated');
  let meta: { console?: unknown; uptimeMs?: unknown; savedAt?: unknown; hdb?: unknown };
  try {
    meta = JSON.parse(await blob.slice(8, 8 + length).text()) as typeof meta;
  } catch {
    throw new Error('the saved machine state has a damaged header (not JSON)');
  }
  if (meta === null || typeof meta !== 'object') throw new Error('the saved machine state has a damaged header (not an object)');
  return {
    state: blob.slice(8 + length),
    console: typeof meta.console === 'string' ? meta.console : '',
    uptimeMs: typeof meta.uptimeMs === 'number' ? meta.uptimeMs : 0,
    savedAt: typeof meta.savedAt === 'number' ? meta.savedAt : 0,
    hdb: meta.hdb === true,
  };
}

/** What an image file can carry of the Machine (src/imagefile's disk, hdb and vm records). */
export type MachineStateKind = 'disk' | 'hdb' | 'vm';

/**
 * The image's kernel disk, file-system disk and suspended machine, for an image file's
 * `disk`, `hdb` and `vm` records (src/imagefile's ImageDescription). Absent when never booted.
 */
export async function exportMachineState(image: string): Promise<{ disk?: Blob; hdb?: Blob; vm?: Blob }> {
  const store = await DiskStore.open(image);
  try {
    const [disk, hdb, vm] = [await store.loadDisk(), await store.loadHdb(), await store.loadSuspended()];
    const used = new Uint8Array(disk).some((b) => b !== 0);
    return {
      ...(used ? { disk: new Blob([disk]) } : {}),
      ...(hdb ? { hdb: new Blob([hdb]) } : {}),
      ...(vm ? { vm: await packSuspended(vm) } : {}),
    };
  } finally {
    store.close();
  }
}

/** Why `data` cannot be stored as the machine state `kind`, or null (checked before an
 * import makes its image, so a bad file leaves nothing behind). */
export async function machineStateProblem(kind: MachineStateKind, data: Blob): Promise<string | null> {
  if (kind === 'hdb') {
    const problem = hdbSizeProblem(data.size);
    return problem && `the file-system disk (hdb) cannot be kept: ${problem}`;
  }
  if (kind === 'disk') {
    return data.size > 0 && data.size % 512 === 0 && data.size <= MAX_HDB_BYTES ? null : `the kernel disk (${data.size} bytes) is not a whole number of 512-byte sectors up to ${MAX_HDB_BYTES >> 20} MiB`;
  }
  try {
    await unpackSuspended(data);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Stores a kernel disk, file-system disk or suspended machine read from an image file into
 * `image` (src/imagefile's ImageImportTarget.putMachineState). */
export async function importMachineState(image: string, kind: MachineStateKind, data: Blob): Promise<void> {
  const store = await DiskStore.open(image);
  try {
    if (kind === 'disk') await store.replaceDisk(await data.arrayBuffer());
    else if (kind === 'hdb') await store.replaceDisk(await data.arrayBuffer(), 'hdb');
    else await store.storeSuspended(await unpackSuspended(data));
  } finally {
    store.close();
  }
}

/** Moves an image's kernel disk and suspended machine to its new name (when the image is
 * renamed). Refused while the machine database under the new name holds a disk. */
export async function renameMachineState(from: string, to: string): Promise<void> {
  const { disk, hdb, vm } = await exportMachineState(from);
  const target = await DiskStore.open(to);
  try {
    if (new Uint8Array(await target.loadDisk()).some((b) => b !== 0) || (await target.hdbSize()) !== undefined) {
      throw new Error(`the machine of image “${to}” already has a disk; nothing was moved`);
    }
  } finally {
    target.close();
  }
  if (disk) await importMachineState(to, 'disk', disk);
  if (hdb) await importMachineState(to, 'hdb', hdb);
  if (vm) await importMachineState(to, 'vm', vm);
  await deleteMachineState(from);
}

/** Deletes an image's machine database (when the image itself is deleted). */
export async function deleteMachineState(image: string): Promise<void> {
  const { deleteDB } = await import('idb');
  await deleteDB(machineDatabaseName(image));
}
