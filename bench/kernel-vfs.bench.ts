// vfs_server bench (the External Substrate's measure): 4 MiB written and read sequentially
// through vfs_server to /disk (the ext2 core on hdb, `posix`) and to the raw device file
// /dev/hdb-raw (`block`, hdb's last eighth), against the same through a block session of
// the block server alone (on hda), in the same boot (`test=vfs-bench`).
// The guest prints a start and an end marker per phase; the host reads v86's instruction
// counter and its own clock at each. Aim: vfs_server within 1.5x of the block server.
import { printTable } from './lib';
import { bootMachine } from '../src/machine/node';

const MIB = 4;

const machine = await bootMachine({
  cmdline: `test=vfs-bench mib=${MIB}`,
  disk: new ArrayBuffer((MIB + 4) << 20),
  // Room for the file on /disk, and an eighth (the device) that holds the run.
  disk2: new ArrayBuffer(Math.max(MIB * 2 + 8, MIB * 8) << 20),
});
const marks = new Map<string, { instr: number; ns: number }>();
let scanned = 0;
machine.com1.onByte((b) => {
  if (b !== 10) return;
  const text = machine.com1.text();
  const lines = text.slice(scanned).split('\n');
  scanned = text.length;
  for (const line of lines) {
    const m = line.match(/vfs-bench: ([a-z-]+) (start|end)$/);
    if (m) marks.set(`${m[1]} ${m[2]}`, { instr: machine.instructions(), ns: Number(process.hrtime.bigint()) });
  }
});
const done = await machine.waitForText(0, /vfs-bench test (passed|FAILED)[^\n]*\n/, 900_000);
await machine.powerOff();
if (!done.includes('vfs-bench test passed')) {
  console.error(done);
  process.exit(1);
}
const span = (phase: string) => {
  const a = marks.get(`${phase} start`)!, b = marks.get(`${phase} end`)!;
  return { seconds: (b.ns - a.ns) / 1e9, instr: b.instr - a.instr };
};
/** Rows for one path (phases `${prefix}-write`, `${prefix}-read`) against the block server alone. */
const rowsFor = (prefix: string) =>
  (['write', 'read'] as const).flatMap((op) => {
    const ours = span(`${prefix}-${op}`), base = span(`block-${op}`);
    return [
      {
        name: `${MIB} MiB sequential ${op}: MiB/s (host time)`,
        ours: MIB / ours.seconds,
        baseline: MIB / base.seconds,
        unit: 'MiB/s',
        baselineName: 'block server alone',
        higherIsBetter: true,
      },
      {
        name: `${MIB} MiB sequential ${op}: guest instructions per KiB`,
        ours: ours.instr / (MIB * 1024),
        baseline: base.instr / (MIB * 1024),
        unit: 'instr',
        baselineName: 'block server alone',
      },
    ];
  });
printTable('vfs_server (posix on hdb) against the block server on v86', rowsFor('vfs'));
printTable('vfs_server (block: /dev/hdb-raw) against the block server on v86', rowsFor('dev'));
console.log(done.split('\n').filter((l) => l.includes('vfs-bench: ') && l.includes('ratio')).join('\n'));
