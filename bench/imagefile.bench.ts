// `.telos` export and import throughput for a 100,000-object image, against plain gzip and
// gunzip (native CompressionStream / DecompressionStream) of the very same NDJSON bytes in
// the same run: the ratio is what validation, checksumming and record handling cost.
import type { ObjectState } from '../src/world';
import { exportImage, importImage, MemoryImage, MemoryImageShelf, readImageFile, writeImageNdjson } from '../src/imagefile';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { percentiles, printTable, type BenchRow } from './lib';

const OBJECTS = 100_000;
const RUNS = 3;

function buildImage(): MemoryImage {
  const img = new MemoryImage('bench');
  const members: { ref: number }[] = [];
  for (let oid = 1; oid < OBJECTS; oid++) {
    const state: ObjectState = {
      oid,
      name: `point ${oid}`,
      slots: [
        { name: 'parent', kind: 'parent', value: { ref: oid === 1 ? 0 : 1 } },
        { name: 'x', kind: 'data', value: oid * 3, category: 'coordinates' },
        { name: 'y', kind: 'data', value: (oid * 7919) % 1000.5 },
        { name: 'label', kind: 'data', value: `p${oid}` },
        { name: 'neighbours', kind: 'data', value: [{ ref: 1 + (oid % (OBJECTS - 1)) }, { ref: 1 + ((oid * 31) % (OBJECTS - 1)) }] },
        ...(oid % 10 === 0 ? [{ name: 'norm', kind: 'method' as const, source: 'function () { return Math.hypot(self.x, self.y); }' }] : []),
      ],
      traits: [],
      meta: { createdTid: 1 },
    };
    img.put(state, 1);
    if (oid % 1000 === 0) members.push({ ref: oid });
  }
  img.put({ oid: 0, name: 'lobby', slots: [{ name: 'some', kind: 'data', value: members }], traits: [], meta: { createdTid: 1 } }, 1);
  // Every object was committed by transaction 1: the header says so (an export refuses serials above lastTid).
  img.lastTid = 1;
  return img;
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<{ bytes: number; chunks: Uint8Array[] }> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes, chunks };
    bytes += value.length;
    chunks.push(value);
  }
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < chunks.length) c.enqueue(chunks[i++]!);
      else c.close();
    },
  });
}

async function time<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

const img = buildImage();
const at = new Date('2026-01-01T00:00:00Z');
// The same NDJSON the exporter compresses, for the baselines.
const d = await img.describe();
const ndjson = await drain(
  writeImageNdjson(
    { format: 'telos-image', version: 1, createdAt: at.toISOString(), root: 0, counts: { obj: d.counts.objects, blob: 0, tx: 0, disk: 0, vm: 0 }, name: 'bench', nextOid: d.nextOid!, lastTid: d.lastTid! },
    (async function* () {
      const { stateToFile } = await import('../src/imagefile');
      for await (const o of img.objects()) yield { type: 'obj' as const, oid: o.state.oid, serial: o.serial, state: stateToFile(o.state) };
    })(),
    { validate: false },
  ),
);
const MB = ndjson.bytes / 1024 / 1024;

const exportMs: number[] = [];
const gzipMs: number[] = [];
const importMs: number[] = [];
const verifyMs: number[] = [];
const verifyCpuMs: number[] = [];
const gunzipCpuMs: number[] = [];
const gunzipMs: number[] = [];
let gz: Uint8Array[] = [];
let gzBytes = 0;
for (let run = 0; run < RUNS; run++) {
  const e = await time(async () => drain(await exportImage(img, { createdAt: at })));
  exportMs.push(e.ms);
  gz = e.value.chunks;
  gzBytes = e.value.bytes;
  const g = await time(() => drain(streamOf(ndjson.chunks).pipeThrough(new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>)));
  gzipMs.push(g.ms);
  const i = await time(async () => {
    const shelf = new MemoryImageShelf();
    await importImage(streamOf(gz), shelf.createTarget);
    return shelf;
  });
  importMs.push(i.ms);
  if (i.value.images.get('bench')!.objects_.size !== OBJECTS) throw new Error('import lost objects');
  const cpu0 = process.cpuUsage();
  const u = await time(() => drain(streamOf(gz).pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>)));
  const cpu1 = process.cpuUsage(cpu0);
  gunzipMs.push(u.ms);
  gunzipCpuMs.push((cpu1.user + cpu1.system) / 1000);
  // The reader alone (telos image verify): gunzip, split, parse, validate, SHA-256, no store.
  const cpu2 = process.cpuUsage();
  const r = await time(() => readImageFile(streamOf(gz)));
  const cpu3 = process.cpuUsage(cpu2);
  verifyMs.push(r.ms);
  verifyCpuMs.push((cpu3.user + cpu3.system) / 1000);
  if (r.value.counts.obj !== OBJECTS) throw new Error('verify counted the wrong number of objects');
  if (u.value.bytes !== ndjson.bytes) throw new Error('the export is not the NDJSON the baseline compresses');
}

