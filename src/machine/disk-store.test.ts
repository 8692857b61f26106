// The Machine's disk outside the browser: the per-image disk store on fake IndexedDB, the
// dirty-chunk tracker, the suspended-machine record of image files, and v86's restore
// swapping in a copy of the disk (which the adapter must follow to keep flushing).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { V86 } from 'v86';
import { Machine } from './emulator';
import { builtImagePath, readKernel, v86WasmPath } from './node';
import { readPsDisk, writePsDisk, type PsObject } from './psdisk';
import type { PsContent } from './psobject';
import { capturingV86, liveDisk } from './v86-state';

const named = (name: string): PsContent => ({ kind: 'object', name, slots: [], traits: [] });
const nameOf = (o: PsObject | undefined) => (o?.content?.kind === 'object' ? o.content.name : undefined);

import {
  CHUNK_BYTES,
  DISK_BYTES,
  DiskStore,
  DiskTracker,
  exportMachineState,
  importMachineState,
  packSuspended,
  renameMachineState,
  unpackSuspended,
} from './disk-store';

describe('the kernel disk store', () => {
  it('gives a never-booted image a zero disk of 4 MiB', async () => {
    const store = await DiskStore.open('fresh');
    const disk = new Uint8Array(await store.loadDisk());
    expect(disk.length).toBe(DISK_BYTES);
    expect(disk.every((b) => b === 0)).toBe(true);
    store.close();
  });

  it('keeps the chunks written back and loads them into the same places', async () => {
    const store = await DiskStore.open('written');
    const disk = new Uint8Array(DISK_BYTES);
    disk[5] = 1;
    disk[3 * CHUNK_BYTES + 17] = 2;
    disk[DISK_BYTES - 1] = 3;
    const tracker = new DiskTracker(new ArrayBuffer(DISK_BYTES));
    tracker.noteWrite();
    const dirty = tracker.takeDirty(disk.buffer);
    expect(dirty).toEqual([0, 3, DISK_BYTES / CHUNK_BYTES - 1]);
    await store.storeChunks(disk.buffer, dirty);
    store.close();
    const again = await DiskStore.open('written');
    // Buffer.compare: a deep toEqual over 4 MiB takes minutes.
    expect(Buffer.compare(Buffer.from(await again.loadDisk()), Buffer.from(disk.buffer))).toBe(0);
    again.close();
  });

  it('scans only after the guest wrote, and reports a chunk once', () => {
    const disk = new Uint8Array(DISK_BYTES);
    const tracker = new DiskTracker(disk.buffer);
    expect(tracker.takeDirty(disk.buffer)).toEqual([]); // the first scan compares the copy: nothing changed
    disk[CHUNK_BYTES * 2] = 9;
    expect(tracker.takeDirty(disk.buffer)).toEqual([]); // no write reported since
    tracker.noteWrite();
    expect(tracker.takeDirty(disk.buffer)).toEqual([2]);
    tracker.noteWrite();
    expect(tracker.takeDirty(disk.buffer)).toEqual([]);
  });

  it('carries a disk and a suspended machine through the export and import records', async () => {
    const ps = writePsDisk(DISK_BYTES, [[{ oid: 1, content: named('BaseObject') }]]);
    const source = await DiskStore.open('exported');
    await source.replaceDisk(ps.buffer as ArrayBuffer);
    await source.storeSuspended({ state: new Blob([new Uint8Array([1, 2, 3, 4])]), console: 'TelOS: hello\n', uptimeMs: 1234, savedAt: 99, hdb: false });
    source.close();
    const { disk, vm } = await exportMachineState('exported');
    expect(disk!.size).toBe(DISK_BYTES);
    await importMachineState('imported', 'disk', disk!);
    await importMachineState('imported', 'vm', vm!);
    const target = await DiskStore.open('imported');
    const read = readPsDisk(await target.loadDisk());
    expect(read.kind === 'ok' && nameOf(read.objects.get(1))).toBe('BaseObject');
    const saved = (await target.loadSuspended())!;
    expect(saved.console).toBe('TelOS: hello\n');
    expect(saved.uptimeMs).toBe(1234);
    expect([...new Uint8Array(await saved.state.arrayBuffer())]).toEqual([1, 2, 3, 4]);
    target.close();
  });

  it('follows its image to a new name', async () => {
    const old = await DiskStore.open('before-rename');
    await old.replaceDisk(writePsDisk(DISK_BYTES, [[{ oid: 3, content: named('Server') }]]).buffer as ArrayBuffer);
    old.close();
    await renameMachineState('before-rename', 'after-rename');
    const moved = await DiskStore.open('after-rename');
    const read = readPsDisk(await moved.loadDisk());
    expect(read.kind === 'ok' && nameOf(read.objects.get(3))).toBe('Server');
    moved.close();
    const gone = await DiskStore.open('before-rename');
    expect(readPsDisk(await gone.loadDisk()).kind).toBe('empty');
    gone.close();
  });

  it('refuses a vm record that is not a TelOS saved machine', async () => {
    await expect(unpackSuspended(new Blob([new Uint8Array(16)]))).rejects.toThrow(/bad magic/);
    const packed = await packSuspended({ state: new Blob([]), console: '', uptimeMs: 0, savedAt: 0, hdb: false });
    await expect(unpackSuspended(packed.slice(0, 10))).rejects.toThrow(/truncated/);
  });
});

