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
    await source.storeSuspended({ state: new Blob([new Uint8Array([1, 2, 3, 4])]), console: 'TelOS: hello\n', uptimeMs: 1234, savedAt: 99 });
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
    const packed = await packSuspended({ state: new Blob([]), console: '', uptimeMs: 0, savedAt: 0 });
    await expect(unpackSuspended(packed.slice(0, 10))).rejects.toThrow(/truncated/);
  });
});

describe('v86 restore and the live disk', () => {
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
