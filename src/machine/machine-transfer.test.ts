// An image file carries the Machine: export writes the image's kernel disk and suspended
// machine as `disk` and `vm` records, and import stores them under the new image's name,
// so the same kernel objects are there to boot elsewhere.
import 'fake-indexeddb/auto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { exportImage, importImage, loadImageIntoMemory, MemoryImageShelf } from '../imagefile';
import { DISK_BYTES, DiskStore } from './disk-store';
import { withMachineExport, withMachineImport } from './machine-transfer';
import { readPsDisk, writePsDisk, type PsObject } from './psdisk';
import type { PsContent } from './psobject';

const named = (name: string): PsContent => ({ kind: 'object', name, slots: [], traits: [] });
const nameOf = (o: PsObject | undefined) => (o?.content?.kind === 'object' ? o.content.name : undefined);


const genesisFile = () => Readable.toWeb(createReadStream(new URL('../../images/genesis.telos', import.meta.url))) as ReadableStream<Uint8Array>;

describe('image files carry the kernel disk and the suspended machine', () => {
  it('exports them as disk and vm records and imports them under the new name', async () => {
    const world = await loadImageIntoMemory(genesisFile());
    const source = await DiskStore.open('machine-source');
    await source.replaceDisk(writePsDisk(DISK_BYTES, [[{ oid: 10, content: named('test_proc') }]]).buffer as ArrayBuffer);
    await source.storeSuspended({ state: new Blob([new Uint8Array([7, 7, 7])]), console: 'telos> ', uptimeMs: 5000, savedAt: 1 });
    source.close();

    const file = await exportImage(withMachineExport(world, 'machine-source'));
    const shelf = new MemoryImageShelf();
    const result = await importImage(file, withMachineImport(shelf.createTarget), { name: 'machine-copy' });
    expect(result.name).toBe('machine-copy');
    // The World came across too (the memory shelf also holds the raw records).
    expect(shelf.images.get('machine-copy')!.objects_.size).toBe(world.objects_.size);

    const copy = await DiskStore.open('machine-copy');
    const read = readPsDisk(await copy.loadDisk());
    expect(read.kind === 'ok' && nameOf(read.objects.get(10))).toBe('test_proc');
    const vm = (await copy.loadSuspended())!;
    expect(vm.console).toBe('telos> ');
    expect(vm.uptimeMs).toBe(5000);
    expect([...new Uint8Array(await vm.state.arrayBuffer())]).toEqual([7, 7, 7]);
    copy.close();
  });

  it('an image whose machine never ran exports no disk or vm records', async () => {
    const world = await loadImageIntoMemory(genesisFile());
    const d = await withMachineExport(world, 'never-booted').describe();
    expect(d.disk).toBeUndefined();
    expect(d.vm).toBeUndefined();
  });

  it('a failed import stores no machine state', async () => {
    const world = await loadImageIntoMemory(genesisFile());
    const source = await DiskStore.open('machine-source-2');
    await source.replaceDisk(writePsDisk(DISK_BYTES, [[{ oid: 1, content: named('BaseObject') }]]).buffer as ArrayBuffer);
    source.close();
    const bytes = new Uint8Array(await new Response(await exportImage(withMachineExport(world, 'machine-source-2'))).arrayBuffer());
    const truncated = new Blob([bytes.slice(0, bytes.length - 40)]).stream();
    await expect(importImage(truncated, withMachineImport(new MemoryImageShelf().createTarget), { name: 'machine-broken' })).rejects.toThrow();
    const broken = await DiskStore.open('machine-broken');
    expect(readPsDisk(await broken.loadDisk()).kind).toBe('empty');
    broken.close();
  });
});
