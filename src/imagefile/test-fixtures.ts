// Helpers for the image file's tests: a small World image with every kind of slot, value,
// blob and history entry; byte streams in chosen chunk sizes; hand-made NDJSON files.
import { gzipSync, gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { ObjectState } from '../world';
import { MemoryImage } from './memory';

export function sampleImage(name = 'sample'): MemoryImage {
  const img = new MemoryImage(name);
  const states: ObjectState[] = [
    {
      oid: 0,
      name: 'lobby',
      slots: [
        { name: 'parent', kind: 'parent', value: { ref: 1 } },
        { name: 'Point', kind: 'data', value: { ref: 2 }, constant: true, category: 'prototypes' },
        { name: 'traits', kind: 'data', value: [{ ref: 3 }, null, true, 1.5, 'x', []] },
        { name: 'picture', kind: 'data', value: { blob: 'b-1', size: 5, type: 'text/plain' } },
      ],
      traits: [],
      meta: { createdTid: 1 },
    },
    {
      oid: 1,
      name: 'defaultBehavior',
      slots: [{ name: '==', kind: 'method', source: 'function (other) { return self === other; }', comment: 'identity' }],
      traits: [],
      meta: {},
    },
    {
      oid: 2,
      name: 'Point',
      slots: [
        { name: 'parent', kind: 'parent', value: { ref: 1 } },
        { name: 'x', kind: 'data', value: 3 },
        { name: 'y', kind: 'data', value: -4.25 },
        { name: 'norm', kind: 'method', source: 'function () { return Math.hypot(self.x, self.y); }', category: 'math' },
      ],
      traits: [{ trait: 3, exclude: ['hash'], alias: { pointHash: 'hash', constructor: 'hash' } }],
      meta: { createdTid: 1 },
    },
    {
      oid: 3,
      name: 'THashable',
      slots: [{ name: 'hash', kind: 'method', source: 'function () { return 7; }' }],
      traits: [],
      meta: {},
    },
  ];
  for (const s of states) img.put(s, 2);
  img.blobs_.set('b-1', { id: 'b-1', type: 'text/plain', size: 5, data: new Blob(['hello'], { type: 'text/plain' }) });
  img.blobs_.set('b-empty', { id: 'b-empty', type: '', size: 0, data: new Blob([]) });
  img.history.push(
    { tid: 1, time: 1700000000000, note: 'genesis', origin: 'test', changes: [{ oid: 0, beforeSerial: 0, before: null }] },
    { tid: 2, time: 1700000001000, note: 'move Point', origin: 'outliner', changes: [{ oid: 2, beforeSerial: 1, before: { ...states[2]!, slots: [] } }] },
  );
  img.lastTid = 2;
  img.root = 0;
  return img;
}

export async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.length;
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A stream of these bytes in chunks of `chunk` bytes (small chunks exercise line splitting). */
export function streamOf(bytes: Uint8Array, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

export const gzip = (bytes: Uint8Array | string): Uint8Array => new Uint8Array(gzipSync(bytes));
export const gunzipText = (bytes: Uint8Array): string => gunzipSync(bytes).toString('utf8');

/** NDJSON lines (header and records, no end) with a correct end record appended. */
export function sealLines(lines: string[]): string {
  const body = lines.map((l) => l + '\n').join('');
  const sha256 = createHash('sha256').update(body).digest('hex');
  return body + JSON.stringify({ type: 'end', records: lines.length - 1, sha256 }) + '\n';
}

/** Splits an image's NDJSON into its lines without the end record, for editing. */
export function openLines(gz: Uint8Array): string[] {
  const lines = gunzipText(gz).split('\n').filter((l) => l.length > 0);
  lines.pop();
  return lines;
}
