// Kernel boot bench: v86 boot-to-banner of telos.elf against v86 booting halt.elf, an
// empty multiboot kernel that writes one byte and halts; and boot to the root task's
// first line (the whole kernel set up, user mode entered) against the same baseline.
// Timed from creating the emulator to the awaited serial output; medians of several
// runs, interleaved so machine load hits both alike.
import { printTable, percentiles } from './lib';
import { bootMachine, builtImagePath, readKernel } from '../src/machine/node';

const RUNS = 7;

async function timeBoot(kernel: ArrayBuffer, until: string, cmdline = ''): Promise<{ ms: number; instructions: number }> {
  const start = performance.now();
  const machine = await bootMachine({ kernel, cmdline });
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
const banner: number[] = [];
const rootTask: number[] = [];
const base: number[] = [];
let rootInstructions = 0;
for (let i = 0; i < RUNS; i++) {
  banner.push((await timeBoot(telos, 'TelOS: kernel booting', 'test=boot')).ms);
  const r = await timeBoot(telos, 'TelOS: Root task alive and well.', 'test=boot');
  rootTask.push(r.ms);
  rootInstructions = r.instructions;
  base.push((await timeBoot(halt, '.')).ms);
}

const baseline = percentiles(base).median;
printTable(`Kernel boot on v86 (median of ${RUNS} runs)`, [
  {
    name: 'boot to "TelOS: kernel booting"',
    ours: percentiles(banner).median,
    baseline,
    unit: 'ms',
    baselineName: 'halt.elf to first COM1 byte',
  },
  {
    name: 'boot to "TelOS: Root task alive and well."',
    ours: percentiles(rootTask).median,
    baseline,
    unit: 'ms',
    baselineName: 'halt.elf to first COM1 byte',
  },
]);
console.log(`guest instructions from power-on to the root task's first line: ${rootInstructions.toLocaleString('en-US')}`);
