// Developer tool: boot telos.elf in v86 and print COM1 until a line appears.
//   npx tsx tests/kernel/transcript.ts [cmdline] [text-to-wait-for] [timeout-ms]
import { bootMachine } from '../../src/machine/node';

const [cmdline = '', until = 'TelOS: halted', timeout = '20000'] = process.argv.slice(2);
const machine = await bootMachine({ cmdline });
try {
  await machine.waitForText(0, until, Number(timeout));
} catch (e) {
  console.error(String(e));
  process.exitCode = 1;
}
process.stdout.write(machine.com1.text());
console.log(`[${machine.instructions()} guest instructions]`);
await machine.powerOff();
