// Kernel objects as World objects (src/machine/kernel-image.ts) against a booted TelOS:
// read with their slots, parents, traits and capability slots; a process spawned, its
// priority edited in a PS transaction and terminated; after a power cut the same objects
// read from the disk, marked stale, and every send refused with MachineNotRunning.
import { afterEach, expect, it } from 'vitest';
import { BridgeClient, KernelImage, kernelOidOf, MachineNotRunning, type KernelWorldObject } from '../../src/machine';
import { bootWithDisk, newDisk, v86Emulator, type SerialPC } from './emulators';

let machine: SerialPC | undefined;
afterEach(async () => {
  await machine?.powerOff();
  machine = undefined;
});

const slot = (o: KernelWorldObject | undefined, name: string) => o?.slots.find((s) => s.name === name);

it('reads, spawns, edits and terminates kernel objects, and reads them stale when the Machine is off', async () => {
  const disk = newDisk(v86Emulator, 4 << 20);
  const m = await bootWithDisk(v86Emulator, disk);
  machine = m;
  const client = new BridgeClient((bytes) => m.send(1, bytes));
  m.com2.onByte((b) => client.feed(Uint8Array.of(b)));
  await m.waitForText(0, 'TelOS: bridge: serving frames on COM2', 30_000);
  let running = true;
  const image = new KernelImage(() => (running ? client : null), async () => disk.bytes());

  const all = await image.objects();
  const process = all.find((o) => o.ref === 'kernel:4')!;
  expect(process).toMatchObject({ name: 'Process', stale: false });
  expect(slot(process, 'parent')).toEqual({ kind: 'parent', name: 'parent', kernel: 2 }); // defaultBehavior
  expect(slot(process, 'tcbCap')).toMatchObject({ kind: 'cap' });
  const pms = all.find((o) => o.name === 'PMS')!;
  expect(pms.traits.map((t) => t.kernel)).toEqual([7, 8]);
  expect(slot(pms, 'endpointCap')).toMatchObject({ kind: 'cap', cap: { kind: 3 } });

  const p = await image.spawn('test_proc');
  expect(p.ref).toMatch(/^kernel:\d+$/);
  expect(kernelOidOf(p.ref)).toBe(p.oid);
  expect(p.oid).toBeGreaterThanOrEqual(1000);
  expect(slot(p, 'parent')).toEqual({ kind: 'parent', name: 'parent', kernel: 4 });
  expect(slot(p, 'state')).toMatchObject({ value: 'running' });
  expect(slot(p, 'priority')).toMatchObject({ value: 50 });

  expect(await image.setDataSlot(p.oid, 'priority', 77)).toBeGreaterThan(0);
  expect(slot(await image.object(p.oid), 'priority')).toMatchObject({ value: 77 });
  await expect(image.setDataSlot(p.oid, 'tcbCap', 1)).rejects.toThrow(/no data slot 'tcbCap'/);
  const ended = await image.terminate(p.oid);
  expect(slot(ended, 'state')).toMatchObject({ value: 'terminated' });
  expect(slot(ended, 'priority')).toMatchObject({ value: 77 });
  expect((await client.listProcesses()).map((x) => x.oid)).not.toContain(p.oid);

  // Power cut: the disk still has every commit; sends need the Machine.
  await m.powerOff();
  machine = undefined;
  running = false;
  const stale = await image.object(p.oid);
  expect(stale).toMatchObject({ stale: true, ref: p.ref });
  expect(slot(stale, 'priority')).toMatchObject({ value: 77 });
  expect(slot(stale, 'state')).toMatchObject({ value: 'terminated' });
  expect((await image.objects()).every((o) => o.stale)).toBe(true);
  await expect(image.spawn('test_proc')).rejects.toBeInstanceOf(MachineNotRunning);
  await expect(image.terminate(p.oid)).rejects.toMatchObject({ name: 'MachineNotRunning' });
  await expect(image.setDataSlot(p.oid, 'priority', 5)).rejects.toThrow(/the Machine is not running/);
});
