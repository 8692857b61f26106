// Fuzzing what method code can throw: values built from a grammar of what breaks error handling
// (fields named like the host's, stack text shaped for backtracking or millions of lines,
// malformed escapes, getters and Proxy traps that throw or never return, cycles, huge strings,
// symbols, BigInts), thrown directly, rejected, thrown from async functions and from methods.
// Every case must end in a named TelosError of bounded size within 2× the deadline (plus a
// generous allowance for a busy machine), leave the World unchanged, and leave the sandbox
// answering. Seeded (fast-check): set TELOS_FUZZ_SEED / TELOS_FUZZ_CASES to replay or extend.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxLimit, TelosError, createGenesisWorld, type GenesisOids, type World } from '../world';
import { Sandbox } from './index';

const SEED = Number(process.env.TELOS_FUZZ_SEED ?? 20261201);
const CASES = Number(process.env.TELOS_FUZZ_CASES ?? 300);
const DEADLINE_MS = 400;
/** 2× the deadline is the guarantee; the rest is room for a loaded two-core machine. */
const TIME_BOUND_MS = 2 * DEADLINE_MS + 4000;
const MEMORY_BOUND_BYTES = 512 * 1024 * 1024;

const KEYS = ['name', 'message', 'stack', 'where', 'sends', 'transcript', 'toJSON', 'toString', 'valueOf', 'constructor', 'receiver', 'selector', 'traits', 'owner', 'line', 'column', 'limit', 'detail', 'x'];
const BODIES = ['throw 1', 'while (true) {}', 'return 1', "self.Circle.radius = 7; return 'x'", 'return this', "throw { toJSON: 'x' }"];
const TRAPS = ['get', 'getOwnPropertyDescriptor', 'ownKeys', 'getPrototypeOf', 'has'];
const SIZES = [0, 1, 3, 200, 16_385, 100_000, 2_000_000];

const size = fc.constantFrom(...SIZES);
const primitive = fc.oneof(
  fc.constantFrom('42', '-0', 'NaN', '1e308', 'undefined', 'null', 'true', "Symbol('s')", '10n', '(2n ** 4000n)', "'%'", "'m99999999999999999999.x:1:1'"),
  fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
  size.map((n) => `'x'.repeat(${n})`),
  size.map((n) => `'at '.repeat(${n})`),
  size.map((n) => `'    at f (m1.%E0%A4%A:2:3)\\n'.repeat(${n})`),
  size.map((n) => `'    at f (<input>:1:1)\\n'.repeat(${n})`),
  size.map((n) => `'    at f (m0.a%2:1:1) (x:2:3)\\n'.repeat(${Math.min(n, 100_000)})`),
);

const { value } = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('value')), { maxLength: 4 }).map((kv) => `{ ${kv.map(([k, v]) => `${k}: ${v}`).join(', ')} }`),
    fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...BODIES)).map(([k, b]) => `{ get ${k}() { ${b} }, message: 'g' }`),
    fc.tuple(fc.constantFrom('{}', '[]', 'function () {}', 'new Error("p")'), fc.constantFrom(...TRAPS), fc.constantFrom(...BODIES)).map(
      ([t, trap, b]) => `new Proxy(${t}, { ${trap}: function () { ${b} } })`,
    ),
    fc.tuple(fc.constantFrom('Error', 'TypeError', 'RangeError'), fc.constantFrom(...KEYS), tie('value')).map(
      ([c, k, v]) => `(function () { var e = new ${c}('m'); try { e.${k} = ${v}; } catch (x) {} return e; })()`,
    ),
    fc.array(tie('value'), { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
    fc.constant("(function () { var o = { name: 'C' }; o.self = o; o.message = o; o.stack = o; return o; })()"),
    tie('value').map((v) => `Object.assign(function () {}, { message: ${v} })`),
    size.map((n) => `new Uint8Array(${Math.min(n, 1 << 20)})`),
  ),
}));

/** The ways code can make a value the evaluation's error. */
const thrower = fc.tuple(fc.constantFrom('throw', 'reject', 'async', 'method'), value).map(([how, v]) => ({ how, v }));

function program(how: string, v: string): string {
  const touch = 'self.Circle.radius = 5;\n';
  switch (how) {
    case 'throw':
      return `${touch}throw ${v}`;
    case 'reject':
      return `${touch}Promise.reject(${v}); 1`;
    case 'async':
      return `${touch}(async function () { await null; throw ${v}; })(); 1`;
    default:
      return `${touch}reflect(self.Point).setMethod('fuzzThrow', ${JSON.stringify(`function () { throw ${v}; }`)});\nself.Point.fuzzThrow()`;
  }
}

let world: World;
let oids: GenesisOids;
let sandbox: Sandbox;
beforeAll(async () => {
  ({ world, oids } = await createGenesisWorld());
  sandbox = await Sandbox.create(world, { deadlineMs: DEADLINE_MS });
});
afterAll(() => sandbox.dispose());

describe('fuzzing thrown values', () => {
  it(`${CASES} thrown values each end in a named, bounded error within 2× the deadline (seed ${SEED})`, { timeout: CASES * TIME_BOUND_MS }, () => {
    const rssBefore = process.memoryUsage().rss;
    const kinds = new Map<string, number>();
    fc.assert(
      fc.property(thrower, ({ how, v }) => {
        const code = program(how, v);
        const started = Date.now();
        let error: unknown;
        try {
          sandbox.evaluate(code);
        } catch (e) {
          error = e;
        }
        const ms = Date.now() - started;
        if (world.inTransaction) world.abort();
        // Some values are not errors at all when rejected and then handled; the rest must be.
        expect(error, code).toBeInstanceOf(TelosError);
        const e = error as TelosError & { sends?: unknown[] };
        kinds.set(e instanceof SandboxLimit ? `SandboxLimit ${e.limit}` : e.name, (kinds.get(e instanceof SandboxLimit ? `SandboxLimit ${e.limit}` : e.name) ?? 0) + 1);
        expect(typeof e.name).toBe('string');
        expect(e.name.length).toBeLessThanOrEqual(200);
        expect(e.message.length).toBeLessThanOrEqual(17 * 1024 + 1024);
        expect(e.sends?.length ?? 0).toBeLessThanOrEqual(40);
        expect(() => JSON.stringify(e)).not.toThrow();
        expect(ms, code).toBeLessThan(TIME_BOUND_MS);
        expect(world.slot(oids.Circle, 'radius')).toMatchObject({ value: 1 });
        expect(sandbox.evaluate('1 + 1').value).toBe(2);
        if (world.inTransaction) world.abort();
      }),
      { seed: SEED, numRuns: CASES, endOnFailure: true },
    );
    const peak = process.resourceUsage().maxRSS * 1024;
    console.log(`thrown-value fuzz (seed ${SEED}, ${CASES} cases): ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}; peak RSS ${Math.round(peak / 1048576)} MiB`);
    expect(peak - rssBefore).toBeLessThan(MEMORY_BOUND_BYTES);
  });
});
