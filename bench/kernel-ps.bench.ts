// Persistence Server bench (the persistence blueprint's first measure): transactions of
// 1, 16 and 256 objects of 64 B and 4 KiB, committed to the emulated ATA disk by the PS
// in user space. The guest prints a start and an end marker per case; the host reads
// v86's instruction counter and its own clock at each. Objects per second, batched
// against single-object transactions, is the ratio that matters (aim: ≥ 50x at 256).
import { printTable } from './lib';
import { bootMachine } from '../src/machine/node';

const SIZES = [64, 4096];
const BATCHES = [1, 16, 256];

interface Span {
  startInstr: number;
  startNs: number;
  endInstr: number;
  endNs: number;
  txs: number;
}

const machine = await bootMachine({ cmdline: 'test=ps-bench', disk: new ArrayBuffer(16 << 20) });
const spans = new Map<string, Partial<Span>>();
let scanned = 0;
machine.com1.onByte((b) => {
  if (b !== 10) return;
  const text = machine.com1.text();
  const line = text.slice(scanned).trimEnd();
  scanned = text.length;
  const m = line.match(/ps-bench: size=(\d+) batch=(\d+) (start|end)(?: txs=(\d+))?/);
  if (!m) return;
  const key = `${m[1]}/${m[2]}`;
  const span = spans.get(key) ?? {};
  const now = { instr: machine.instructions(), ns: Number(process.hrtime.bigint()) };
  if (m[3] === 'start') Object.assign(span, { startInstr: now.instr, startNs: now.ns });
  else Object.assign(span, { endInstr: now.instr, endNs: now.ns, txs: Number(m[4]) });
  spans.set(key, span);
});
await machine.waitForText(0, 'TelOS: test finished', 600_000);
await machine.powerOff();

const rate = (size: number, batch: number) => {
  const s = spans.get(`${size}/${batch}`) as Span;
  const objects = s.txs * batch;
  return {
    objectsPerSecond: objects / ((s.endNs - s.startNs) / 1e9),
    txPerSecond: s.txs / ((s.endNs - s.startNs) / 1e9),
    instrPerObject: (s.endInstr - s.startInstr) / objects,
  };
};

const rows = [];
for (const size of SIZES) {
  const single = rate(size, 1);
  for (const batch of BATCHES.slice(1)) {
    const r = rate(size, batch);
    rows.push({
      name: `${size} B objects, batch ${batch}: objects/s (host time)`,
      ours: r.objectsPerSecond,
      baseline: single.objectsPerSecond,
      unit: 'obj/s',
      baselineName: 'batch 1',
      higherIsBetter: true,
    });
    rows.push({
      name: `${size} B objects, batch ${batch}: guest instructions per object`,
      ours: r.instrPerObject,
      baseline: single.instrPerObject,
      unit: 'instr',
      baselineName: 'batch 1',
    });
  }
}
printTable('Persistence Server transactions on v86 (ATA PIO disk, user-space driver)', rows);
for (const size of SIZES) {
  console.log(
    `${size} B: ` +
      BATCHES.map((b) => `batch ${b}: ${rate(size, b).txPerSecond.toFixed(1)} tx/s`).join(', '),
  );
}
