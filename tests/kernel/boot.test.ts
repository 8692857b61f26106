// Boots the real TelOS ELF in v86 and reads its console on COM1: the kernel must get all
// the way into the root task, not only print its banner.
import { afterEach, describe, expect, it } from 'vitest';
import type { Machine } from '../../src/machine';
import { bootMachine } from '../../src/machine/node';

let machine: Machine | undefined;
afterEach(async () => {
  await machine?.powerOff();
  machine = undefined;
});

/** The root task's first line: the kernel set up the CPU, built the root task and entered user mode. */
const ROOT_TASK_ALIVE = 'TelOS: Root task alive and well.';

describe('kernel boot on v86', () => {
  // Catches: a kernel that prints its banner and then panics, hangs or faults before user
  // mode (the banner alone passed for such a kernel); and one that panics later in the
  // boot of the root task.
  it('prints the boot banner on COM1 and enters the root task', async () => {
    machine = await bootMachine({ cmdline: 'test=boot' });
    const text = await machine.waitForText(0, /nothing more to do|kernel panic/, 20_000);
    expect(text).toContain('TelOS: kernel booting');
    expect(text).not.toContain('kernel panic');
    expect(text.indexOf(ROOT_TASK_ALIVE)).toBeGreaterThan(text.indexOf('TelOS: kernel booting'));
    expect(text).toMatch(/TelOS: root task: \d+ untyped regions, \d+ programs, nothing more to do/);
  });

  // Catches: a kernel that ignores or misreads the multiboot memory map (wrong entry size,
  // 32-bit truncation of the 64-bit fields), which the root task's untyped memory comes from.
  it('prints the multiboot memory map it was given', async () => {
    machine = await bootMachine({ memoryMiB: 64, cmdline: 'test=boot' });
    const text = await machine.waitForText(0, /nothing more to do|kernel panic/, 20_000);
    expect(text).toMatch(/0000000000000000-000000000009ffff usable/);
    expect(text).toMatch(/0000000000100000-0000000003ffffff usable|00000000000c0000-0000000003ffffff usable/);
    expect(text).not.toContain('kernel panic');
    // All of the machine's memory (less the kernel and the root task) reached the root task.
    const kib = Number(text.match(/TelOS: root task: \d+ untyped capabilities, (\d+) KiB free/)?.[1] ?? 0);
    expect(kib).toBeGreaterThan(48 * 1024);
    expect(kib).toBeLessThan(64 * 1024);
  });
});
