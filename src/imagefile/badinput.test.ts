// Every kind of bad .telos file named in the image-file issue, each refused with a reason
// that names the line and what is wrong.
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportImage, ImageFileError, importImage, MemoryImageShelf, readImageFile, type ImageReadLimits } from './index';
import { bytesOf, gzip, openLines, sampleImage, sealLines, streamOf } from './test-fixtures';

let lines: string[] = [];
let good: Uint8Array;

beforeAll(async () => {
  good = await bytesOf(await exportImage(sampleImage(), { includeHistory: true, createdAt: new Date('2026-01-01T00:00:00Z') }));
  lines = openLines(good);
});

async function rejection(bytes: Uint8Array, limits?: Partial<ImageReadLimits>): Promise<ImageFileError> {
  try {
    await readImageFile(streamOf(bytes, 1000), {}, { limits });
  } catch (e) {
    expect(e).toBeInstanceOf(ImageFileError);
    return e as ImageFileError;
  }
  throw new Error('the file was accepted');
}

/** The sample image with line `n` (1-based) replaced by what `edit` makes of its JSON, resealed. */
function edited(n: number, edit: (json: any) => unknown): Uint8Array {
  const copy = [...lines];
  const out = edit(JSON.parse(copy[n - 1]!));
  copy[n - 1] = typeof out === 'string' ? out : JSON.stringify(out);
  return gzip(sealLines(copy));
}

const objLine = (oid: number) => lines.findIndex((l) => l.startsWith(`{"type":"obj","oid":${oid},`)) + 1;

