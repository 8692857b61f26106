// The COM2 bridge: the host lists, reads and spawns kernel objects through framed
// requests; malformed and random frames get error frames and the bridge keeps serving.
// On v86 and on QEMU (COM2 over a loopback socket), with the same expectations.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BRIDGE, BridgeClient, BridgeError, decodePsObject, encodeFrame } from '../../src/machine';
import { bootWithDisk, emulators, newDisk, type Emulator, type SerialPC, type TestDisk } from './emulators';

let machine: SerialPC | undefined;
afterEach(async () => {
  await machine?.powerOff();
  machine = undefined;
});

async function bootWithBridge(emulator: Emulator, disk: TestDisk = newDisk(emulator, 4 << 20)): Promise<{ m: SerialPC; client: BridgeClient }> {
  const m = await bootWithDisk(emulator, disk);
  machine = m;
  const client = new BridgeClient((bytes) => m.send(1, bytes));
  m.com2.onByte((b) => client.feed(Uint8Array.of(b)));
  await m.waitForText(0, 'TelOS: bridge: serving frames on COM2', 30_000);
  await m.waitForText(0, 'TelOS: test_proc alive.', 30_000);
  return { m, client };
}

for (const emulator of emulators) {
describe.skipIf(!emulator.available)(`COM2 bridge on ${emulator.name}`, () => {
  // Catches: a COM2 bridge that answers with the wrong objects, processes or frames.
  it('lists objects, reads one, lists processes and spawns a process', async () => {
    const { m, client } = await bootWithBridge(emulator);
    const oids = await client.listObjects();
    expect(oids).toEqual(expect.arrayContaining([1, 2, 3, 4, 5, 6, 10, 11, 12, 20, 21]));
    // test_proc's process object, as the PMS recorded it: a child of Process naming its image.
    const proc = decodePsObject(await client.getObject(20));
    expect(proc.kind === 'object' && proc.name).toBe('test_proc');
    expect(proc.kind === 'object' && proc.slots.filter((s) => s.kind !== 'cap')).toEqual([
      { kind: 'parent', name: 'parent', ref: 4 },
      { kind: 'data', name: 'image', value: { ref: 21 } },
      { kind: 'data', name: 'state', value: 'running' },
      { kind: 'data', name: 'priority', value: 50 },
    ]);
    expect(await client.listProcesses()).toEqual([{ oid: 20, running: true, name: 'test_proc' }]);
    expect(await client.spawn(21, 1077)).toBe(1077);
    await m.waitForText(0, /TelOS: test_proc alive\.[\s\S]*TelOS: test_proc alive\./, 10_000);
    expect((await client.listProcesses()).map((p) => p.oid)).toEqual([20, 1077]);
    await expect(client.getObject(4242)).rejects.toMatchObject({ code: BRIDGE.ENOT_FOUND });
  });

  // Catches: a bridge Shutdown that acknowledges before the PS is quiescent.
  it('shuts the PS down cleanly on request, so a power-off loses nothing', async () => {
    const disk = newDisk(emulator, 4 << 20);
    const { m, client } = await bootWithBridge(emulator, disk);
    expect(await client.shutdown()).toEqual({ lastTid: 2, generation: 1 });
    await m.waitForText(0, 'TelOS: PS: shut down cleanly at tid 2, generation 1');
    // Spawning now needs a transaction, which the PS no longer starts.
    await expect(client.spawn(21, 1078)).rejects.toMatchObject({ code: BRIDGE.EFAILED });
    await m.powerOff();
    machine = undefined;
    const again = await bootWithDisk(emulator, disk);
    machine = again;
    const text = await again.waitForText(0, 'TelOS: test_proc alive.', 30_000);
    expect(text).toContain('TelOS: Persistence validation successful.');
    expect(text).not.toContain('truncated a torn transaction');
  });

  // Catches: a Files window that lists or downloads something other than what TelOS's file
  // tree holds, a multi-frame read that drops or repeats bytes, and refusals that hang.
  it('lists and reads files of /disk, /tmp and /image through its file-system session', async () => {
    const disk = newDisk(emulator, 4 << 20);
    const hdb = newDisk(emulator, 8 << 20);
    // The kernel's vfs test leaves /disk/docs/hello.txt (5000 bytes: five frames) on hdb.
    const writer = await bootWithDisk(emulator, newDisk(emulator, 4 << 20), 'test=vfs', hdb);
    await writer.waitForText(0, 'TelOS: vfs test passed', 120_000);
    await writer.powerOff();
    const m = await bootWithDisk(emulator, disk, '', hdb);
    machine = m;
    const client = new BridgeClient((bytes) => m.send(1, bytes));
    m.com2.onByte((b) => client.feed(Uint8Array.of(b)));
    await m.waitForText(0, 'TelOS: monitor: ready on COM1 (type help)\ntelos> ', 60_000);
    const from = m.com1.text().length;
    m.send(0, 'write /disk/note hello\r');
    await m.waitForText(0, 'wrote 6 bytes to /disk/note', 20_000, from);

    expect((await client.listDirectory('/')).map((e) => `${e.name} ${e.type}`)).toEqual(['tmp directory', 'disk directory', 'dev directory', 'image directory']);
    const onDisk = await client.listDirectory('/disk');
    expect(onDisk).toContainEqual({ name: 'note', type: 'file', size: 6 });
    expect(new TextDecoder().decode(await client.readFile('/disk/note'))).toBe('hello\n');
    expect(new TextDecoder().decode(await client.readFile('/image/roots'))).toBe('1 lobby\n');
    expect(await client.listDirectory('/tmp')).toContainEqual({ name: 'test_proc.txt', type: 'file', size: expect.any(Number) });

    // More entries than one frame holds (FS_LIST's cookie: 37 names of 200 bytes to a frame).
    const names = Array.from({ length: 100 }, (_, i) => `f${String(i).padStart(2, '0')}`.padEnd(200, '-'));
    for (const name of names) await client.writeFile(`/tmp/${name}`, new TextEncoder().encode(name));
    const many = (await client.listDirectory('/tmp')).filter((e) => /^f\d\d-/.test(e.name));
    expect(many.map((e) => e.name).sort()).toEqual(names);
    expect(many.every((e) => e.size === 200)).toBe(true);
    // The vfs test's file, in one frame.
    let hello = '';
    for (let line = 0; hello.length < 5000; line++) hello += `hdb line ${line}: the file vfs_server wrote\n`;
    expect(await client.listDirectory('/disk/docs')).toEqual([{ name: 'hello.txt', type: 'file', size: 5000 }]);
    const seenHello: number[] = [];
    expect(new TextDecoder().decode(await client.readFile('/disk/docs/hello.txt', (read) => seenHello.push(read)))).toBe(hello.slice(0, 5000));
    expect(seenHello).toEqual([5000]);
    // A file longer than one frame comes back whole, in order, a full frame at a time.
    let seed = 3;
    const big = Uint8Array.from({ length: 40_000 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed >>> 24));
    await client.writeFile('/disk/big.bin', big);
    const frame = BRIDGE.MAX_PAYLOAD - 8;
    const seen: number[] = [];
    expect(await client.readFile('/disk/big.bin', (read) => seen.push(read))).toEqual(big);
    expect(seen).toEqual([...Array.from({ length: Math.floor(40_000 / frame) }, (_, i) => (i + 1) * frame), 40_000]);
    // Too big for the reader: refused after one frame, with the file's size to show.
    await expect(client.readFile('/disk/big.bin', undefined, 4096)).rejects.toMatchObject({ name: 'FileTooLarge', size: 40_000, maxBytes: 4096, code: BRIDGE.EREFUSED });
    // A progress callback that throws (Cancel) ends the read between frames; the next read is whole.
    const cancelledAt: number[] = [];
    const stop = (read: number) => {
      cancelledAt.push(read);
      if (read >= 2 * frame) throw new Error('cancelled');
    };
    await expect(client.readFile('/disk/big.bin', stop)).rejects.toThrow('cancelled');
    expect(cancelledAt).toEqual([frame, 2 * frame]);
    expect(await client.readFile('/disk/big.bin')).toEqual(big);
    // /image: one file per PS object, the text `get` prints.
    const objects = await client.listDirectory('/image/objects');
    expect(objects).toContainEqual({ name: '10', type: 'file', size: expect.any(Number) });
    expect(new TextDecoder().decode(await client.readFile('/image/objects/10'))).toMatch(/^object 10: PS\n/);

    await expect(client.readFile('/disk/missing')).rejects.toMatchObject({ code: BRIDGE.ENOT_FOUND });
    await expect(client.readFile('/disk')).rejects.toMatchObject({ code: BRIDGE.EREFUSED });
    await expect(client.listDirectory('/disk/note')).rejects.toMatchObject({ code: BRIDGE.EREFUSED });
    await expect(client.listDirectory('/disk/../../x')).rejects.toMatchObject({ code: BRIDGE.EREFUSED });
    await expect(client.request(BRIDGE.FS_READ, new Uint8Array(8))).rejects.toMatchObject({ code: BRIDGE.EBAD_PAYLOAD });
    await expect(client.request(BRIDGE.FS_LIST, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0x2f, 0, 0x61))).rejects.toMatchObject({ code: BRIDGE.EBAD_PAYLOAD });
    // Still serving.
    expect(await client.listObjects()).toContain(20);
  });

  // Catches: an upload that loses, reorders or pads bytes, keeps an old tail after a
  // shorter rewrite, leaves half a file behind when cancelled, writes into /image or
  // outside the tree, or hangs on a malformed FS_WRITE instead of refusing it.
  it('writes, makes directories and removes files under /tmp and /disk; /image and bad frames are refused', async () => {
    const disk = newDisk(emulator, 4 << 20);
    const hdb = newDisk(emulator, 8 << 20);
    const m = await bootWithDisk(emulator, disk, '', hdb);
    machine = m;
    const client = new BridgeClient((bytes) => m.send(1, bytes));
    m.com2.onByte((b) => client.feed(Uint8Array.of(b)));
    await m.waitForText(0, 'TelOS: monitor: ready on COM1 (type help)\ntelos> ', 60_000);

    // Seeded bytes over many frames, every byte value among them.
    let seed = 7;
    const bytes = Uint8Array.from({ length: 40_000 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed >>> 24));
    const seen: number[] = [];
    await client.makeDirectory('/disk/up');
    await client.writeFile('/disk/up/random.bin', bytes, { onProgress: (written) => seen.push(written) });
    expect(seen.at(-1)).toBe(bytes.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.length).toBe(Math.ceil(bytes.length / (BRIDGE.MAX_PAYLOAD - 16 - '/disk/up/random.bin'.length)));
    expect(await client.listDirectory('/disk/up')).toEqual([{ name: 'random.bin', type: 'file', size: bytes.length }]);
    expect(await client.readFile('/disk/up/random.bin')).toEqual(bytes);
    // Rewritten shorter: nothing of the old bytes is left past the new end.
    await client.writeFile('/disk/up/random.bin', bytes.subarray(0, 3000));
    expect(await client.readFile('/disk/up/random.bin')).toEqual(bytes.subarray(0, 3000));
    // An empty file is a file.
    await client.writeFile('/tmp/empty', new Uint8Array(0));
    expect(await client.listDirectory('/tmp')).toContainEqual({ name: 'empty', type: 'file', size: 0 });

    // What the bridge wrote is what the monitor's cat shows.
    await client.writeFile('/tmp/hello.txt', new TextEncoder().encode('uploaded from the host\n'));
    const from = m.com1.text().length;
    m.send(0, 'cat /tmp/hello.txt\r');
    await m.waitForText(0, 'uploaded from the host', 20_000, from);

    // Cancelled between frames: rejected, and no partial file remains.
    const stop = new AbortController();
    const upload = client.writeFile('/disk/up/cancelled.bin', bytes, { signal: stop.signal, onProgress: () => stop.abort() });
    await expect(upload).rejects.toMatchObject({ name: 'WriteCancelled' });
    expect((await client.listDirectory('/disk/up')).map((e) => e.name)).toEqual(['random.bin']);

    // Catches: a first frame that creates the file and then fails to write (here at an offset
    // past what the file system holds) leaving the new, empty file behind.
    const far = (path: string) => {
      const name = new TextEncoder().encode(path);
      const p = new Uint8Array(16 + name.length + 4);
      const v = new DataView(p.buffer);
      v.setUint32(4, 0x100, true); // offset 2^40
      v.setUint32(8, BRIDGE.FS_CREATE | BRIDGE.FS_TRUNCATE | BRIDGE.FS_LAST, true);
      v.setUint32(12, name.length, true);
      p.set(name, 16);
      p.set([1, 2, 3, 4], 16 + name.length);
      return p;
    };
    await expect(client.request(BRIDGE.FS_WRITE, far('/disk/up/far.bin'))).rejects.toBeInstanceOf(BridgeError);
    await expect(client.request(BRIDGE.FS_WRITE, far('/tmp/far.bin'))).rejects.toBeInstanceOf(BridgeError);
    expect((await client.listDirectory('/disk/up')).map((e) => e.name)).toEqual(['random.bin']);
    expect((await client.listDirectory('/tmp')).map((e) => e.name)).not.toContain('far.bin');

    // Refused: /image and "/" are read-only, a missing directory is not found, ".." cannot
    // leave the tree; nothing is written by any of them.
    await expect(client.writeFile('/image/new', Uint8Array.of(1))).rejects.toMatchObject({ code: BRIDGE.EREAD_ONLY, message: expect.stringContaining('read-only') });
    await expect(client.writeFile('/image/objects/10', Uint8Array.of(1))).rejects.toMatchObject({ code: BRIDGE.EREAD_ONLY });
    await expect(client.writeFile('/new', Uint8Array.of(1))).rejects.toMatchObject({ code: BRIDGE.EREAD_ONLY });
    await expect(client.writeFile('/dev/hdb-raw', Uint8Array.of(1))).rejects.toMatchObject({ code: BRIDGE.EREAD_ONLY });
    await expect(client.makeDirectory('/image/dir')).rejects.toMatchObject({ code: BRIDGE.EREAD_ONLY });
    await expect(client.remove('/image/roots')).rejects.toMatchObject({ code: BRIDGE.EREAD_ONLY });
    await expect(client.writeFile('/disk/missing/x', Uint8Array.of(1))).rejects.toMatchObject({ code: BRIDGE.ENOT_FOUND });
    await expect(client.writeFile('/disk/../../x', Uint8Array.of(1))).rejects.toMatchObject({ code: BRIDGE.EREFUSED, message: expect.stringContaining('outside') });
    await expect(client.remove('/disk/up')).rejects.toMatchObject({ code: BRIDGE.EREFUSED, message: 'directory not empty' });
    expect(new TextDecoder().decode(await client.readFile('/image/roots'))).toBe('1 lobby\n');
    expect((await client.listDirectory('/')).map((e) => e.name)).toEqual(['tmp', 'disk', 'dev', 'image']);

    // Malformed FS_WRITE frames: a path length past the payload, a NUL in the path, unknown
    // flags, no path at all; an FS_REMOVE with an empty path.
    const frame = (offset: number, flags: number, pathLength: number, rest: number[]) => {
      const p = new Uint8Array(16 + rest.length);
      const v = new DataView(p.buffer);
      v.setUint32(0, offset, true);
      v.setUint32(8, flags, true);
      v.setUint32(12, pathLength, true);
      p.set(rest, 16);
      return p;
    };
    const slashTmpX = [...new TextEncoder().encode('/tmp/x')];
    await expect(client.request(BRIDGE.FS_WRITE, frame(0, 1, 200, slashTmpX))).rejects.toMatchObject({ code: BRIDGE.EBAD_PAYLOAD });
    await expect(client.request(BRIDGE.FS_WRITE, frame(0, 1, 6, [0x2f, 0x74, 0, 0x70, 0x2f, 0x78]))).rejects.toMatchObject({ code: BRIDGE.EBAD_PAYLOAD });
    await expect(client.request(BRIDGE.FS_WRITE, frame(0, 0x80, 6, slashTmpX))).rejects.toMatchObject({ code: BRIDGE.EBAD_PAYLOAD });
    await expect(client.request(BRIDGE.FS_WRITE, frame(0, 1, 0, []))).rejects.toMatchObject({ code: BRIDGE.EBAD_PAYLOAD });
    await expect(client.request(BRIDGE.FS_WRITE, new Uint8Array(12))).rejects.toMatchObject({ code: BRIDGE.EBAD_PAYLOAD });
    await expect(client.request(BRIDGE.FS_REMOVE, new Uint8Array(0))).rejects.toMatchObject({ code: BRIDGE.EBAD_PAYLOAD });
    // A frame longer than the bridge takes: refused by its header, the next one served.
    const long = new Uint8Array(8);
    long.set([BRIDGE.MAGIC_0, BRIDGE.MAGIC_1, 0x01, 0x40, BRIDGE.FS_WRITE, 0, 0x55, 0x05]);
    m.send(1, long);
    expect((await client.listDirectory('/tmp')).map((e) => e.name)).not.toContain('x');
    expect(client.strayErrors.some((f) => f.id === 0x555 && f.status === BRIDGE.ETOO_LONG)).toBe(true);
    // The client refuses what it cannot send before anything goes over the line.
    await expect(client.writeFile('tmp/x', Uint8Array.of(1))).rejects.toMatchObject({ code: BRIDGE.EBAD_PAYLOAD });
    await expect(client.writeFile(`/tmp/${'n'.repeat(260)}`, Uint8Array.of(1))).rejects.toMatchObject({ code: BRIDGE.EBAD_PAYLOAD });

    // Removing: a file, then its now empty directory.
    await client.remove('/disk/up/random.bin');
    await client.remove('/disk/up');
    expect((await client.listDirectory('/disk')).map((e) => e.name)).not.toContain('up');
    // Still serving.
    expect(await client.listObjects()).toContain(20);
  });

  // Catches: a listing that meets a file-system error after some entries of a frame and
  // ends there silently, as if the directory held only those.
  it('reports an error met part way through a directory listing', async () => {
    const hdb = newDisk(emulator, 8 << 20);
    const writer = await bootWithDisk(emulator, newDisk(emulator, 4 << 20), '', hdb);
    machine = writer;
    const client = new BridgeClient((bytes) => writer.send(1, bytes));
    writer.com2.onByte((b) => client.feed(Uint8Array.of(b)));
    await writer.waitForText(0, 'TelOS: monitor: ready on COM1 (type help)\ntelos> ', 60_000);
    await client.makeDirectory('/disk/d');
    for (let i = 1; i <= 6; i++) await client.writeFile(`/disk/d/entry-${i}`, Uint8Array.of(i));
    expect((await client.listDirectory('/disk/d')).map((e) => e.name)).toEqual(['entry-1', 'entry-2', 'entry-3', 'entry-4', 'entry-5', 'entry-6']);
    await writer.powerOff();
    machine = undefined;

    // entry-4's directory record gets a length no ext2 record has (not a multiple of 4).
    const bytes = hdb.bytes();
    const name = new TextEncoder().encode('entry-4');
    let at = -1;
    for (let i = 8; i + name.length <= bytes.length && at < 0; i++) if (bytes[i] === name[0] && name.every((b, k) => bytes[i + k] === b) && bytes[i - 2] === name.length) at = i - 8;
    expect(at).toBeGreaterThan(0);
    bytes[at + 4] = 13;
    bytes[at + 5] = 0;
    hdb.write(bytes);

    const m = await bootWithDisk(emulator, newDisk(emulator, 4 << 20), '', hdb);
    machine = m;
    const again = new BridgeClient((b) => m.send(1, b));
    m.com2.onByte((b) => again.feed(Uint8Array.of(b)));
    await m.waitForText(0, 'TelOS: bridge: serving frames on COM2', 60_000);
    await expect(again.listDirectory('/disk/d')).rejects.toBeInstanceOf(BridgeError);
    // Still serving.
    expect(await again.listObjects()).toContain(20);
  });

  // Catches: a write to /disk on a Machine without a file disk that is refused as
  // "read-only" (or hangs) instead of naming the missing disk.
  it('refuses a write to /disk when there is no file disk, naming it', async () => {
    const { client } = await bootWithBridge(emulator);
    await expect(client.writeFile('/disk/x', Uint8Array.of(1))).rejects.toMatchObject({ code: BRIDGE.ENOT_FOUND, message: '/disk is not mounted (no file disk)' });
    await client.writeFile('/tmp/x', Uint8Array.of(1));
    expect(await client.readFile('/tmp/x')).toEqual(Uint8Array.of(1));
  });

  // Catches: a bridge that crashes, hangs or acts on a frame with a bad CRC, length or operation.
  it('answers malformed frames with error frames and keeps serving', async () => {
    const { m, client } = await bootWithBridge(emulator);
    // A frame with a broken checksum.
    const bad = encodeFrame({ type: BRIDGE.LIST_OBJECTS, status: 0, id: 900, payload: new Uint8Array(0) });
    bad[bad.length - 1]! ^= 0xff;
    m.send(1, bad);
    // An unknown request type, and a payload of the wrong size, as ordinary requests.
    await expect(client.request(0x33)).rejects.toMatchObject({ code: BRIDGE.EUNKNOWN_TYPE });
    await expect(client.request(BRIDGE.GET_OBJECT, Uint8Array.of(1))).rejects.toMatchObject({ code: BRIDGE.EBAD_PAYLOAD });
    expect(client.strayErrors.some((f) => f.id === 900 && f.status === BRIDGE.EBAD_CRC)).toBe(true);
    // Random bytes (seeded), then a real request: still answered.
    let s = 99;
    const junk = Uint8Array.from({ length: 600 }, () => ((s = (s * 1103515245 + 12345) >>> 0), s >>> 24));
    m.send(1, junk);
    const oids = await client.listObjects();
    expect(oids).toContain(20);
    expect(m.com1.text()).not.toMatch(/killed|panic/);
  });
});
}

describe('bridge.ts', () => {
  // Catches: the host side of the bridge and the guest's frame format drifting apart.
  it('uses the constants of include/telos/bridge.h', () => {
    const header = readFileSync(new URL('../../images/telos/include/telos/bridge.h', import.meta.url), 'utf8');
    const defines = Object.fromEntries(
      [...header.matchAll(/^#define BRIDGE_(\w+)\s+(0x[0-9A-Fa-f]+|\d+)/gm)].map((m) => [m[1]!, Number(m[2])]),
    );
    expect(defines).toEqual({ ...BRIDGE });
  });

  // Catches: bridge errors reported as untyped exceptions the IDE cannot show.
  it('reports errors as BridgeError values', () => {
    expect(new BridgeError(BRIDGE.EBAD_CRC, 'checksum mismatch')).toMatchObject({ name: 'BridgeError', code: 1 });
  });
});
