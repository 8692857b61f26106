// The host-side reader of the PS disk format takes its numbers from psdisk.h; this keeps
// the two in step.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PSDISK, crc32 } from '../../src/machine';

const header = readFileSync(new URL('../../images/telos/include/telos/psdisk.h', import.meta.url), 'utf8');
const defines = new Map(
  [...header.matchAll(/^#define PSDISK_(\w+)\s+(0x[0-9A-Fa-f]+|\d+)u?/gm)].map((m) => [m[1]!, Number(m[2])]),
);

describe('psdisk.ts', () => {
  // Catches: the host reader and the kernel's disk format drifting apart.
  it('uses the constants of include/telos/psdisk.h', () => {
    expect(defines.size).toBeGreaterThan(5);
    expect(Object.fromEntries(defines)).toEqual({ ...PSDISK });
  });

  // Catches: a host CRC-32 (the reader of disks the guest wrote) that differs from zlib's; the guest's own
  // CRC is checked in hashes.test.ts.
  it('computes the same CRC-32 as zlib', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});
