// The Persistence Server on a real (emulated) ATA disk: validation across an unclean
// power-off, power cuts at random instruction counts during commits, flipped bytes in
// the log tail, and a damaged superblock. The guest's COM1 and the host-side reader of
// the disk format (src/machine/psdisk.ts) must agree.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPsDisk, type Machine, type PsObject } from '../../src/machine';
import { bootMachine } from '../../src/machine/node';
import { QemuMachine } from './qemu';
import { bootWithDisk, newDisk, qemuEmulator, type TestDisk } from './emulators';

const DISK_BYTES = 4 << 20;

const nameOf = (o: PsObject | undefined) => (o?.content?.kind === 'object' ? o.content.name : undefined);

async function withMachine<T>(m: Machine, f: (m: Machine) => Promise<T>): Promise<T> {
  try {
    return await f(m);
  } finally {
    await m.powerOff();
  }
}

/** Boots `test=ps-verify` on the disk and returns the tid the guest found consistent. */
async function verifyBoot(disk: ArrayBuffer): Promise<{ tid: number; console: string }> {
  return withMachine(await bootMachine({ cmdline: 'test=ps-verify', disk }), async (m) => {
    const text = await m.waitForText(0, /PS verify: (consistent|INCONSISTENT)[^\n]*\n/, 30_000);
    expect(text).toMatch(/PS verify: consistent at tid \d+/);
    return { tid: Number(text.match(/consistent at tid (\d+)/)![1]), console: text };
  });
}

/** A seeded generator, so a failing cut point can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

describe('Persistence Server on v86', () => {
  // Catches: a PS that loses an acknowledged commit at power-off, or a Stage 3 that validates without reading
  // the genesis graph back.
  it('finds test_proc again after an unclean power-off and validates persistence', async () => {
    const disk = new ArrayBuffer(DISK_BYTES);
    await withMachine(await bootMachine({ disk }), async (m) => {
      const text = await m.waitForText(0, 'TelOS: test_proc alive.', 30_000);
      expect(text).toContain('TelOS: PS: empty disk formatted');
      expect(text).toMatch(/TelOS: genesis: \d+ objects \(the kernel prototypes, traits and servers, test_proc's image in \d+ chunks\) committed in transaction 1/);
      expect(text).not.toContain('Persistence validation successful');
    }); // pulled the plug: no shutdown of any kind
    const onDisk = readPsDisk(disk);
    expect(onDisk.kind).toBe('ok');
    if (onDisk.kind !== 'ok') return;
    expect(nameOf(onDisk.objects.get(20))).toBe('test_proc');
    expect(nameOf(onDisk.objects.get(3))).toBe('BaseObject');

    await withMachine(await bootMachine({ disk }), async (m) => {
      const text = await m.waitForText(0, 'TelOS: test_proc alive.', 30_000);
      expect(text).toMatch(/TelOS: PS: recovered 2 transactions, \d+ objects/);
      expect(text).toMatch(/TelOS: root task: genesis graph validated: \d+ objects, \d+ slots \(\d+ parents, \d+ capabilities\), \d+ trait uses/);
      expect(text).toContain('TelOS: Persistence validation successful.');
    });
  });

  // Catches: recovery to anything but the last complete commit after a power cut mid-write.
  it('recovers to a complete commit after power cuts at random instruction counts', async () => {
    const random = rng(20261122);
    const CUTS = 3;
    for (let cut = 0; cut < CUTS; cut++) {
      const disk = new ArrayBuffer(DISK_BYTES);
      await withMachine(await bootMachine({ cmdline: 'test=ps-stress', disk }), async (m) => {
        await m.waitForText(0, 'TelOS: PS: serving', 20_000);
        const at = m.instructions() + Math.floor(random() * 2_000_000);
        await m.powerOffAt({ instructions: at, ms: 20_000 });
      });
      const before = readPsDisk(disk);
      if (before.kind !== 'ok') throw new Error(`disk unreadable after the cut: ${before.kind}`);
      const { tid } = await verifyBoot(disk);
      expect(tid).toBe(before.records.at(-1)?.tid ?? 0);
    }
  });

  // Catches: a PS that accepts a record whose header, payload or marker was damaged.
  it('truncates a log tail with flipped bytes back to the last good commit', async () => {
    const disk = new ArrayBuffer(DISK_BYTES);
    await withMachine(await bootMachine({ cmdline: 'test=ps-stress', disk }), async (m) => {
      await m.waitForText(0, 'TelOS: ps-stress: committed tid 10', 30_000);
    });
    const state = readPsDisk(disk);
    if (state.kind !== 'ok') throw new Error(`disk unreadable: ${state.kind}`);
    const last = state.records.at(-1)!;
    const bytes = new Uint8Array(disk);
    const random = rng(7);
    // Flip a few random bytes inside the last record (header, payload or marker).
    const from = last.sector * 512;
    const to = (last.commitSector + 1) * 512;
    for (let i = 0; i < 3; i++) bytes[from + Math.floor(random() * (to - from))] ^= 0x5a;
    const { tid, console: text } = await verifyBoot(disk);
    expect(tid).toBe(last.tid - 1);
    expect(text).toMatch(/TelOS: PS: (truncated a torn transaction|scrubbed \d+ sectors after the log end)/);
  });

  // Catches: a PS that formats over (destroys) a disk it cannot read.
  it('refuses a disk whose two superblock copies are both damaged and leaves it untouched', async () => {
    const disk = new ArrayBuffer(DISK_BYTES);
    await withMachine(await bootMachine({ disk }), async (m) => {
      await m.waitForText(0, 'TelOS: test_proc alive.', 30_000);
    });
    new Uint8Array(disk)[2] ^= 0xff; // the magic of both copies
    new Uint8Array(disk)[512 + 2] ^= 0xff;
    const snapshot = new Uint8Array(disk).slice();
    await withMachine(await bootMachine({ disk }), async (m) => {
      const text = await m.waitForText(0, 'TelOS: test_proc alive.', 30_000);
      expect(text).toContain('TelOS: PS: superblock damaged; refusing to format over existing data; persistence disabled');
      expect(text).not.toContain('Persistence validation successful');
    });
    expect(Buffer.compare(Buffer.from(new Uint8Array(disk)), Buffer.from(snapshot))).toBe(0);
    expect(readPsDisk(disk)).toEqual({ kind: 'damaged', reason: 'bad magic' });
  });
});

/** Boots `test=ps-verify` under QEMU on the disk file and returns the tid found consistent. */
async function verifyBootQemu(disk: TestDisk): Promise<{ tid: number; console: string }> {
  const m = await bootWithDisk(qemuEmulator, disk, 'test=ps-verify');
  try {
    const text = await m.waitForText(0, /PS verify: (consistent|INCONSISTENT)[^\n]*\n/, 30_000);
    expect(text).toMatch(/PS verify: consistent at tid \d+/);
    return { tid: Number(text.match(/consistent at tid (\d+)/)![1]), console: text };
  } finally {
    await m.powerOff();
  }
}

