// Property: for any World, export → import → export gives the same bytes apart from the
// creation time (and so the same gzip bytes when the creation time is the same).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ObjectState, SlotState, Value } from '../world';
import { exportImage, importImage, MemoryImage, MemoryImageShelf } from './index';
import { bytesOf, gunzipText, streamOf } from './test-fixtures';

const identifier = fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,11}$/).filter((s) => s !== 'oid');
const operator = fc.constantFrom('==', '<=', '+', '->', '~~', '!');
const selector = fc.oneof({ weight: 5, arbitrary: identifier }, { weight: 1, arbitrary: operator });
const text = fc.string({ maxLength: 40, unit: 'grapheme' });

interface Plan {
  objects: {
    name: string;
    slots: { name: string; kind: 'data' | 'method' | 'parent'; pick: number; leaf: Value; constant?: boolean; category?: string; comment?: string }[];
    traitPicks: number[];
    exclude: string[];
    alias: [string, string][];
  }[];
  blobs: Uint8Array[];
  tx: { note: string; origin: string; time: number }[];
}

const leaf: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
  fc.integer(),
  text,
);
const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('v'), { maxLength: 4 })),
})).v;

const plan: fc.Arbitrary<Plan> = fc.record({
  objects: fc.array(
    fc.record({
      name: text,
      slots: fc.uniqueArray(
        fc.record(
          {
            name: selector,
            kind: fc.constantFrom('data', 'data', 'method', 'parent') as fc.Arbitrary<'data' | 'method' | 'parent'>,
            pick: fc.nat(),
            leaf: value,
            constant: fc.boolean(),
            category: text,
            comment: text,
          },
          { requiredKeys: ['name', 'kind', 'pick', 'leaf'] },
        ),
        { maxLength: 6, selector: (s) => s.name },
      ),
      traitPicks: fc.uniqueArray(fc.nat(), { maxLength: 2 }),
      exclude: fc.array(selector, { maxLength: 2 }),
      alias: fc.uniqueArray(fc.tuple(selector, selector), { maxLength: 2, selector: (a) => a[0] }),
    }),
    { minLength: 1, maxLength: 25 },
  ),
  blobs: fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 3 }),
  tx: fc.array(fc.record({ note: text, origin: text, time: fc.integer({ min: 0, max: 2 ** 42 }) }), { maxLength: 4 }),
});

/** Builds a valid World image from a plan: parents point to lower OIDs (no cycles), references stay inside. */
function build(p: Plan): MemoryImage {
  const img = new MemoryImage('random');
  const n = p.objects.length;
  p.blobs.forEach((bytes, i) => img.blobs_.set(`blob-${i}`, { id: `blob-${i}`, type: 'application/octet-stream', size: bytes.length, data: new Blob([bytes as BlobPart]) }));
  p.objects.forEach((o, oid) => {
    const slots: SlotState[] = o.slots.map((s) => {
      const extra = { ...(s.category !== undefined ? { category: s.category } : {}), ...(s.comment !== undefined ? { comment: s.comment } : {}) };
      if (s.kind === 'parent' && oid > 0) return { name: s.name, kind: 'parent', value: { ref: s.pick % oid }, ...extra, ...(s.constant ? { constant: true } : {}) };
      if (s.kind === 'method') return { name: s.name, kind: 'method', source: `function () { return ${JSON.stringify(s.leaf)}; }`, ...extra };
      const v: Value =
        s.pick % 4 === 0 ? { ref: s.pick % n } : s.pick % 4 === 1 && p.blobs.length ? { blob: `blob-${s.pick % p.blobs.length}`, size: p.blobs[s.pick % p.blobs.length]!.length, type: 'x/y' } : s.leaf;
      return { name: s.name, kind: 'data', value: v, ...extra, ...(s.constant !== undefined ? { constant: s.constant } : {}) };
    });
    const traits = [...new Set(o.traitPicks.map((t) => t % n))]
      .filter((t) => t !== oid)
      .map((trait) => ({ trait, exclude: o.exclude, alias: Object.fromEntries(o.alias) }));
    const state: ObjectState = { oid, name: o.name, slots, traits, meta: oid % 2 ? { createdTid: 1 } : {} };
    img.put(state, oid % 3);
  });
  p.tx.forEach((t, i) => img.history.push({ tid: i + 1, time: t.time, note: t.note, origin: t.origin, changes: [{ oid: i % n, beforeSerial: 0, before: null }] }));
  // A World's last tid is at least every serial (here up to 2): a file that says otherwise is refused.
  img.lastTid = Math.max(p.tx.length, 2);
  return img;
}

describe('image file round trip over random Worlds', () => {
  it('exports, imports and exports again to identical bytes apart from createdAt', async () => {
    await fc.assert(
      fc.asyncProperty(plan, fc.integer({ min: 1, max: 9000 }), async (p, chunk) => {
        const img = build(p);
        const at = new Date('2026-02-03T04:05:06.789Z');
        const first = await bytesOf(await exportImage(img, { includeHistory: true, createdAt: at }));
        const shelf = new MemoryImageShelf();
        await importImage(streamOf(first, chunk), shelf.createTarget);
        const copy = shelf.images.get('random')!;
        const same = await bytesOf(await exportImage(copy, { includeHistory: true, createdAt: at }));
        expect(Buffer.from(same).equals(Buffer.from(first))).toBe(true);
        const later = gunzipText(await bytesOf(await exportImage(copy, { includeHistory: true, createdAt: new Date('2027-01-01T00:00:00Z') })));
        const strip = (s: string) => s.replace(/"createdAt":"[^"]*"/, '').replace(/"sha256":"[0-9a-f]{64}"/, '');
        expect(strip(later)).toBe(strip(gunzipText(first)));
      }),
      { numRuns: 150, seed: 424242 },
    );
  }, 60_000);
});