describe('the file-system disk (hdb)', () => {
  it('is absent until made, is made blank once at the size asked, and keeps that size', async () => {
    const store = await DiskStore.open('hdb-fresh');
    expect(await store.hdbSize()).toBeUndefined();
    expect(await store.loadHdb()).toBeUndefined();
    expect(await store.ensureHdb(8 << 20)).toBe(8 << 20);
    expect(await store.ensureHdb(32 << 20)).toBe(8 << 20);
    const hdb = new Uint8Array((await store.loadHdb())!);
    expect(hdb.length).toBe(8 << 20);
    expect(hdb.every((b) => b === 0)).toBe(true);
    await expect(store.ensureHdb(100)).rejects.toThrow(/must hold 1 to 64 MiB, not 100 bytes/);
    await expect(store.ensureHdb((4 << 20) + 7)).rejects.toThrow(/whole 512-byte sectors/);
    store.close();
  });

  it('keeps hdb chunks apart from the PS disk, and moves and exports them with the image', async () => {
    const store = await DiskStore.open('hdb-written');
    await store.ensureHdb(4 << 20);
    const hdb = new Uint8Array(4 << 20);
    hdb[5 * CHUNK_BYTES + 3] = 0x5a;
    await store.storeChunks(hdb.buffer, [5], 'hdb');
    expect(new Uint8Array(await store.loadDisk()).every((b) => b === 0)).toBe(true);
    expect(new Uint8Array((await store.loadHdb())!)[5 * CHUNK_BYTES + 3]).toBe(0x5a);
    store.close();
    await renameMachineState('hdb-written', 'hdb-renamed');
    const moved = await DiskStore.open('hdb-renamed');
    expect(new Uint8Array((await moved.loadHdb())!)[5 * CHUNK_BYTES + 3]).toBe(0x5a);
    moved.close();
    const gone = await DiskStore.open('hdb-written');
    expect(await gone.hdbSize()).toBeUndefined();
    gone.close();
    const { hdb: exported } = await exportMachineState('hdb-renamed');
    expect(exported!.size).toBe(4 << 20);
  });

  it('opens a machine database made before hdb existed (version 1) with its disk and saved machine', async () => {
    const { openDB } = await import('idb');
    const old = await openDB('telos-machine:from-v1', 1, {
      upgrade(d) {
        d.createObjectStore('chunks');
        d.createObjectStore('meta');
      },
    });
    await old.put('chunks', new Uint8Array(CHUNK_BYTES).fill(9), 0);
    await old.put('meta', { size: DISK_BYTES }, 'disk');
    // A suspended machine of that time: its header has no hdb flag.
    const header = new TextEncoder().encode(JSON.stringify({ console: 'old', uptimeMs: 1, savedAt: 2 }));
    const head = new Uint8Array(8);
    new DataView(head.buffer).setUint32(0, 0x314d5654, true);
    new DataView(head.buffer).setUint32(4, header.length, true);
    await old.put('meta', await unpackSuspended(new Blob([head, header, new Uint8Array([1])])), 'vm');
    old.close();
    const store = await DiskStore.open('from-v1');
    expect(new Uint8Array(await store.loadDisk())[0]).toBe(9);
    expect(await store.hdbSize()).toBeUndefined();
    expect((await store.loadSuspended())!.hdb).toBe(false);
    await store.ensureHdb();
    expect(await store.hdbSize()).toBe(16 << 20);
    store.close();
  });

  it('a saved machine says whether it had hdb, through the image-file record too', async () => {
    const packed = await packSuspended({ state: new Blob([new Uint8Array([1])]), console: '', uptimeMs: 0, savedAt: 0, hdb: true });
    expect((await unpackSuspended(packed)).hdb).toBe(true);
    const head = new Uint8Array(12);
    new DataView(head.buffer).setUint32(0, 0x314d5654, true);
    new DataView(head.buffer).setUint32(4, 4, true);
    head.set(new TextEncoder().encode('{{{{'), 8);
    await expect(unpackSuspended(new Blob([head]))).rejects.toThrow(/damaged header/);
  });
});

