// The `block` plugin of vfs_server (servers/vfs_block.c): the last eighth of hdb as one
// file, /dev/hdb-raw, through a block session of its own, beside the ext2 file system
// that fills the rest. Phase 2 of the persistence blueprint: the guest writes sectors of
// the device file through a vfs_server session and reads them back, and the host finds
// the bytes at the same place of the emulated hdb (and the ext2 file system clean), after
// random reads and writes the guest checks against a model of the device. Then
// a power cut in the middle of a stream of writes on /tmp and the device file: the next
// boot on the same disks finds the genesis graph and test_proc intact.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPsDisk, type PsObject } from '../../src/machine';
import { bootMachine } from '../../src/machine/node';
import { bootWithDisk, emulators, newDisk, qemuEmulator, type SerialPC } from './emulators';

const SECTOR = 512;
const HDB_BYTES = 8 << 20;
const HDB_SECTORS = HDB_BYTES / SECTOR;
// The layout vfs_server documents: the device is hdb's last eighth (whole 4 KiB pages).
const RAW_SECTORS = Math.floor(HDB_SECTORS / 8) & ~7;
const RAW_FIRST = HDB_SECTORS - RAW_SECTORS;
// What user/ktest/vfsblock.c writes: sectors [4, 10) of the device, a piece over them, its last sector.
const FIRST = 4;
const PIECE_AT = 5 * SECTOR + 100;
const PIECE_BYTES = 1500;
const background = (i: number) => (0xe0 ^ (i >> 9)) & 0xff;
const piece = (i: number) => (i * 31 + 7) & 0xff;
const last = (i: number) => (0x4c ^ i) & 0xff;

const e2fsck = spawnSync('e2fsck', ['-V']).status === 0;
const mke2fs = spawnSync('mke2fs', ['-V']).status === 0 && spawnSync('debugfs', ['-V']).status === 0;

/** e2fsck -fn on hdb's bytes: the file system the device file must never touch is clean. */
function expectCleanExt2(bytes: Uint8Array): void {
  if (!e2fsck) return;
  const image = join(mkdtempSync(join(tmpdir(), 'telos-hdb-')), 'hdb.img');
  writeFileSync(image, bytes);
  const fsck = spawnSync('e2fsck', ['-fn', image], { encoding: 'utf8' });
  expect(fsck.status, fsck.stdout + fsck.stderr).toBe(0);
}

async function until(pc: SerialPC, pattern: RegExp, ms: number): Promise<string> {
  try {
    return await pc.waitForText(0, pattern, ms);
  } finally {
    await pc.powerOff();
  }
}

const nameOf = (o: PsObject | undefined) => (o?.content?.kind === 'object' ? o.content.name : undefined);