describe.skipIf(!qemuEmulator.available)('Persistence Server on QEMU', () => {
  // Catches: recovery to anything but the last complete commit after QEMU is killed mid-write.
  it('recovers to a complete commit after QEMU is killed at random moments of a commit stress', async () => {
    // QEMU has no instruction-exact stop: the cut is a SIGKILL at a random wall time
    // while ps-stress commits, which can land inside a multi-sector write.
    const random = rng(20261123);
    const CUTS = 3;
    const found: string[] = [];
    for (let cut = 0; cut < CUTS; cut++) {
      const disk = newDisk(qemuEmulator, DISK_BYTES);
      const m = await bootWithDisk(qemuEmulator, disk, 'test=ps-stress');
      try {
        await m.waitForText(0, 'TelOS: PS: serving', 20_000);
        await new Promise((r) => setTimeout(r, Math.floor(random() * 150)));
      } finally {
        await m.powerOff();
      }
      const before = readPsDisk(disk.bytes());
      if (before.kind !== 'ok') throw new Error(`disk unreadable after the cut: ${before.kind}`);
      const { tid } = await verifyBootQemu(disk);
      expect(tid).toBe(before.records.at(-1)?.tid ?? 0);
      found.push(`${tid}${before.tornTail ? ' (torn tail)' : ''}`);
    }
    console.log(`QEMU power cuts: recovered to tids ${found.join(', ')}`);
  });

  // Catches: a PS that accepts a record whose header, payload or marker was damaged.
  it('truncates a log tail with flipped bytes back to the last good commit', async () => {
    const disk = newDisk(qemuEmulator, DISK_BYTES);
    const m = await bootWithDisk(qemuEmulator, disk, 'test=ps-stress');
    try {
      await m.waitForText(0, 'TelOS: ps-stress: committed tid 10', 30_000);
    } finally {
      await m.powerOff();
    }
    const bytes = disk.bytes();
    const state = readPsDisk(bytes);
    if (state.kind !== 'ok') throw new Error(`disk unreadable: ${state.kind}`);
    const last = state.records.at(-1)!;
    const random = rng(7);
    const from = last.sector * 512;
    const to = (last.commitSector + 1) * 512;
    for (let i = 0; i < 3; i++) bytes[from + Math.floor(random() * (to - from))] ^= 0x5a;
    disk.write(bytes);
    const { tid, console: text } = await verifyBootQemu(disk);
    expect(tid).toBe(last.tid - 1);
    expect(text).toMatch(/TelOS: PS: (truncated a torn transaction|scrubbed \d+ sectors after the log end)/);
  });

  // Catches: a PS whose commits do not reach QEMU's disk file before acknowledgment.
  it('validates persistence after killing QEMU and booting the same disk file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telos-disk-'));
    const diskPath = join(dir, 'disk.img');
    writeFileSync(diskPath, new Uint8Array(DISK_BYTES));
    const first = QemuMachine.boot({ diskPath });
    try {
      await first.waitForText('TelOS: test_proc alive.', 30_000);
    } finally {
      await first.powerOff();
    }
    const onDisk = readPsDisk(new Uint8Array(readFileSync(diskPath)));
    expect(onDisk.kind === 'ok' && nameOf(onDisk.objects.get(20))).toBe('test_proc');
    const second = QemuMachine.boot({ diskPath });
    try {
      const text = await second.waitForText('TelOS: test_proc alive.', 30_000);
      expect(text).toContain('TelOS: Persistence validation successful.');
    } finally {
      await second.powerOff();
    }
  });
});
