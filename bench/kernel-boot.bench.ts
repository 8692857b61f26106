// Kernel boot bench: v86 boot-to-banner of telos.elf against v86 booting halt.elf, an
// empty multiboot kernel that writes one byte and halts. Both are timed from creating the
// emulator to the awaited serial output; median of several runs each, interleaved.
import { printTable, percentiles } from './lib';
import { bootMachine, builtImagePath, readKernel } from '../src/machine/node';

const RUNS = 7;

async function timeBoot(kernel: ArrayBuffer, until: string): Promise<{ ms: number; instructions: number }> {
  const start = performance.now();
  const machine = await bootMachine({ kernel });
  let instructions = 0;
  const stopWatching = machine.com1.onByte(() => {
    if (!instructions && machine.com1.text().includes(until)) instructions = machine.instructions();
  });
  await machine.waitForText(0, until, 30_000);
  const ms = performance.now() - start;
  stopWatching();
  await machine.powerOff();
  return { ms, instructions };
}

const telos = await readKernel(builtImagePath('telos.elf'));
const halt = await readKernel(builtImagePath('halt.elf'));
await timeBoot(halt, '.'); // warm up the wasm compile cache
const ours: number[] = [];
const base: number[] = [];
let oursInstr = 0;
let baseInstr = 0;
for (let i = 0; i < RUNS; i++) {
  const t = await timeBoot(telos, 'TelOS: kernel booting');
  ours.push(t.ms);
  oursInstr = t.instructions;
  const b = await timeBoot(halt, '.');
  base.push(b.ms);
  baseInstr = b.instructions;
}

printTable(`Kernel boot on v86 (median of ${RUNS} runs)`, [
  {
    name: 'boot to "TelOS: kernel booting"',
    ours: percentiles(ours).median,
    baseline: percentiles(base).median,
    unit: 'ms',
    baselineName: 'halt.elf to first COM1 byte',
  },
  {
    name: 'guest instructions to that output',
    ours: oursInstr,
    baseline: Math.max(1, baseInstr),
    unit: 'instr',
    baselineName: 'halt.elf',
  },
]);
