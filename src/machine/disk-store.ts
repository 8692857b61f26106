// The kernel disk and the suspended machine of one image, kept in IndexedDB through idb.
//
// One database per image, `telos-machine:<image>`, beside the image's own store:
//   chunks  key: chunk index → Uint8Array of CHUNK_BYTES (absent chunks are zeros)
//   meta    'disk' → { size }            size of the disk in bytes
//           'vm'   → { state: Blob, console: string, uptimeMs, savedAt }
// The disk is loaded whole at boot (a few MiB); while the machine runs, the chunks that
// differ from what was last stored are written back (DiskTracker), and once more at stop,
// so a page reload finds what the kernel wrote. A chunk write is one IndexedDB transaction
// over all dirty chunks, so the stored disk is always some state the guest really had
// (sector writes between two flushes land together).
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export const DISK_BYTES = 4 << 20;
export const CHUNK_BYTES = 64 << 10;

export interface SuspendedMachine {
  /** v86's save_state (it includes the whole disk). */
  state: Blob;
  /** The tail of the console, so the terminal continues where it was. */
  console: string;
  /** How long the machine had been running when it was suspended. */
  uptimeMs: number;
  savedAt: number;
}

interface MachineDB extends DBSchema {
  chunks: { key: number; value: Uint8Array };
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
    const db = await openDB<MachineDB>(machineDatabaseName(image), 1, {
      upgrade(d) {
        d.createObjectStore('chunks');
        d.createObjectStore('meta');
      },
    });
    return new DiskStore(image, db);
  }

  close(): void {
    this.db.close();
  }

  /** The stored disk as one buffer (zeros where nothing was written yet). */
  async loadDisk(): Promise<ArrayBuffer> {
    const tx = this.db.transaction(['chunks', 'meta']);
    const meta = (await tx.objectStore('meta').get('disk')) as { size: number } | undefined;
    const size = meta?.size ?? DISK_BYTES;
    const disk = new Uint8Array(size);
    let cursor = await tx.objectStore('chunks').openCursor();
    while (cursor) {
      const at = cursor.key * CHUNK_BYTES;
      if (at < size) disk.set(cursor.value.subarray(0, Math.min(CHUNK_BYTES, size - at)), at);
      cursor = await cursor.continue();
    }
    await tx.done;
    return disk.buffer;
  }

  /** Writes the given chunks of `disk` (all of them when `indices` is omitted) in one transaction. */
  async storeChunks(disk: ArrayBuffer, indices?: number[]): Promise<void> {
    const bytes = new Uint8Array(disk);
    const all = indices ?? Array.from({ length: Math.ceil(bytes.length / CHUNK_BYTES) }, (_, i) => i);
    const tx = this.db.transaction(['chunks', 'meta'], 'readwrite');
    const chunks = tx.objectStore('chunks');
    const writes: Promise<unknown>[] = [tx.objectStore('meta').put({ size: bytes.length }, 'disk')];
    for (const i of all) {
      const chunk = bytes.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
      writes.push(chunk.every((b) => b === 0) ? chunks.delete(i) : chunks.put(chunk, i));
    }
    await Promise.all([...writes, tx.done]);
  }

  /** Replaces the whole disk (import, or a fresh disk). */
  async replaceDisk(disk: ArrayBuffer): Promise<void> {
    await this.db.clear('chunks');
    await this.storeChunks(disk);
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
  const header = new TextEncoder().encode(JSON.stringify({ console: s.console, uptimeMs: s.uptimeMs, savedAt: s.savedAt }));
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
  const meta = JSON.parse(await blob.slice(8, 8 + length).text()) as { console?: unknown; uptimeMs?: unknown; savedAt?: unknown };
  return {
    state: blob.slice(8 + length),
    console: typeof meta.console === 'string' ? meta.console : '',
    uptimeMs: typeof meta.uptimeMs === 'number' ? meta.uptimeMs : 0,
    savedAt: typeof meta.savedAt === 'number' ? meta.savedAt : 0,
  };
}

/**
 * The image's kernel disk and suspended machine, for an image file's `disk` and `vm`
 * records (src/imagefile's ImageDescription.disk/vm). Absent when never booted.
 */
export async function exportMachineState(image: string): Promise<{ disk?: Blob; vm?: Blob }> {
  const store = await DiskStore.open(image);
  try {
    const [disk, vm] = [await store.loadDisk(), await store.loadSuspended()];
    const used = new Uint8Array(disk).some((b) => b !== 0);
    return { ...(used ? { disk: new Blob([disk]) } : {}), ...(vm ? { vm: await packSuspended(vm) } : {}) };
  } finally {
    store.close();
  }
}

/** Stores a kernel disk or suspended machine read from an image file into `image`
 * (src/imagefile's ImageImportTarget.putMachineState). */
export async function importMachineState(image: string, kind: 'disk' | 'vm', data: Blob): Promise<void> {
  const store = await DiskStore.open(image);
  try {
    if (kind === 'disk') await store.replaceDisk(await data.arrayBuffer());
    else await store.storeSuspended(await unpackSuspended(data));
  } finally {
    store.close();
  }
}

/** Moves an image's kernel disk and suspended machine to its new name (when the image is
 * renamed). Refused while the machine database under the new name holds a disk. */
export async function renameMachineState(from: string, to: string): Promise<void> {
  const { disk, vm } = await exportMachineState(from);
  const target = await DiskStore.open(to);
  try {
    if (new Uint8Array(await target.loadDisk()).some((b) => b !== 0)) {
      throw new Error(`the machine of image “${to}” already has a disk; nothing was moved`);
    }
  } finally {
    target.close();
  }
  if (disk) await importMachineState(to, 'disk', disk);
  if (vm) await importMachineState(to, 'vm', vm);
  await deleteMachineState(from);
}

/** Deletes an image's machine database (when the image itself is deleted). */
export async function deleteMachineState(image: string): Promise<void> {
  const { deleteDB } = await import('idb');
  await deleteDB(machineDatabaseName(image));
}