const med = (xs: number[]) => percentiles(xs).median;
const rows: BenchRow[] = [
  { name: 'export (write, validate, SHA-256, gzip)', ours: MB / (med(exportMs) / 1000), baseline: MB / (med(gzipMs) / 1000), unit: 'MB/s', baselineName: 'CompressionStream gzip of the same NDJSON', higherIsBetter: true },
  { name: 'export objects', ours: OBJECTS / (med(exportMs) / 1000), baseline: OBJECTS / (med(gzipMs) / 1000), unit: 'objects/s', baselineName: 'gzip only', higherIsBetter: true },
  { name: 'import (gunzip, parse, validate, SHA-256, store)', ours: MB / (med(importMs) / 1000), baseline: MB / (med(gunzipMs) / 1000), unit: 'MB/s', baselineName: 'DecompressionStream gunzip of the same file', higherIsBetter: true },
  { name: 'verify (gunzip, parse, validate, SHA-256)', ours: MB / (med(verifyMs) / 1000), baseline: MB / (med(gunzipMs) / 1000), unit: 'MB/s', baselineName: 'DecompressionStream gunzip of the same file', higherIsBetter: true },
  { name: 'verify, CPU time (user + system)', ours: med(verifyCpuMs), baseline: med(gunzipCpuMs), unit: 'ms', baselineName: 'gunzip of the same file, CPU time', higherIsBetter: false },
  { name: 'import objects', ours: OBJECTS / (med(importMs) / 1000), baseline: OBJECTS / (med(gunzipMs) / 1000), unit: 'objects/s', baselineName: 'gunzip only', higherIsBetter: true },
];
printTable(`.telos image file: ${OBJECTS.toLocaleString('en-US')} objects, ${MB.toFixed(1)} MB NDJSON, ${(gzBytes / 1024 / 1024).toFixed(1)} MB gzip (median of ${RUNS})`, rows);

// ---------------------------------------------------------------------------------------
// A 200 MB image streamed from export straight into verification: throughput, and how much
// memory the pipeline holds at its peak compared with the size of the image.
{
  const BLOBS = 200;
  const BLOB_BYTES = 1024 * 1024;
  let seed = 7;
  const randomBytes = () => {
    const b = new Uint8Array(BLOB_BYTES);
    for (let i = 0; i < b.length; i += 4) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      b[i] = seed;
      b[i + 1] = seed >>> 8;
      b[i + 2] = seed >>> 16;
      b[i + 3] = seed >>> 24;
    }
    return b;
  };
  const source = {
    async describe() {
      return { name: 'big', root: 0, nextOid: BLOBS + 1, lastTid: 0, counts: { objects: BLOBS + 1, blobs: BLOBS, transactions: 0 } };
    },
    async *objects() {
      yield { serial: 0, state: { oid: 0, name: 'lobby', slots: [{ name: 'all', kind: 'data' as const, value: Array.from({ length: BLOBS }, (_, i) => ({ ref: i + 1 })) }], traits: [], meta: {} } };
      for (let i = 1; i <= BLOBS; i++) {
        yield { serial: 0, state: { oid: i, name: `picture ${i}`, slots: [{ name: 'data', kind: 'data' as const, value: { blob: `b${String(i).padStart(4, '0')}`, size: BLOB_BYTES, type: 'application/octet-stream' } }], traits: [], meta: {} } };
      }
    },
    async *blobs() {
      // Made on demand, one at a time: the source holds no more than one blob either.
      for (let i = 1; i <= BLOBS; i++) yield { id: `b${String(i).padStart(4, '0')}`, type: 'application/octet-stream', size: BLOB_BYTES, data: new Blob([randomBytes() as BlobPart]) };
    },
    async *transactions() {},
  };
  const memory = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const t0 = performance.now();
  const summary = await readImageFile(await exportImage(source, { createdAt: at }));
  const ms = performance.now() - t0;
  // A second run measures what the pipeline holds: live memory after a full collection,
  // sampled as it goes (uncollected garbage is the collector's choice, not retention).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const base = memory();
  let peak = base;
  const sampler = setInterval(() => {
    gc();
    peak = Math.max(peak, memory());
  }, 250);
  seed = 7;
  await readImageFile(await exportImage(source, { createdAt: at }));
  clearInterval(sampler);
  const bigMB = summary.bytes / 1024 / 1024;
  // Baseline: the same amount of incompressible text through gzip and gunzip alone.
  const text = new TextEncoder().encode(btoa(String.fromCharCode(...randomBytes().subarray(0, 48 * 1024))).repeat(1));
  const pieces = Math.ceil(summary.bytes / text.length);
  let made = 0;
  const t1 = performance.now();
  await drain(
    new ReadableStream<Uint8Array>({
      pull(c) {
        if (made++ < pieces) c.enqueue(text.slice());
        else c.close();
      },
    })
      .pipeThrough(new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>)
      .pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>),
  );
  const baseMs = performance.now() - t1;
  printTable(`.telos streaming: ${bigMB.toFixed(0)} MB image (${BLOBS} blobs of 1 MiB) exported straight into verify`, [
    { name: 'export → verify throughput', ours: bigMB / (ms / 1000), baseline: bigMB / (baseMs / 1000), unit: 'MB/s', baselineName: 'gzip → gunzip of as many bytes', higherIsBetter: true },
    { name: 'peak live memory (heap + buffers, after GC)', ours: (peak - base) / 1024 / 1024, baseline: bigMB, unit: 'MB', baselineName: 'size of the image', higherIsBetter: false },
  ]);
}