for (const emulator of emulators) {
  describe.skipIf(!emulator.available)(`the block plugin on ${emulator.name}`, () => {
    // Catches: a device file that is not on hdb where the layout says (a wrong first sector, an
    // off-by-one at the end), a partial-sector write that zeroes the rest of its sectors, a write
    // past the end that lands (whole or in part) on the disk, a plugin that writes the ext2 region.
    it('puts what a vfs_server client writes to /dev/hdb-raw on the emulated hdb, and refuses writes past it', async () => {
      const disk = newDisk(emulator, 1 << 20);
      const disk2 = newDisk(emulator, HDB_BYTES);
      const text = await until(await bootWithDisk(emulator, disk, 'test=vfs-block', disk2), /vfs-block test (passed|FAILED)[^\n]*\n/, 120_000);
      expect(text).toContain(`TelOS: vfs: hdb was blank: made an ext2 file system on it (${(RAW_FIRST * SECTOR) >> 10} KiB)`);
      expect(text).toContain(
        `TelOS: vfs: /dev/hdb-raw is hdb's sectors ${RAW_FIRST}-${HDB_SECTORS - 1} (${(RAW_SECTORS * SECTOR) >> 10} KiB), past the ext2 file system\n`,
      );
      expect(text).toContain('TelOS: vfs: serving /tmp (ram), /disk (posix on hdb), /dev (block on hdb)\n');
      expect(text).toContain(`TelOS: vfs-block: /dev/hdb-raw is a file of ${RAW_SECTORS * SECTOR} bytes`);
      expect(text).toContain(`TelOS: vfs-block: /dev is block, ${RAW_SECTORS} blocks of 512 bytes`);
      // Random reads and writes near both ends and far past them, each answered as a model says.
      const fuzz = text.match(/TelOS: vfs-block: fuzz: 2000 random reads and writes, (\d+) wrote, (\d+) refused, (\d+) answered otherwise than the model/);
      expect(fuzz, 'the fuzz line').not.toBeNull();
      expect(Number(fuzz![1])).toBeGreaterThan(300);
      expect(Number(fuzz![2])).toBeGreaterThan(100);
      expect(Number(fuzz![3])).toBe(0);
      expect(text).toContain('TelOS: vfs-block: sectors 4-9 written and read back, as written');
      expect(text).toContain('TelOS: vfs-block: a read at the end answers 0 bytes');
      for (const line of [
        'a write at the end -> refused: no space left',
        'a write across the end -> refused: no space left',
        'a write far past the end -> refused: no space left',
        'a write whose end wraps past 2^64 -> refused: invalid argument',
        'a read at a sector number past 32 bits -> refused: invalid argument',
        'a write at a sector number past 32 bits -> refused: invalid argument',
        'a read-only session opens the device for writing -> refused: read-only',
        'a read-only session writes through its handle -> refused: handle not open for that',
        'a truncating open -> refused: invalid argument',
      ]) {
        expect(text).toContain(`TelOS: vfs-block: ${line}\n`);
      }
      expect(text.match(/-> refused: /g)?.length).toBe(16);
      expect(text).not.toContain('WRONG');
      expect(text).toContain('TelOS: vfs-block test passed');

      // The same bytes at the same place of the emulated disk; every other byte of the device's
      // region as it was (zero); the ext2 file system in front of it clean.
      const bytes = disk2.bytes();
      const want = new Uint8Array(RAW_SECTORS * SECTOR);
      for (let i = FIRST * SECTOR; i < (FIRST + 6) * SECTOR; i++) want[i] = background(i);
      for (let i = 0; i < PIECE_BYTES; i++) want[PIECE_AT + i] = piece(i);
      for (let i = 0; i < SECTOR; i++) want[want.length - SECTOR + i] = last(i);
      const region = bytes.subarray(RAW_FIRST * SECTOR);
      for (let i = 0; i < want.length; i++) {
        if (region[i] !== want[i]) throw new Error(`hdb byte ${RAW_FIRST * SECTOR + i} (device byte ${i}) is ${region[i]}, expected ${want[i]}`);
      }
      expectCleanExt2(bytes);
    });

    // Catches: a second disk whose ext2 file system spans all of it (as TelOS made it before the raw
    // region) no longer mounted, or mounted with the device file over its last eighth.
    it.skipIf(!mke2fs)('mounts an ext2 file system that spans all of hdb and serves no device file over it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'telos-hdb-'));
      mkdirSync(join(dir, 'root'));
      writeFileSync(join(dir, 'root', 'note.txt'), 'kept\n');
      const image = join(dir, 'hdb.img');
      writeFileSync(image, new Uint8Array(HDB_BYTES));
      execFileSync('mke2fs', ['-q', '-t', 'ext2', '-b', '1024', '-d', join(dir, 'root'), '-F', image]);
      const disk = newDisk(emulator, 1 << 20);
      const disk2 = newDisk(emulator, HDB_BYTES);
      disk2.write(new Uint8Array(readFileSync(image)));
      const text = await until(await bootWithDisk(emulator, disk, '', disk2), /TelOS: test_proc alive\.\n/, 60_000);
      expect(text).toMatch(/TelOS: vfs: mounted hdb's ext2 file system at \/disk \(8191 blocks of 1024 bytes, \d+ free\)/);
      expect(text).toContain("TelOS: vfs: hdb's ext2 file system reaches into its last eighth: /dev not mounted\n");
      expect(text).toContain('TelOS: vfs: serving /tmp (ram), /disk (posix on hdb), /image (living_image of the PS)\n');
      writeFileSync(image, disk2.bytes());
      expect(execFileSync('debugfs', ['-R', 'cat /note.txt', image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toBe('kept\n');
      expectCleanExt2(disk2.bytes());
    });

    // Catches: a power cut in file writes on /tmp and the device file that damages the PS's disk
    // (the genesis graph, test_proc's process), the ext2 file system beside the device, or a boot
    // that no longer comes up on those disks.
    it('comes up with the PS intact after a power cut in a stream of writes on /tmp and /dev/hdb-raw', async () => {
      const disk = newDisk(emulator, 4 << 20);
      const disk2 = newDisk(emulator, HDB_BYTES);
      const seed = emulator.name === 'v86' ? 20261202 : 20261203;
      const delay = (seed % 97) / 97;
      let streamed: string;
      if (emulator.name === 'v86') {
        const m = await bootMachine({ cmdline: 'test=vfs-stream', disk: disk.buffer!, disk2: disk2.buffer });
        try {
          await m.waitForText(0, 'TelOS: vfs-stream: round 20\n', 60_000);
          await m.powerOffAt({ instructions: m.instructions() + Math.floor(delay * 3_000_000), ms: 20_000 });
        } finally {
          await m.powerOff();
        }
        streamed = m.com1.text();
      } else {
        const pc = await bootWithDisk(qemuEmulator, disk, 'test=vfs-stream', disk2);
        try {
          await pc.waitForText(0, 'TelOS: vfs-stream: round 20\n', 60_000);
          await new Promise((r) => setTimeout(r, Math.floor(delay * 100)));
        } finally {
          await pc.powerOff();
        }
        streamed = pc.com1.text();
      }
      // The cut came while the writes went on, not after the stream had stopped.
      expect(streamed).not.toContain('vfs-stream test FAILED');
      expect(streamed).toContain('TelOS: test_proc alive.');
      console.log(`${emulator.name}: power cut after ${streamed.match(/vfs-stream: round \d+/g)?.at(-1) ?? 'no round'}`);
      const ps = readPsDisk(disk.bytes());
      expect(ps.kind).toBe('ok');
      if (ps.kind === 'ok') expect(nameOf(ps.objects.get(20))).toBe('test_proc');
      expectCleanExt2(disk2.bytes());

      const text = await until(await bootWithDisk(emulator, disk, '', disk2), /TelOS: test_proc alive\.\n/, 60_000);
      expect(text).toContain('TelOS: Persistence validation successful.');
      expect(text).toContain("TelOS: vfs: mounted hdb's ext2 file system at /disk");
      expect(text).toContain('TelOS: vfs: serving /tmp (ram), /disk (posix on hdb), /dev (block on hdb), /image (living_image of the PS)\n');
    });
  });
}
