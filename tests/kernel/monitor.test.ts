// The COM1 monitor shell, typed at through the serial line as a person would, on v86 and
// on QEMU (COM1 input through its stdin).
import { afterEach, describe, expect, it } from 'vitest';
import { bootWithDisk, emulators, newDisk, type SerialPC } from './emulators';

let machine: SerialPC | undefined;
afterEach(async () => {
  await machine?.powerOff();
  machine = undefined;
});

/** Types a command and waits for the next prompt; returns what the command printed. */
async function type(m: SerialPC, command: string): Promise<string> {
  const from = m.com1.text().length;
  m.send(0, `${command}\r`);
  await m.waitForText(0, /\ntelos> $/, 20_000, from);
  return m.com1.text().slice(from);
}

for (const emulator of emulators) {
describe.skipIf(!emulator.available)(`COM1 monitor shell on ${emulator.name}`, () => {
  it('answers help, objects, get, ps and spawn', async () => {
    machine = await bootWithDisk(emulator, newDisk(emulator, 4 << 20));
    await machine.waitForText(0, 'TelOS: monitor: ready on COM1 (type help)\ntelos> ', 30_000);
    expect(await type(machine, 'help')).toContain('commands: help, ps, objects, get <oid>, spawn <name>');
    const objects = await type(machine, 'objects');
    expect(objects).toMatch(/\d+ objects/);
    expect(objects).toContain('  1  BaseObject (prototype)');
    expect(objects).toContain('  10  test_proc (process)');
    expect(await type(machine, 'get 4')).toContain('name=PS\nparent=3\nkind=server');
    expect(await type(machine, 'get 999')).toContain('no object 999');
    expect(await type(machine, 'ps')).toMatch(/1 processes created by the PMS\n {2}10 {2}test_proc {2}running/);
    const spawned = await type(machine, 'spawn test_proc');
    expect(spawned).toMatch(/spawned test_proc as object \d+/);
    await machine.waitForText(0, /TelOS: test_proc alive\.[\s\S]*TelOS: test_proc alive\./, 10_000);
    expect(await type(machine, 'ps')).toMatch(/2 processes created by the PMS/);
    expect(await type(machine, 'bogus')).toContain("unknown command 'bogus'");
  });
});
}
