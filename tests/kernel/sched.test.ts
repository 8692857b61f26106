// Scheduling (images/telos/include/telos/priorities.h): every program the PMS creates runs
// below the services and below the consoles a person reaches the Machine through, and
// programs of one priority share the CPU. The kernel test `sched` boots the whole system,
// then has the PMS create two spinners (user programs that never block) whose process
// objects ask for priority 255 and for the top of the user band; the host types at the
// COM1 monitor and talks to the COM2 bridge while they spin. On v86 and on QEMU.
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeClient, decodePsObject } from '../../src/machine';
import { bootWithDisk, emulators, newDisk, type SerialPC } from './emulators';

let machine: SerialPC | undefined;
afterEach(async () => {
  await machine?.powerOff();
  machine = undefined;
});

const USER_MAX = 100; // PRIO_USER_MAX

function priorityOf(bytes: Uint8Array): unknown {
  const o = decodePsObject(bytes);
  return o.kind === 'object' ? o.slots.find((s) => s.kind === 'data' && s.name === 'priority') : undefined;
}

/** Waits until spinner n reports a round after `from` (in COM1's text); returns that round. */
async function nextRound(m: SerialPC, n: number, from: number): Promise<number> {
  const text = await m.waitForText(0, new RegExp(`TelOS: spinner ${n}: round \\d+\\n`), 60_000, from);
  return Number(text.slice(from).match(new RegExp(`TelOS: spinner ${n}: round (\\d+)\\n`))![1]);
}

for (const emulator of emulators) {
describe.skipIf(!emulator.available)(`scheduling on ${emulator.name}`, () => {
  // Catches: a PMS that creates user programs above the monitor and the bridge (a spinning
  // program then starves both: the monitor never answers `ps`, the bridge never answers a
  // frame), a process object whose priority slot lifts a program out of the user band, and a
  // scheduler that lets one of two equal spinners hold the CPU for good.
  it('a spinning program starves neither the monitor nor the bridge, and two equal spinners both run', async () => {
    const m = await bootWithDisk(emulator, newDisk(emulator, 4 << 20), 'test=sched');
    machine = m;
    const client = new BridgeClient((bytes) => m.send(1, bytes));
    m.com2.onByte((b) => client.feed(Uint8Array.of(b)));
    await m.waitForText(0, 'TelOS: sched: spinners created as objects 2000 (ok) and 2001 (ok)\n', 60_000);
    await m.waitForText(0, 'TelOS: monitor: ready on COM1 (type help)\ntelos> ', 30_000);
    await m.waitForText(0, 'TelOS: bridge: serving frames on COM2', 30_000);
    // Both spin, taking turns: each reports rounds.
    const started = m.com1.text().length;
    await nextRound(m, 1, started);
    await nextRound(m, 2, started);

    // The monitor answers while they spin, and lists them.
    const from = m.com1.text().length;
    m.send(0, 'ps\r');
    await m.waitForText(
      0,
      /3 processes created by the PMS\n {2}20 {2}test_proc {2}running\n {2}2000 {2}spinner {2}running\n {2}2001 {2}spinner {2}running\n/,
      20_000,
      from,
    );
    // So does the bridge; each spinner's object records the priority it runs at: 255 and
    // the band's top both come out as the top of the user band.
    expect((await client.listProcesses()).map((p) => `${p.oid} ${p.name}`)).toEqual(['20 test_proc', '2000 spinner', '2001 spinner']);
    expect(priorityOf(await client.getObject(2000))).toEqual({ kind: 'data', name: 'priority', value: USER_MAX });
    expect(priorityOf(await client.getObject(2001))).toEqual({ kind: 'data', name: 'priority', value: USER_MAX });

    // And both go on spinning after being interrupted.
    const after = m.com1.text().length;
    expect(await nextRound(m, 1, after)).toBeGreaterThan(0);
    expect(await nextRound(m, 2, after)).toBeGreaterThan(0);
  });
});
}