describe('v86 restore and the live disk', () => {
  it('restores hdb from the saved state; liveDisk finds the copy the guest now writes', async () => {
    const kernel = await readKernel(builtImagePath('telos.elf'));
    const first = capturingV86(V86 as never);
    const hdbA = new ArrayBuffer(4 << 20);
    const a = await Machine.boot({ V86: first.V86, wasmPath: v86WasmPath(), kernel, disk: new ArrayBuffer(DISK_BYTES), disk2: hdbA });
    await a.waitForText(0, "TelOS: vfs: mounted hdb's ext2 file system at /disk", 30_000);
    const state = await first.instance().save_state();
    await a.powerOff();
    // ext2's magic (0xEF53) in the superblock at byte 1024 + 56: the kernel made a file system.
    expect(new DataView(hdbA).getUint16(1024 + 56, true)).toBe(0xef53);

    const second = capturingV86(V86 as never, state);
    const hdbB = new ArrayBuffer(4 << 20);
    const b = await Machine.boot({ V86: second.V86, wasmPath: v86WasmPath(), kernel, disk: new ArrayBuffer(DISK_BYTES), disk2: hdbB });
    try {
      const live = liveDisk(second.instance(), hdbB, 'slave');
      expect(live).not.toBe(hdbB);
      expect(new DataView(live).getUint16(1024 + 56, true)).toBe(0xef53);
      expect(new Uint8Array(hdbB).every((x) => x === 0)).toBe(true);
    } finally {
      await b.powerOff();
    }
  });


  it('after restore_state the guest writes a copy of the disk, which liveDisk finds', async () => {
    const kernel = await readKernel(builtImagePath('telos.elf'));
    const first = capturingV86(V86 as never);
    const diskA = new ArrayBuffer(DISK_BYTES);
    const a = await Machine.boot({ V86: first.V86, wasmPath: v86WasmPath(), kernel, disk: diskA });
    await a.waitForText(0, 'TelOS: Root task alive and well.', 20_000);
    const state = await first.instance().save_state();
    await a.powerOff();

    const second = capturingV86(V86 as never, state);
    const diskB = new ArrayBuffer(DISK_BYTES);
    const b = await Machine.boot({ V86: second.V86, wasmPath: v86WasmPath(), kernel, disk: diskB });
    try {
      await b.waitForText(0, 'TelOS: test_proc alive.', 20_000);
      expect(b.com1.text()).not.toContain('TelOS: kernel booting'); // it continued, it did not boot
      const live = liveDisk(second.instance(), diskB);
      expect(live).not.toBe(diskB);
      expect(new Uint8Array(diskB).every((x) => x === 0)).toBe(true);
      const read = readPsDisk(live);
      // test_proc's process object: named so, a child of the Process prototype (oid 4).
      expect(read.kind === 'ok' && [...read.objects.values()].some((o) => nameOf(o) === 'test_proc' && o.content?.kind === 'object' && o.content.slots.some((sl) => sl.kind === 'parent' && sl.ref === 4))).toBe(true);
    } finally {
      await b.powerOff();
    }
  });
});