describe('reading a bad image file', () => {
  it('accepts the unedited sample, so every refusal below is caused by its edit', async () => {
    const s = await readImageFile(streamOf(gzip(sealLines(lines))));
    expect(s.counts.obj).toBe(4);
  });

  it('refuses a file truncated in the middle of the gzip stream', async () => {
    const e = await rejection(good.subarray(0, Math.floor(good.length / 2)));
    expect(e.message).toMatch(/gzip stream is corrupt or truncated/);
  });

  it('refuses a gzip-valid file that stops before its end record', async () => {
    const e = await rejection(gzip(lines.map((l) => l + '\n').join('')));
    expect(e.message).toMatch(/without an end record \(truncated\?\)/);
  });

  it('refuses a file with a flipped byte in its compressed data', async () => {
    const bad = good.slice();
    bad[Math.floor(bad.length / 2)]! ^= 0x40;
    const e = await rejection(bad);
    expect(e.message).toMatch(/gzip stream is corrupt|checksum mismatch|invalid JSON|line \d+/);
  });

  it('refuses a record changed after the checksum was taken', async () => {
    const text = sealLines(lines).replace('"x","kind":"data","value":3', '"x","kind":"data","value":4');
    const e = await rejection(gzip(text));
    expect(e.message).toMatch(new RegExp(`^line ${lines.length + 1} \\(end record\\): checksum mismatch`));
  });

  it('refuses invalid JSON and names its line', async () => {
    const e = await rejection(edited(3, () => '{"type":"obj",'));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/line 3: invalid JSON/);
  });

  it('refuses invalid UTF-8', async () => {
    const body = new TextEncoder().encode(sealLines(lines));
    const at = body.indexOf(0x7b, 200);
    const bad = new Uint8Array([...body.subarray(0, at), 0xff, 0xfe, ...body.subarray(at)]);
    expect((await rejection(gzip(bad))).message).toMatch(/not valid UTF-8/);
  });

  it('refuses an unknown record type', async () => {
    const e = await rejection(edited(3, (j) => ({ ...j, type: 'object' })));
    expect(e.message).toBe('line 3: unknown record type "object"');
  });

  it('refuses an unknown field in a record', async () => {
    const e = await rejection(edited(objLine(2), (j) => ({ ...j, extra: 1 })));
    expect(e.message).toMatch(/line 4 \(obj record\): .*extra/i);
  });

  it('refuses two objects with the same OID', async () => {
    const e = await rejection(edited(objLine(3), (j) => ({ ...j, oid: 2 })));
    expect(e.message).toBe('line 5 (obj record): duplicate OID 2');
  });

  it('refuses a reference to an object that is not in the file', async () => {
    const e = await rejection(edited(objLine(0), (j) => { j.state.slots[1].value = { ref: 99 }; return j; }));
    expect(e.message).toBe('line 2 (obj record): object 0 refers to OID 99, which is not in the file');
  });

  it('refuses a trait use of an object that is not in the file', async () => {
    const e = await rejection(edited(objLine(2), (j) => { j.state.traits[0].trait = 77; return j; }));
    expect(e.message).toMatch(/object 2 refers to OID 77/);
  });

  it('refuses a blob reference to a blob that is not in the file', async () => {
    const e = await rejection(edited(objLine(0), (j) => { j.state.slots[3].value.blob = 'nope'; return j; }));
    expect(e.message).toMatch(/refers to blob "nope", which is not in the file/);
  });

  it('refuses a blob reference whose size differs from the blob', async () => {
    const e = await rejection(edited(objLine(0), (j) => { j.state.slots[3].value.size = 6; return j; }));
    expect(e.message).toMatch(/blob "b-1" is 5 bytes but object 0/);
  });

  it('refuses parent slots that form a cycle', async () => {
    const e = await rejection(edited(objLine(1), (j) => {
      j.state.slots.push({ name: 'parent', kind: 'parent', value: { ref: 2 } });
      return j;
    }));
    expect(e.message).toMatch(/parent slots form a cycle: (1 → 2 → 1|2 → 1 → 2)/);
  });

  it('refuses a missing root object', async () => {
    const e = await rejection(edited(1, (j) => ({ ...j, root: 3 })).length ? edited(1, (j) => ({ ...j, root: 40 })) : good);
    expect(e.message).toMatch(/root object 40 is missing/);
  });

  it.each([
    ['an OID of 2^53', (j: any) => ({ ...j, oid: 2 ** 53 }), /OID must be an integer below 2\^52/],
    ['a negative OID', (j: any) => ({ ...j, oid: -1 }), /OID must not be negative/],
    ['a fractional OID', (j: any) => ({ ...j, oid: 1.5 }), /OID must be an integer/],
    ['a number too large for a double', (j: any) => JSON.stringify(j).replace('"value":3', '"value":1e999'), /number must be finite/],
    ['a serial above 2^53', (j: any) => ({ ...j, serial: 2 ** 60 }), /serial: a transaction id must be an integer below 2\^52/],
    ['a reference to a negative OID', (j: any) => JSON.stringify(j).replace('"value":3', '"value":[{"ref":-2}]'), /value: a reference must name an OID/],
    ['a reference with an extra key', (j: any) => JSON.stringify(j).replace('"value":3', '"value":{"ref":1,"x":2}'), /object with keys \{ref,x\} is not a value/],
    ['a blob reference with a bad id', (j: any) => JSON.stringify(j).replace('"value":3', '"value":{"blob":"a b","size":1,"type":""}'), /blob id may hold only/],
  ])('refuses %s', async (_, edit, reason) => {
    const e = await rejection(edited(objLine(2), edit));
    expect(e.line).toBe(objLine(2));
    expect(e.message).toMatch(reason);
  });

  it('refuses a line holding a 100 MB string without reading the rest of it', async () => {
    const prefix = Buffer.from(lines[0] + '\n{"type":"obj","oid":0,"state":{"name":"');
    const gz = new Uint8Array(gzipSync(Buffer.concat([prefix, Buffer.alloc(100 << 20, 0x61), Buffer.from('"}}\n')]), { level: 9 }));
    let pulled = 0;
    const input = streamOf(gz, 1024).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({ transform: (c, out) => { pulled += c.length; out.enqueue(c); } }),
    );
    await expect(readImageFile(input)).rejects.toThrow(/^line 2: line is longer than 16777216 bytes$/);
    expect(pulled).toBeLessThan(gz.length / 2);
  });

  it.each([
    ['__proto__ as a record key', '{"type":"obj","oid":1,"__proto__":{"polluted":true},"state":{}}', /the key "__proto__" is not allowed/],
    ['constructor as a state key', '{"type":"obj","oid":1,"state":{"constructor":{"prototype":{}}}}', /the key "constructor" is not allowed/],
    ['__proto__ in an old-style alias map', '{"type":"obj","oid":1,"state":{"name":"","slots":[],"traits":[{"trait":0,"exclude":[],"alias":{"__proto__":"x"}}],"meta":{}}}', /the key "__proto__" is not allowed/],
    ['an escaped __proto__ key', '{"type":"obj","oid":1,"\\u005f_proto__":1,"state":{}}', /the key "__proto__" is not allowed/],
    ['__proto__ as a slot name', '{"type":"obj","oid":1,"state":{"name":"","slots":[{"name":"__proto__","kind":"data","value":1}],"traits":[],"meta":{}}}', /slot name must not be oid or __proto__/],
  ])('refuses %s', async (_, line, reason) => {
    const e = await rejection(edited(objLine(1), () => line));
    expect(e.message).toMatch(reason);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses values nested deeper than the limit without overflowing the stack', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const e = await rejection(edited(objLine(2), (j) => JSON.stringify(j).replace('"value":3', `"value":${deep}`)));
    expect(e.message).toMatch(/nested deeper than 64 levels/);
  });

  it('counts nesting on the line bytes before parsing them: a deep line is refused even where it is not JSON', async () => {
    // Parsed first, this line would be "invalid JSON"; counted first, it is too deep.
    const deep = '['.repeat(65) + ']'.repeat(64) + '}';
    const e = await rejection(edited(objLine(2), (j) => JSON.stringify(j).replace('"value":3', `"value":${deep}`)));
    expect(e.message).toMatch(new RegExp(`^line ${objLine(2)}: values are nested deeper than 64 levels`));
    // Brackets inside strings, escaped quotes included, are text and do not count.
    const text = JSON.stringify('\\"' + '['.repeat(200) + '{'.repeat(200));
    const ok = edited(objLine(2), (j) => JSON.stringify(j).replace('"value":3', `"value":${text}`));
    expect((await readImageFile(streamOf(ok, 7))).counts.obj).toBe(4);
    // Exactly at the limit is allowed: 64 levels, of which record, state, slot list and slot are 4.
    const atLimit = edited(objLine(2), (j) => JSON.stringify(j).replace('"value":3', `"value":${'['.repeat(60)}${']'.repeat(60)}`));
    expect((await readImageFile(streamOf(atLimit))).counts.obj).toBe(4);
    const past = edited(objLine(2), (j) => JSON.stringify(j).replace('"value":3', `"value":${'['.repeat(61)}${']'.repeat(61)}`));
    expect((await rejection(past)).message).toMatch(/nested deeper than 64 levels/);
  });

  it('refuses a line nesting 7 million lists without parsing it', async () => {
    const deep = '['.repeat(7_000_000) + ']'.repeat(7_000_000);
    const bytes = edited(objLine(2), (j) => JSON.stringify(j).replace('"value":3', `"value":${deep}`));
    const started = performance.now();
    const e = await rejection(bytes);
    expect(e.message).toMatch(/nested deeper than 64 levels/);
    // Parsed, this line took 810 MiB and seconds; counted, a scan of its first bytes.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('refuses a file written by a newer format version, naming both versions', async () => {
    const e = await rejection(edited(1, (j) => ({ ...j, version: 2 })));
    expect(e.message).toBe('line 1 (header record): written by a newer TelOS Studio: file format version 2, this reader knows up to version 1');
  });

  it('refuses a file that is not a TelOS image', async () => {
    expect((await rejection(gzip('{"format":"zip"}\n'))).message).toMatch(/not a TelOS image/);
    expect((await rejection(new TextEncoder().encode('{"format":"telos-image"}\n'))).message).toMatch(/gzip stream is corrupt/);
    expect((await rejection(gzip(''))).message).toBe('the file is empty');
  });

  it('refuses a gzip bomb once the expansion passes the limit, having read little of it', async () => {
    // 200 MiB of one letter inside a blob record: about 200 KiB compressed.
    const prefix = Buffer.from(lines[0] + '\n{"type":"blob","id":"z","mediaType":"","size":999999999,"offset":0,"data":"');
    const bomb = new Uint8Array(gzipSync(Buffer.concat([prefix, Buffer.alloc(200 << 20, 0x41)]), { level: 9 }));
    let pulled = 0;
    const input = streamOf(bomb, 4096).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({ transform: (c, out) => { pulled += c.length; out.enqueue(c); } }),
    );
    // The line limit would stop this file too; lift it to show the expansion check alone.
    const e = await readImageFile(input, {}, { limits: { maxLineBytes: 1 << 30 } }).catch((x) => x);
    expect(e).toBeInstanceOf(ImageFileError);
    expect(e.message).toMatch(/expands more than 250 times .*gzip bomb/);
    expect(pulled).toBeLessThan(bomb.length / 2);
  });

  it('refuses a file that expands past the total size limit', async () => {
    const e = await rejection(good, { maxTotalBytes: 500 });
    expect(e.message).toMatch(/expands past 500 bytes/);
  });

  it('refuses counts that differ from the header', async () => {
    const e = await rejection(edited(1, (j) => ({ ...j, counts: { ...j.counts, obj: 5 } })));
    expect(e.message).toMatch(/header promises 5 obj but the file has 4/);
  });

  it('refuses data after the end record', async () => {
    const e = await rejection(gzip(sealLines(lines) + lines[1] + '\n'));
    expect(e.message).toMatch(/data after the end record/);
  });

  it('accepts up to 4096 blank bytes after the end record and refuses more, naming the limit', async () => {
    const sealed = sealLines(lines);
    const blank = (n: number) => ' \r\n\t'.repeat(n / 4);
    expect((await readImageFile(streamOf(gzip(sealed + blank(4096)), 100))).counts.obj).toBe(4);
    const e = await rejection(gzip(sealed + blank(4100)));
    expect(e.message).toMatch(/more than 4096 blank bytes after the end record/);
  });

  it('refuses 64 MiB of blank lines after the end record having read little of them', async () => {
    const bytes = new Uint8Array(gzipSync(Buffer.concat([Buffer.from(sealLines(lines)), Buffer.alloc(64 << 20, 0x0a)]), { level: 9 }));
    let pulled = 0;
    const input = streamOf(bytes, 4096).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({ transform: (c, out) => { pulled += c.length; out.enqueue(c); } }),
    );
    const started = performance.now();
    const e = await readImageFile(input).catch((x) => x);
    expect(e).toBeInstanceOf(ImageFileError);
    expect(e.message).toMatch(/more than 4096 blank bytes after the end record/);
    expect(pulled).toBeLessThan(bytes.length / 2);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('refuses a blob whose chunks do not add up to its size', async () => {
    const n = lines.findIndex((l) => l.includes('"id":"b-1"')) + 1;
    const e = await rejection(edited(n, (j) => ({ ...j, size: 9 })));
    expect(e.message).toMatch(/blob "b-1" ends early|is 9 bytes/);
  });
});

