// The hand-written check of object records (fastObjRecord) must accept only what the record
// schema accepts, and answer exactly the schema's output: checked on the genesis image's
// records and on thousands of seeded mutations of them.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fastObjRecord } from './format';
import { rng } from './fuzz-mutations';
import { parseRecordBySchema } from './validate';

const SEED = 20261202;
const CASES = 20_000;

const genesis = gunzipSync(readFileSync(new URL('../../images/genesis.telos', import.meta.url)))
  .toString('utf8')
  .split('\n')
  .filter((l) => l.length > 0)
  .map((l) => JSON.parse(l) as Record<string, unknown>)
  .filter((r) => r.type === 'obj');

const REPLACEMENTS: unknown[] = [
  null, true, false, 0, -1, 1.5, 2 ** 52, 2 ** 52 - 1, 2 ** 53, -0, 1e308, '', 'x', 'oid', '__proto__', 'constructor', '==', 'a b', 'A'.repeat(201),
  [], {}, [[]], { ref: 0 }, { ref: -1 }, { ref: 1.5 }, { ref: 0, x: 1 }, { blob: 'b1', size: 3, type: 'text/plain' }, { blob: '', size: 3, type: '' },
  'data', 'method', 'parent', 'obj', 'function () {}', { name: 'x', kind: 'data', value: 1 }, { name: 'x', kind: 'method', source: 'function () {}' },
  { name: 'p', kind: 'parent', value: { ref: 1 } }, { name: 'x', kind: 'data' }, [{ trait: 1, exclude: [], alias: [] }], { createdTid: 1 }, { createdTid: -1 },
];

/** Every path to a value inside a JSON value. */
function paths(json: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(json)) json.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (json !== null && typeof json === 'object') for (const k of Object.keys(json)) paths((json as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}

describe('fastObjRecord', () => {
  it(`agrees with the record schema on the genesis records and ${CASES} mutations of them (seed ${SEED})`, () => {
    const r = rng(SEED);
    let accepted = 0;
    let refused = 0;
    const check = (json: Record<string, unknown>, what: string) => {
      const fast = fastObjRecord(json);
      let schema: unknown = null;
      try {
        schema = parseRecordBySchema(json, 'obj', 2);
      } catch {
        schema = null;
      }
      if (fast === null) {
        if (schema === null) refused++;
        return;
      }
      accepted++;
      // Accepted by hand means accepted by the schema, with the same output, key order included.
      expect(schema, what).not.toBeNull();
      expect(JSON.stringify(fast), what).toBe(JSON.stringify(schema));
    };
    for (const rec of genesis) check(rec, `genesis #${rec.oid}`);
    for (let i = 0; i < CASES; i++) {
      const rec = structuredClone(r.pick(genesis));
      const all = paths(rec).filter((p) => p.length > 0);
      for (let n = 1 + r.int(2); n > 0; n--) {
        const p = r.pick(all);
        let at: any = rec;
        for (const k of p.slice(0, -1)) at = at?.[k];
        if (at === null || typeof at !== 'object') continue;
        const key = p[p.length - 1]!;
        const roll = r.int(10);
        if (roll === 0) delete at[key];
        else if (roll === 1 && !Array.isArray(at)) at[`extra${r.int(3)}`] = r.pick(REPLACEMENTS);
        else at[key] = structuredClone(r.pick(REPLACEMENTS));
      }
      check(rec, `case ${i}: ${JSON.stringify(rec).slice(0, 300)}`);
    }
    // Both sides are exercised: many records taken by hand, many left to the schema to refuse.
    expect(accepted).toBeGreaterThan(CASES / 20);
    expect(refused).toBeGreaterThan(CASES / 10);
  });
});
