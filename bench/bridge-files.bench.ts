// Files over the COM2 bridge (v86 in Node): 1 MiB uploaded to /disk with FS_WRITE and read
// back with FS_READ, against the serial line and the round trips alone: the same 1 MiB sent
// as bytes the bridge skips (no frame magic), a KiB at a time, each KiB followed by a
// request it answers at once without any IPC (an unknown type) and waited for. The ratio
// is what the frames' contents cost on top of moving the bytes through the UART a round
// trip per KiB: the bridge's IPC to vfs_server, the ext2 work, the host's decoding.
import { printTable, rowFromRuns, type BenchRun } from './lib';
import { bootMachine } from '../src/machine/node';
import { BridgeClient } from '../src/machine';

const BYTES = 1 << 20;
const RUNS = Number(process.env.BRIDGE_BENCH_RUNS ?? 2);

const machine = await bootMachine({ disk: new ArrayBuffer(4 << 20), disk2: new ArrayBuffer(16 << 20) });
const client = new BridgeClient((bytes) => machine.send(1, bytes), 60_000);
machine.com2.onByte((b) => client.feed(Uint8Array.of(b)));
await machine.waitForText(0, 'TelOS: monitor: ready on COM1', 120_000);

let seed = 1;
const data = Uint8Array.from({ length: BYTES }, () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed >>> 24));
// Bytes the bridge scans and drops: never the magic's first byte.
const junk = data.map((b) => (b === 0x54 ? 0x55 : b));

async function timed(work: () => Promise<unknown>): Promise<{ ms: number; instr: number }> {
  const i0 = machine.instructions(), t0 = performance.now();
  await work();
  return { ms: performance.now() - t0, instr: machine.instructions() - i0 };
}

const wire: { ms: number; instr: number }[] = [], up: typeof wire = [], down: typeof wire = [];
for (let r = 0; r < RUNS; r++) {
  wire.push(await timed(async () => {
    for (let at = 0; at < BYTES; at += 1024) {
      machine.send(1, junk.subarray(at, at + 1024));
      await client.request(0x33).catch(() => {});
    }
  }));
  up.push(await timed(() => client.writeFile('/disk/bench.bin', data)));
  let back: Uint8Array | undefined;
  down.push(await timed(async () => (back = await client.readFile('/disk/bench.bin'))));
  if (back?.length !== BYTES || back.some((b, i) => b !== data[i])) throw new Error('the file read back differs from the one written');
}
await machine.powerOff();

const runsOf = (ours: typeof wire, key: 'ms' | 'instr'): BenchRun[] => ours.map((o, i) => ({ ours: o[key], baseline: wire[i]![key] }));
printTable('1 MiB file over the COM2 bridge (v86 in Node)', [
  rowFromRuns({ name: 'upload (FS_WRITE to /disk): host ms', unit: 'ms', baselineName: '1 MiB of skipped bytes, a round trip per KiB' }, runsOf(up, 'ms')),
  rowFromRuns({ name: 'download (FS_READ from /disk): host ms', unit: 'ms', baselineName: '1 MiB of skipped bytes, a round trip per KiB' }, runsOf(down, 'ms')),
  rowFromRuns({ name: 'upload: guest instructions', unit: 'instr', baselineName: '1 MiB of skipped bytes, a round trip per KiB' }, runsOf(up, 'instr')),
  rowFromRuns({ name: 'download: guest instructions', unit: 'instr', baselineName: '1 MiB of skipped bytes, a round trip per KiB' }, runsOf(down, 'instr')),
]);
