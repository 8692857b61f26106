// World benchmark: message sends and slot reads from method code against plain JavaScript in
// the same QuickJS context, and cloning 10,000 objects against structuredClone of their states.
// Run: npx tsx --import ./bin/raw-imports.mjs bench/world-sends.bench.ts

import { createGenesisWorld, type OID } from '../src/world';
import { Sandbox } from '../src/sandbox';
import { printTable, type BenchRow } from './lib';

const SENDS = 3_000_000;
const READS = 3_000_000;
const CLONES = 10_000;

async function main(): Promise<void> {
  const { world } = await createGenesisWorld();
  const sandbox = await Sandbox.create(world, { deadlineMs: 60_000 });
  await world.transact('Bench object', () => {
    const bench = world.createObject({
      name: 'Bench',
      slots: [
        { name: 'x', kind: 'data', value: 1 },
        { name: 'callee', kind: 'method', source: 'function (v) { return v + 1; }' },
        { name: 'caller', kind: 'method', source: 'function (n) { var s = 0; for (var i = 0; i < n; i++) s = self.callee(s); return s; }' },
        { name: 'reader', kind: 'method', source: 'function (n) { var s = 0; for (var i = 0; i < n; i++) s += self.x; return s; }' },
      ],
    });
    world.addSlot(0, { name: 'Bench', kind: 'data', value: { ref: bench } });
  });

  // Time one evaluation; the figure is operations per second. Best of three runs.
  const rate = (code: string, ops: number): number => {
    let best = 0;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = sandbox.evaluate(code);
      const ms = performance.now() - t0;
      world.abort();
      if (r.value !== ops) throw new Error(`unexpected result ${r.display} from ${code}`);
      best = Math.max(best, ops / (ms / 1000));
    }
    return best;
  };

  sandbox.evaluate('self.Bench.caller(10); self.Bench.reader(10)'); // warm the caches
  world.abort();
  const sends = rate(`self.Bench.caller(${SENDS})`, SENDS);
  const plainCalls = rate(
    `function callee(v) { return v + 1; } function caller(n) { var s = 0; for (var i = 0; i < n; i++) s = callee(s); return s; } caller(${SENDS})`,
    SENDS,
  );
  const reads = rate(`self.Bench.reader(${READS})`, READS);
  const plainReads = rate(
    `var o = { x: 1 }; function reader(n) { var s = 0; for (var i = 0; i < n; i++) s += o.x; return s; } reader(${READS})`,
    READS,
  );

  // Clone 10,000 objects (Self clone of a Circle in the World, in one transaction) against
  // structuredClone of the same 10,000 states.
  const circle = world.lookup(0, 'Circle');
  const circleOid = (circle.slot as { value: { ref: OID } }).value.ref;
  let cloneMs = Infinity;
  let baselineMs = Infinity;
  for (let round = 0; round < 3; round++) {
    world.begin('clone bench');
    const t0 = performance.now();
    const oids: OID[] = [];
    for (let i = 0; i < CLONES; i++) oids.push(world.clone(circleOid));
    cloneMs = Math.min(cloneMs, performance.now() - t0);
    const states = oids.map(() => world.get(circleOid));
    const t1 = performance.now();
    for (const s of states) structuredClone(s);
    baselineMs = Math.min(baselineMs, performance.now() - t1);
    world.abort();
  }
  let vmCloneMs = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    sandbox.evaluate(`var c = self.Circle; for (var i = 0; i < ${CLONES}; i++) c.clone(); ${CLONES}`);
    vmCloneMs = Math.min(vmCloneMs, performance.now() - t0);
    world.abort();
  }

  const rows: BenchRow[] = [
    { name: 'send (method → method)', ours: sends, baseline: plainCalls, unit: 'sends/s', baselineName: 'plain function → function, same QuickJS context', higherIsBetter: true },
    { name: 'slot read from method code', ours: reads, baseline: plainReads, unit: 'reads/s', baselineName: 'plain object property read, same context', higherIsBetter: true },
    { name: `clone ${CLONES.toLocaleString('en-US')} Circles (World)`, ours: cloneMs, baseline: baselineMs, unit: 'ms', baselineName: 'structuredClone of the same states' },
    { name: `clone ${CLONES.toLocaleString('en-US')} Circles (from method code)`, ours: vmCloneMs, baseline: baselineMs, unit: 'ms', baselineName: 'structuredClone of the same states' },
  ];
  printTable('World: sends, slot reads, clone', rows);
  sandbox.dispose();
}

await main();
