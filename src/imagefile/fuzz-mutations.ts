// Mutations of a valid .telos file for the fuzz tests: gzip bytes, NDJSON bytes, whole
// lines and JSON values inside records (the last three resealed with a correct checksum so
// they reach the deeper checks). Seeded, so every case can be replayed by its number.
import { createHash } from 'node:crypto';
import { gzip } from './test-fixtures';

/** mulberry32: a small seeded generator, so a failing case can be replayed by its number. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}
export type Rng = ReturnType<typeof rng>;

const NASTY_VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 53), 1e308, -0, '', 'x', '__proto__', 'constructor', 'oid',
  [], {}, [[[[[]]]]], { ref: 0 }, { ref: 1 }, { ref: 999 }, { ref: -1 }, { blob: 'b-1', size: 5, type: '' },
  { blob: 'zz', size: 1, type: '' }, { __proto__: null }, 'function () {}', 'data', 'method', 'parent', 'obj', 'end', 'tx',
  'A'.repeat(300), [{ ref: 2 }], { name: 'parent', kind: 'parent', value: { ref: 0 } },
];

function reseal(lines: string[]): string {
  const body = lines.map((l) => l + '\n').join('');
  const sha256 = createHash('sha256').update(body).digest('hex');
  return body + JSON.stringify({ type: 'end', records: lines.length - 1, sha256 }) + '\n';
}

/** All paths to values inside a JSON value. */
function paths(json: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(json)) json.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (json !== null && typeof json === 'object') for (const k of Object.keys(json)) paths((json as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}

function mutateJson(json: any, r: Rng): unknown {
  const all = paths(json);
  const path = r.pick(all);
  if (path.length === 0) return r.pick(NASTY_VALUES);
  const parent = path.slice(0, -1).reduce((o: any, k) => o[k], json);
  const key = path[path.length - 1]!;
  switch (r.int(6)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case 1:
      if (Array.isArray(parent)) parent.push(structuredClone(parent[Number(key)]));
      else parent[r.pick(['extra', '__proto__', 'constructor', 'type', 'oid', 'value'])] = r.pick(NASTY_VALUES);
      break;
    case 2: {
      const v = parent[key];
      parent[key] = typeof v === 'number' ? r.pick([v + 1, v - 1, -v, v * 2 ** 40, v + 0.5]) : r.pick(NASTY_VALUES);
      break;
    }
    default:
      parent[key] = structuredClone(r.pick(NASTY_VALUES));
  }
  return json;
}

export function mutate(good: Uint8Array, lines: string[], r: Rng): { kind: string; bytes: Uint8Array } {
  const kind = r.pick(['gzip-bytes', 'text-bytes', 'lines', 'json', 'json', 'json']);
  switch (kind) {
    case 'gzip-bytes': {
      const b = good.slice();
      const op = r.int(4);
      if (op === 0) for (let i = 0, n = 1 + r.int(4); i < n; i++) b[r.int(b.length)] ^= 1 << r.int(8);
      if (op === 1) return { kind: 'gzip-truncate', bytes: b.subarray(0, r.int(b.length)) };
      if (op === 2) return { kind: 'gzip-append', bytes: new Uint8Array([...b, ...Array.from({ length: 1 + r.int(20) }, () => r.int(256))]) };
      if (op === 3) b[r.int(b.length)] = r.int(256);
      return { kind, bytes: b };
    }
    case 'text-bytes': {
      const text = new TextEncoder().encode(reseal(lines));
      const b = Array.from(text);
      const at = r.int(b.length);
      const op = r.int(4);
      if (op === 0) b[at] = r.pick([0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x0a, 0x5c, 0x30, 0x39, 0xff, 0xc3, 0x00]);
      if (op === 1) b.splice(at, 1 + r.int(10));
      if (op === 2) b.splice(at, 0, ...Array.from({ length: 1 + r.int(5) }, () => r.int(256)));
      if (op === 3) b.splice(at, 0, ...b.slice(at, at + r.int(200)));
      return { kind, bytes: gzip(new Uint8Array(b)) };
    }
    case 'lines': {
      const copy = [...lines];
      const i = 1 + r.int(copy.length - 1);
      const j = 1 + r.int(copy.length - 1);
      const op = r.int(4);
      if (op === 0) copy.splice(i, 1);
      if (op === 1) copy.splice(i, 0, copy[j]!);
      if (op === 2) [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      if (op === 3) copy.splice(r.int(copy.length + 1), 0, r.pick(['', '{}', 'null', '[]', '{"type":"end"}', lines[0]!]));
      return { kind, bytes: gzip(r.next() < 0.9 ? reseal(copy) : copy.join('\n')) };
    }
    default: {
      const copy = [...lines];
      const i = r.int(copy.length);
      const edits = 1 + r.int(3);
      let json = JSON.parse(copy[i]!);
      for (let e = 0; e < edits; e++) json = mutateJson(json, r);
      copy[i] = JSON.stringify(json) ?? 'undefined';
      return { kind, bytes: gzip(reseal(copy)) };
    }
  }
}

