// An image file carries the Machine: export writes the image's kernel disk and suspended
// machine as `disk` and `vm` records, and import stores them under the new image's name,
// so the same kernel objects are there to boot elsewhere.
import 'fake-indexeddb/auto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { exportImage, ImageFileError, importImage, loadImageIntoMemory, MemoryImageShelf } from '../imagefile';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
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
    await source.storeSuspended({ state: new Blob([new Uint8Array([7, 7, 7])]), console: 'telos> ', uptimeMs: 5000, savedAt: 1, hdb: false });
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

/** A file's NDJSON lines without the end record (to edit), and sealed again with one. */
const openLines = (gz: Uint8Array) => gunzipSync(gz).toString('utf8').split('\n').filter((l) => l.length > 0).slice(0, -1);
function sealLines(lines: string[]): string {
  const body = lines.map((l) => l + '\n').join('');
  return body + JSON.stringify({ type: 'end', records: lines.length - 1, sha256: createHash('sha256').update(body).digest('hex') }) + '\n';
}
const gzip = (text: string) => new Uint8Array(gzipSync(text));

describe('image files carry the file-system disk (hdb)', () => {
  const HDB = 8 << 20;
  /** An hdb with bytes in two places and zeros elsewhere (as a mostly empty file system is). */
  const sampleHdb = () => {
    const hdb = new Uint8Array(HDB);
    hdb.set(new TextEncoder().encode('superblock'), 1024);
    hdb.set(new TextEncoder().encode('a file near the end'), HDB - 4096);
    return hdb;
  };
  const fileOf = async (image: string) => {
    const world = await loadImageIntoMemory(genesisFile());
    return new Uint8Array(await new Response(await exportImage(withMachineExport(world, image))).arrayBuffer());
  };

  it('exports only its non-zero chunks and imports the whole disk, zeros between them', async () => {
    const source = await DiskStore.open('hdb-source');
    await source.replaceDisk(sampleHdb().buffer, 'hdb');
    source.close();
    const file = await fileOf('hdb-source');
    const hdbLines = openLines(file).filter((l) => l.startsWith('{"type":"hdb"'));
    expect(hdbLines.map((l) => (JSON.parse(l) as { offset: number }).offset)).toEqual([0, HDB - (1 << 20)]);
    expect(JSON.parse(openLines(file)[0]!).counts.hdb).toBe(2);

    const shelf = new MemoryImageShelf();
    await importImage(new Blob([file]).stream(), withMachineImport(shelf.createTarget), { name: 'hdb-copy' });
    const copy = await DiskStore.open('hdb-copy');
    expect(await copy.hdbSize()).toBe(HDB);
    expect(Buffer.from((await copy.loadHdb())!).equals(sampleHdb())).toBe(true);
    copy.close();
  });

  it('a blank hdb travels as one empty chunk and keeps its size; an image without one has no hdb count', async () => {
    const source = await DiskStore.open('hdb-blank');
    await source.ensureHdb(4 << 20);
    source.close();
    const file = await fileOf('hdb-blank');
    expect(openLines(file).filter((l) => l.startsWith('{"type":"hdb"'))).toEqual([`{"type":"hdb","offset":0,"size":${4 << 20},"data":""}`]);
    await importImage(new Blob([file]).stream(), withMachineImport(new MemoryImageShelf().createTarget), { name: 'hdb-blank-copy' });
    const copy = await DiskStore.open('hdb-blank-copy');
    expect(await copy.hdbSize()).toBe(4 << 20);
    copy.close();
    expect(JSON.parse(openLines(await fileOf('hdb-none'))[0]!).counts).not.toHaveProperty('hdb');
  });

  /** The sample file with its hdb records replaced by `records`, resealed. */
  async function craftedFile(records: object[]): Promise<Uint8Array> {
    const source = await DiskStore.open('hdb-craft-source');
    await source.replaceDisk(sampleHdb().buffer, 'hdb');
    source.close();
    const lines = openLines(await fileOf('hdb-craft-source')).filter((l) => !l.startsWith('{"type":"hdb"'));
    const header = JSON.parse(lines[0]!);
    header.counts.hdb = records.length;
    lines[0] = JSON.stringify(header);
    return gzip(sealLines([...lines, ...records.map((r) => JSON.stringify(r))]));
  }
  const chunk = (offset: number, size: number, bytes = 4) => ({ type: 'hdb', offset, size, data: Buffer.alloc(bytes, 7).toString('base64') });

  it.each([
    ['a size that is not whole sectors', [chunk(0, (4 << 20) + 1)], /hdb size 4194305 is not whole 512-byte sectors/],
    ['a chunk past the end of the disk', [chunk((4 << 20) - 2, 4 << 20)], /runs past the disk's size/],
    ['overlapping chunks', [chunk(0, 4 << 20, 1024), chunk(512, 4 << 20)], /overlaps or precedes/],
    ['a size that changes', [chunk(0, 4 << 20), chunk(1 << 20, 8 << 20)], /hdb size changes from 4194304 to 8388608/],
    ['a disk larger than the Machine keeps', [chunk(0, 128 << 20)], /file-system disk \(hdb\) cannot be kept: a file-system disk must hold 1 to 64 MiB/],
  ])('refuses %s with a clear error and keeps nothing of the import', async (_what, records, message) => {
    const shelf = new MemoryImageShelf();
    const bytes = await craftedFile(records);
    const err = await importImage(new Blob([bytes as BlobPart]).stream(), withMachineImport(shelf.createTarget), { name: 'hdb-bad' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageFileError);
    expect((err as Error).message).toMatch(message);
    expect(shelf.images.has('hdb-bad')).toBe(false);
    const store = await DiskStore.open('hdb-bad');
    expect(await store.hdbSize()).toBeUndefined();
    expect(readPsDisk(await store.loadDisk()).kind).toBe('empty');
    store.close();
    // The image it came from is untouched.
    const source = await DiskStore.open('hdb-craft-source');
    expect(Buffer.from((await source.loadHdb())!).equals(sampleHdb())).toBe(true);
    source.close();
  });
});
