// Developer tool: boot telos.elf in v86 and print COM1 until a line appears.
//   npx tsx tests/kernel/transcript.ts [cmdline] [text-to-wait-for] [timeout-ms] [disk-file]
// A disk file is created (4 MiB of zeros) when missing and written back afterwards.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { bootMachine } from '../../src/machine/node';

const [cmdline = '', until = 'TelOS: halted', timeout = '20000', diskPath] = process.argv.slice(2);
let disk: ArrayBuffer | undefined;
if (diskPath) {
  disk = existsSync(diskPath) ? new Uint8Array(readFileSync(diskPath)).buffer : new ArrayBuffer(4 << 20);
}
const machine = await bootMachine({ cmdline, disk });
try {
  await machine.waitForText(0, until, Number(timeout));
} catch (e) {
  console.error(String(e));
  process.exitCode = 1;
}
process.stdout.write(machine.com1.text());
console.log(`[${machine.instructions()} guest instructions]`);
await machine.powerOff();
if (diskPath && disk) writeFileSync(diskPath, new Uint8Array(disk));
