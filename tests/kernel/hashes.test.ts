// The checksums the PS trusts, as the guest computes them: the kernel library's CRC-32 and
// SipHash-2-4 (images/telos/lib/) run in the guest by `test=hashes` over bytes the host
// rebuilds, and every value compared with Node's zlib CRC-32, the SipHash paper's vectors
// and the host reader's own functions (src/machine/psdisk.ts), on v86 and QEMU.
import { crc32 as zlibCrc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32, siphash24 } from '../../src/machine';
import { emulators, type BootedPC } from './emulators';

let running: BootedPC[] = [];
afterEach(async () => {
  await Promise.all(running.map((pc) => pc.powerOff()));
  running = [];
});

const data = Uint8Array.from({ length: 4104 }, (_, i) => (i * 167 + 13) & 0xff);
const refKey = Uint8Array.from({ length: 16 }, (_, i) => i);
const refMsg = Uint8Array.from({ length: 64 }, (_, i) => i);

/** The published vectors of the SipHash paper (key 00..0f, message 00..n-1), n = 0 and 15. */
const SIPHASH_PAPER: Record<number, bigint> = { 0: 0x726fdb47dd0e0e31n, 15: 0xa129ca6149be45e5n };

for (const emulator of emulators) {
  describe.skipIf(!emulator.available)(`checksums in the guest on ${emulator.name}`, () => {
    // Catches: a kernel CRC-32 or SipHash that differs from the real function (a wrong
    // table entry, a slicing-by-four step that mishandles an unaligned start or a 1-3 byte
    // tail, a wrong SipHash rotation or finalisation). The old test only checked the
    // host's TypeScript CRC, which the guest never runs.
    it('computes CRC-32 as zlib does and SipHash-2-4 as the paper does, at every alignment', async () => {
      const pc = await emulator.boot('test=hashes');
      running.push(pc);
      const text = await pc.waitForText(/TelOS: hashes: \d+ values printed/, 60_000);
      let checked = 0;
      for (const [, len, off, hex] of text.matchAll(/TelOS: hashes: crc32 (\d+) (\d+) ([0-9a-f]+)\n/g)) {
        const bytes = data.subarray(Number(off), Number(off) + Number(len));
        expect(parseInt(hex!, 16), `crc32 of ${len} bytes at offset ${off}`).toBe(zlibCrc32(bytes));
        expect(crc32(bytes)).toBe(zlibCrc32(bytes));
        checked++;
      }
      for (const [, split, hex] of text.matchAll(/TelOS: hashes: crc32-split (\d+) ([0-9a-f]+)\n/g)) {
        expect(parseInt(hex!, 16), `crc32_continue split at ${split}`).toBe(zlibCrc32(data.subarray(1, 41)));
        checked++;
      }
      for (const [, len, hex] of text.matchAll(/TelOS: hashes: siphash-ref (\d+) 0 ([0-9a-f]+)\n/g)) {
        const n = Number(len);
        const got = BigInt(`0x${hex}`);
        expect(got, `SipHash of ${n} reference bytes`).toBe(siphash24(refKey, refMsg.subarray(0, n)));
        if (SIPHASH_PAPER[n] !== undefined) expect(got).toBe(SIPHASH_PAPER[n]);
        checked++;
      }
      const key = data.subarray(100, 116);
      for (const [, len, off, hex] of text.matchAll(/TelOS: hashes: siphash (\d+) (\d+) ([0-9a-f]+)\n/g)) {
        const bytes = data.subarray(Number(off), Number(off) + Number(len));
        expect(BigInt(`0x${hex}`), `SipHash of ${len} bytes at offset ${off}`).toBe(siphash24(key, bytes));
        checked++;
      }
      const printed = Number(text.match(/TelOS: hashes: (\d+) values printed/)![1]);
      expect(printed).toBe(36 * 4 + 41 + 64 + 36 * 4);
      expect(checked).toBe(printed);
    });
  });
}
