// Seeded fuzzing of the image reader and import: thousands of mutations of a valid file,
// at the gzip byte level, the NDJSON byte level and the JSON record level (the last two
// resealed with a correct checksum, so they reach the deeper checks). Every case must be
// refused with an ImageFileError naming a reason, or imported intact; none may throw
// anything else, hang, or touch the image that was already there. Reproducible: set
// TELOS_FUZZ_SEED and TELOS_FUZZ_CASES to replay or extend a run.
import { beforeAll, describe, expect, it } from 'vitest';
import { exportImage, ImageFileError, importImage, MemoryImageShelf, readImageFile } from './index';
import { base64ToBytes } from './base64';
import { bytesOf, gunzipText, sampleImage, streamOf } from './test-fixtures';
import { mutate, rng } from './fuzz-mutations';
import { canonicalRecord, type ImageRecord } from './format';
import type { MemoryImage } from './memory';

const SEED = Number(process.env.TELOS_FUZZ_SEED ?? 20261122);
const CASES = Number(process.env.TELOS_FUZZ_CASES ?? 6000);

/** The records of a file in a comparable form: canonical JSON, blob data as decoded hex. */
async function recordsOf(bytes: Uint8Array): Promise<string[]> {
  const out: string[] = [];
  await readImageFile(streamOf(bytes), {
    record(rec: ImageRecord) {
      const c = canonicalRecord(rec) as ImageRecord & { data?: string };
      if (c.type === 'blob' || c.type === 'disk' || c.type === 'vm') c.data = Buffer.from(base64ToBytes(c.data!)).toString('hex');
      out.push(JSON.stringify(c));
    },
  });
  return out.sort();
}

function fingerprint(img: MemoryImage): string {
  return JSON.stringify([img.name, img.root, img.nextOid, img.lastTid, [...img.objects_.entries()], img.history.length, [...img.blobs_.keys()]]);
}

let good: Uint8Array;
let lines: string[];

beforeAll(async () => {
  good = await bytesOf(await exportImage(sampleImage(), { includeHistory: true, createdAt: new Date('2026-01-01T00:00:00Z') }));
  lines = gunzipText(good).split('\n').filter((l) => l.length > 0);
  lines.pop();
});

describe('fuzzing the image reader', () => {
  it(`refuses with a reason or imports intact each of ${CASES} mutated files (seed ${SEED})`, async () => {
    const r = rng(SEED);
    const shelf = new MemoryImageShelf();
    await importImage(streamOf(good), shelf.createTarget, { name: 'existing' });
    const existing = shelf.images.get('existing')!;
    const before = fingerprint(existing);
    const outcomes: Record<string, number> = {};
    const reasons = new Map<string, number>();
    for (let n = 0; n < CASES; n++) {
      const { kind, bytes } = mutate(good, lines, r);
      const started = Date.now();
      let outcome: string;
      try {
        await importImage(streamOf(bytes, 1 + r.int(4096)), shelf.createTarget, { name: 'fuzzed' });
        // Accepted: what was imported must be exactly what the file says.
        const again = await bytesOf(await exportImage(shelf.images.get('fuzzed')!, { includeHistory: true }));
        const got = await recordsOf(again);
        const want = await recordsOf(bytes);
        if (JSON.stringify(got) !== JSON.stringify(want)) console.log(got.filter((x) => !want.includes(x)), want.filter((x) => !got.includes(x)));
        expect(got, `case ${n} (${kind}) imported but changed`).toEqual(want);
        shelf.images.delete('fuzzed');
        outcome = 'imported';
      } catch (e) {
        if (!(e instanceof ImageFileError)) throw new Error(`case ${n} (${kind}) failed with ${(e as Error)?.stack ?? String(e)}`);
        expect(e.reason.length, `case ${n} gave no reason`).toBeGreaterThan(0);
        const key = e.reason.replace(/\d+/g, 'N').replace(/"[^"]*"/g, '"…"').slice(0, 60);
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
        outcome = 'refused';
      }
      expect(Date.now() - started, `case ${n} (${kind}) took too long`).toBeLessThan(10_000);
      expect([...shelf.images.keys()], `case ${n} (${kind}) left images behind`).toEqual(['existing']);
      outcomes[`${kind} ${outcome}`] = (outcomes[`${kind} ${outcome}`] ?? 0) + 1;
    }
    expect(fingerprint(existing)).toBe(before);
    expect(shelf.images.get('existing')).toBe(existing);
    console.log(`fuzz: ${CASES} cases, seed ${SEED}:`, outcomes);
    console.log('fuzz: most common reasons:', [...reasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12));
  }, 120_000);
});
