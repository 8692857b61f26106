// Boots the real TelOS ELF in v86 and reads its console on COM1.
import { afterEach, describe, expect, it } from 'vitest';
import type { Machine } from '../../src/machine';
import { bootMachine } from '../../src/machine/node';

let machine: Machine | undefined;
afterEach(async () => {
  await machine?.powerOff();
  machine = undefined;
});

describe('kernel boot on v86', () => {
  it('prints the boot banner on COM1', async () => {
    machine = await bootMachine();
    const text = await machine.waitForText(0, 'TelOS: kernel booting', 10_000);
    expect(text).toContain('TelOS: kernel booting');
  });

  it('prints the multiboot memory map it was given', async () => {
    machine = await bootMachine({ memoryMiB: 64 });
    const text = await machine.waitForText(0, /memory map:\n(.*\n)*.*03ffffff usable/, 10_000);
    expect(text).toMatch(/0000000000000000-000000000009ffff usable/);
    expect(text).toMatch(/0000000000100000-0000000003ffffff usable|00000000000c0000-0000000003ffffff usable/);
  });
});