describe('reading an image whose ids a later commit could not continue from', () => {
  // A commit takes the tid after the header's lastTid and OIDs from its nextOid on: a file
  // that verifies must leave both free, and room to count up.
  const txLine = () => lines.findIndex((l) => l.startsWith('{"type":"tx","tid":2,')) + 1;

  it('the sample header says lastTid 2 and nextOid 4', () => {
    expect(JSON.parse(lines[0]!)).toMatchObject({ lastTid: 2, nextOid: 4 });
  });

  it('refuses a history record with a tid above the header lastTid', async () => {
    const e = await rejection(edited(txLine(), (j) => ({ ...j, tid: 3 })));
    expect(e.line).toBe(txLine());
    expect(e.message).toMatch(/transaction 3 is above the header's lastTid 2/);
  });

  it('refuses an object whose serial is above the header lastTid', async () => {
    const e = await rejection(edited(objLine(2), (j) => ({ ...j, serial: 5 })));
    expect(e.message).toMatch(new RegExp(`^line ${objLine(2)} \\(obj record\\): object 2 has serial 5, above the header's lastTid 2`));
  });

  it('refuses a nextOid, lastTid or root of 2^52 or more', async () => {
    for (const n of [2 ** 52, 2 ** 53 - 1]) {
      expect((await rejection(edited(1, (j) => ({ ...j, nextOid: n })))).message).toMatch(/^line 1 \(header record\): nextOid: .*below 2\^52/);
      expect((await rejection(edited(1, (j) => ({ ...j, lastTid: n })))).message).toMatch(/^line 1 \(header record\): lastTid: .*below 2\^52/);
      expect((await rejection(edited(1, (j) => ({ ...j, root: n })))).message).toMatch(/^line 1 \(header record\): root: .*below 2\^52/);
    }
  });

  it('refuses an OID, serial or tid of 2^52 or more even when the header names no nextOid or lastTid', async () => {
    const open = (j: any) => {
      const { nextOid: _n, lastTid: _l, ...rest } = j;
      return rest;
    };
    const without = (n: number, edit: (json: any) => unknown) => {
      const copy = [...lines];
      copy[0] = JSON.stringify(open(JSON.parse(copy[0]!)));
      copy[n - 1] = JSON.stringify(edit(JSON.parse(copy[n - 1]!)));
      return gzip(sealLines(copy));
    };
    // Without them the file is accepted: the checks below are the bounds, not the header.
    expect((await readImageFile(streamOf(without(2, (j) => j)))).counts.obj).toBe(4);
    expect((await rejection(without(objLine(3), (j) => ({ ...j, oid: 2 ** 52 })))).message).toMatch(/oid: an OID must be below 2\^52/);
    expect((await rejection(without(objLine(3), (j) => ({ ...j, serial: 2 ** 52 })))).message).toMatch(/serial: a transaction id must be below 2\^52/);
    expect((await rejection(without(txLine(), (j) => ({ ...j, tid: 2 ** 53 - 1 })))).message).toMatch(/tid: a transaction id must be below 2\^52/);
  });

  it('refuses a history record whose previous revision is not before it, naming the record', async () => {
    // An object's history followed back through such a record would go round (or forward) forever.
    for (const beforeSerial of [2, 3]) {
      const e = await rejection(edited(txLine(), (j) => ({ ...j, changes: [{ ...j.changes[0], beforeSerial }] })));
      expect(e.line).toBe(txLine());
      expect(e.message).toMatch(new RegExp(`\\(tx record\\): transaction 2 says object 2's previous revision is transaction ${beforeSerial}, which is not before it`));
    }
  });

  it('refuses an undo record that says it undid a transaction not before it, naming the record', async () => {
    for (const undoOf of [2, 3]) {
      const e = await rejection(edited(txLine(), (j) => ({ ...j, undoOf })));
      expect(e.line).toBe(txLine());
      expect(e.message).toMatch(new RegExp(`\\(tx record\\): transaction 2 says it undid transaction ${undoOf}, which is not before it`));
    }
  });

  it('refuses a history record naming an OID at or above the header nextOid', async () => {
    const e = await rejection(edited(txLine(), (j) => ({ ...j, changes: [{ ...j.changes[0], oid: 4 }] })));
    expect(e.message).toMatch(/transaction 2 changes OID 4, which is not below the header's nextOid 4/);
  });
});

describe('importing a bad image file', () => {
  it('deletes the partly imported image and leaves the others untouched', async () => {
    const shelf = new MemoryImageShelf();
    await importImage(streamOf(good), shelf.createTarget, { name: 'keep' });
    const before = shelf.images.get('keep');
    const bad = edited(objLine(3), (j) => ({ ...j, oid: 2 }));
    await expect(importImage(streamOf(bad), shelf.createTarget, { name: 'new' })).rejects.toThrow(/duplicate OID 2/);
    expect([...shelf.images.keys()]).toEqual(['keep']);
    expect(shelf.images.get('keep')).toBe(before);
  });

  it('refuses a file with a history record pointing forward and leaves the stored images as they were', async () => {
    const shelf = new MemoryImageShelf();
    await importImage(streamOf(good), shelf.createTarget, { name: 'keep' });
    const before = shelf.images.get('keep');
    const txAt = lines.findIndex((l) => l.startsWith('{"type":"tx","tid":2,')) + 1;
    const bad = edited(txAt, (j) => ({ ...j, changes: [{ ...j.changes[0], beforeSerial: 2 }] }));
    await expect(importImage(streamOf(bad), shelf.createTarget, { name: 'new' })).rejects.toThrow(/transaction 2 says object 2's previous revision is transaction 2/);
    expect([...shelf.images.keys()]).toEqual(['keep']);
    expect(shelf.images.get('keep')).toBe(before);
  });

  it('fails on a checksum mismatch at the very end, after every object was written, and deletes them', async () => {
    const created: string[] = [];
    const deleted: string[] = [];
    const shelf = new MemoryImageShelf();
    const tracking = async (name: string) => {
      const t = await shelf.createTarget(name);
      created.push(name);
      return { ...t, discard: async () => { deleted.push(name); await t.discard(); } };
    };
    const text = sealLines(lines).replace(/"sha256":"[0-9a-f]+"/, `"sha256":"${'0'.repeat(64)}"`);
    await expect(importImage(streamOf(gzip(text)), tracking, { name: 'x', batchSize: 1 })).rejects.toThrow(/checksum mismatch/);
    expect(created).toEqual(['x']);
    expect(deleted).toEqual(['x']);
    expect(shelf.images.size).toBe(0);
  });

  it('creates nothing when the header is already wrong', async () => {
    let created = 0;
    const shelf = new MemoryImageShelf();
    await expect(
      importImage(streamOf(edited(1, (j) => ({ ...j, version: 9 }))), async (n) => { created++; return shelf.createTarget(n); }),
    ).rejects.toThrow(/newer/);
    expect(created).toBe(0);
  });

  it('reports a store failure as an import error and deletes what was written', async () => {
    const shelf = new MemoryImageShelf();
    let discarded = false;
    const failing = async (name: string) => {
      const t = await shelf.createTarget(name);
      return {
        ...t,
        putBlob: async () => { throw new DOMException('quota', 'QuotaExceededError'); },
        discard: async () => { discarded = true; await t.discard(); },
      };
    };
    await expect(importImage(streamOf(good), failing, { name: 'q' })).rejects.toThrow(/the store failed while writing blob "b-1": quota/);
    expect(discarded).toBe(true);
  });

  it('refuses a name that is already taken, leaving that image as it was', async () => {
    const shelf = new MemoryImageShelf();
    await importImage(streamOf(good), shelf.createTarget, { name: 'a' });
    const before = shelf.images.get('a');
    await expect(importImage(streamOf(good), shelf.createTarget, { name: 'a' })).rejects.toThrow(/already exists/);
    expect(shelf.images.get('a')).toBe(before);
  });
});
