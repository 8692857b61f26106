// The block server (servers/block.c): the ATA driver in its own program, serving sessions
// bounded to a range of sectors. The guest writes a pattern through a read-write session
// on sectors [64, 80) and is refused every request outside its sessions; the host then
// finds the pattern at exactly those sectors and every other sector as it left it.
import { describe, expect, it } from 'vitest';
import { bootWithDisk, emulators, newDisk } from './emulators';

const DISK_BYTES = 1 << 20;
const SECTOR = 512;

function pattern(i: number): number {
  return ((0xb0 + Math.floor(i / SECTOR)) ^ (i * 7)) & 0xff;
}

for (const emulator of emulators) {
  describe.skipIf(!emulator.available)(`block server on ${emulator.name}`, () => {
    it('keeps each session inside its sectors, read-only ones unwritten, forged caps refused', async () => {
      const disk = newDisk(emulator, DISK_BYTES);
      const before = new Uint8Array(DISK_BYTES);
      for (let i = 0; i < DISK_BYTES; i++) before[i] = (i >> 9) & 0xff ^ 0x5a;
      disk.write(before);
      const pc = await bootWithDisk(emulator, disk, 'test=block-bounds');
      let text: string;
      try {
        text = await pc.waitForText(0, /block-bounds test (passed|FAILED)[^\n]*\n/, 60_000);
      } finally {
        await pc.powerOff();
      }
      expect(text).toContain(`TelOS: block-bounds: disk 0 has ${DISK_BYTES / SECTOR} sectors, disk 1 0`);
      expect(text).toContain('TelOS: block-bounds: sessions of 16 sectors (rw) and 8 sectors (ro)');
      // The read-only session starts at sector 96: the host's byte there.
      expect(text).toContain(`TelOS: block-bounds: read-only session's first byte ${before[96 * SECTOR]}`);
      expect(text).not.toContain('WRONG');
      expect(text.match(/refused as it should be/g)?.length).toBe(15);
      expect(text).toContain('TelOS: block-bounds test passed');
      const after = disk.bytes();
      for (let i = 0; i < DISK_BYTES; i++) {
        const want = i >= 64 * SECTOR && i < 80 * SECTOR ? pattern(i - 64 * SECTOR) : before[i];
        if (after[i] !== want) throw new Error(`disk byte ${i} (sector ${i >> 9}) is ${after[i]}, expected ${want}`);
      }
    });

    it('serves the second disk (hdb) beside the first, each session on its own disk', async () => {
      const disk = newDisk(emulator, DISK_BYTES);
      const disk2 = newDisk(emulator, DISK_BYTES);
      const fill = (seed: number) => Uint8Array.from({ length: DISK_BYTES }, (_, i) => ((i >> 9) ^ seed) & 0xff);
      disk.write(fill(0x11));
      disk2.write(fill(0x22));
      const pc = await bootWithDisk(emulator, disk, 'test=block-disk1', disk2);
      let text: string;
      try {
        text = await pc.waitForText(0, /block-disk1 test (passed|FAILED)[^\n]*\n/, 60_000);
      } finally {
        await pc.powerOff();
      }
      expect(text).toContain(`TelOS: block-disk1: disk 0 has ${DISK_BYTES / SECTOR} sectors, disk 1 ${DISK_BYTES / SECTOR}`);
      expect(text).toContain('TelOS: block-disk1 test passed');
      for (const [d, seed, base] of [[disk, 0x11, 0xd0], [disk2, 0x22, 0x10]] as const) {
        const after = d.bytes();
        for (let i = 0; i < DISK_BYTES; i++) {
          const sector = i >> 9;
          const want = sector >= 8 && sector < 24 ? (base + sector - 8) & 0xff : (sector ^ seed) & 0xff;
          if (after[i] !== want) throw new Error(`disk byte ${i} (sector ${sector}) is ${after[i]}, expected ${want}`);
        }
      }
    });
  });
}
