// vfs_server (servers/vfs.c): sessions over a tree of plugins, /disk being ext2 on the
// second disk. The guest writes a file on a blank hdb (vfs_server makes the file system
// first), works in /tmp, and is refused every way out of a narrower session; the host
// then finds the file with debugfs and a clean disk with e2fsck, and a second boot on the
// same disks reads the file back and finds /tmp empty.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootWithDisk, emulators, newDisk, type TestDisk } from './emulators';

const HDB_BYTES = 8 << 20;
const HELLO_SIZE = 5000;

function helloText(): string {
  let s = '';
  for (let line = 0; s.length < HELLO_SIZE; line++) s += `hdb line ${line}: the file vfs_server wrote\n`;
  return s.slice(0, HELLO_SIZE);
}

const e2fsprogs = spawnSync('e2fsck', ['-V']).status === 0 && spawnSync('debugfs', ['-V']).status === 0;

async function run(emulator: (typeof emulators)[number], disk: TestDisk, disk2: TestDisk, test: string): Promise<string> {
  const pc = await bootWithDisk(emulator, disk, `test=${test}`, disk2);
  try {
    return await pc.waitForText(0, new RegExp(`${test} test (passed|FAILED)[^\\n]*\\n`), 120_000);
  } finally {
    await pc.powerOff();
  }
}

for (const emulator of emulators) {
  describe.skipIf(!emulator.available)(`vfs_server on ${emulator.name}`, () => {
    it('keeps a file on hdb across a reboot, confines sessions, refuses writes under read-only grants', async () => {
      const disk = newDisk(emulator, 1 << 20);
      const disk2 = newDisk(emulator, HDB_BYTES);
      const text = await run(emulator, disk, disk2, 'vfs');
      // The file system takes all but hdb's last eighth, the raw device /dev/hdb-raw (vfs-block.test.ts).
      expect(text).toContain(`TelOS: vfs: hdb was blank: made an ext2 file system on it (${(HDB_BYTES / 8) * 7 >> 10} KiB)`);
      expect(text).toMatch(/TelOS: vfs: mounted hdb's ext2 file system at \/disk \(\d+ blocks of 1024 bytes, \d+ free\)/);
      expect(text).toContain('TelOS: vfs: serving /tmp (ram), /disk (posix on hdb), /dev (block on hdb)\n');
      expect(text).toContain(`TelOS: vfs: /disk/docs/hello.txt is a file of ${HELLO_SIZE} bytes`);
      expect(text).toContain('TelOS: vfs: / holds tmp disk dev\n');
      expect(text).toMatch(/TelOS: vfs: \/disk is posix, 7167 blocks of 1024 bytes, \d+ free/);
      expect(text).toContain('TelOS: vfs: /tmp is ram, 256 blocks of 4096 bytes, 256 free');
      expect(text).not.toContain('WRONG');
      for (const line of [
        'child creates a file under its read-only grant -> refused: read-only',
        'child opens /disk/secret -> refused: outside the session\'s namespace',
        'child climbs out with .. -> refused: outside the session\'s namespace',
        'child climbs above the root -> refused: outside the session\'s namespace',
        'child names a relative path -> refused: malformed path',
        'child asks read-write on its read-only grant -> refused: more rights than granted',
        'child asks read-write below its read-only grant -> refused: more rights than granted',
        'child opens a sibling sharing its grant\'s prefix -> refused: outside the session\'s namespace',
        'mixed session hands out /disk read-write -> refused: more rights than granted',
        'read-only session creates /tmp/x -> refused: read-only',
        'a badge that names no session -> refused: InvalidCapability',
        'the closed session\'s badge after its place was reused -> refused: InvalidCapability',
        'a path length past the message -> refused: TruncatedMessage',
        'a NUL inside a path -> refused: malformed path',
        'an unknown operation -> refused: IllegalOperation',
        'nested session renames the directory holding its read-only grant -> refused: read-only',
        'nested session renames its directory over where a read-only grant lies -> refused: read-only',
        'a session asked through a capability without Grant -> refused: FailedLookup',
        'a session into a slot that is not empty -> refused: FailedLookup',
        'a session asks for all of the root session\'s quota -> refused: session quota used up',
        'a sixth session from a session of quota 5 -> refused: session quota used up',
        'a session of quota 5 asks for a session of quota 5 -> refused: session quota used up',
        'the root session closes a session it did not make -> refused: invalid argument',
      ]) {
        expect(text).toContain(`TelOS: vfs: ${line}\n`);
      }
      expect(text.match(/-> refused: /g)?.length).toBe(71);
      // Closing a session revokes its capabilities: the holder's, a copy and its grandchild's.
      expect(text).toContain("TelOS: vfs: the closed session's capability, its copy and its grandchild's: revoked\n");
      // Quotas: the root session holds the rest of the table, a session whose capability never
      // arrived is given back, and closing everything gives the whole quota back.
      expect(text).toContain('TelOS: vfs: the root session made 63 sessions, then: session quota used up\n');
      expect(text).toContain('TelOS: vfs: after two sessions whose capabilities never arrived, the session of quota 5 makes 5\n');
      expect(text).toContain('TelOS: vfs: everything closed, the root session makes 63 sessions again\n');
      // A read reply's last word carries no bytes of the reply before it.
      expect(text).toContain('TelOS: vfs: a 5-byte read after an 8-byte one: padding of its last word 0x0\n');
      // Random messages: every one answered, some reaching the plugins, /disk untouched.
      const fuzz = text.match(/TelOS: vfs: fuzz: 3000 random messages on a \/tmp session, 3000 answered \((\d+) accepted\)/);
      expect(fuzz, 'the fuzz line').not.toBeNull();
      expect(Number(fuzz![1])).toBeGreaterThan(100);
      expect(text).toContain('TelOS: vfs test passed');

      // The bytes are on the emulated disk, in a file system e2fsprogs reads and finds clean.
      const bytes = disk2.bytes();
      const hello = helloText();
      expect(Buffer.from(bytes).includes(Buffer.from(hello.slice(0, 1024)))).toBe(true);
      if (e2fsprogs) {
        const image = join(mkdtempSync(join(tmpdir(), 'telos-hdb-')), 'hdb.img');
        writeFileSync(image, bytes);
        const fsck = spawnSync('e2fsck', ['-fn', image], { encoding: 'utf8' });
        expect(fsck.status, fsck.stdout + fsck.stderr).toBe(0);
        expect(execFileSync('debugfs', ['-R', 'cat /docs/hello.txt', image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toBe(hello);
        // File times come from the machine's clock (the CMOS RTC, which both emulators set
        // from the host's): within a day of the host's time, not 1970.
        const stat = execFileSync('debugfs', ['-R', 'stat /docs/hello.txt', image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        const mtime = stat.match(/mtime: 0x([0-9a-f]+)/);
        expect(mtime, stat).not.toBeNull();
        expect(Math.abs(parseInt(mtime![1]!, 16) - Date.now() / 1000)).toBeLessThan(86_400);
      }

      const again = await run(emulator, disk, disk2, 'vfs-verify');
      expect(again).not.toContain('hdb was blank');
      expect(again).toContain('TelOS: vfs: mounted hdb\'s ext2 file system at /disk');
      expect(again).toContain(`TelOS: vfs-verify: /disk/docs/hello.txt: ${HELLO_SIZE} bytes, as written`);
      expect(again).toContain('TelOS: vfs-verify: /tmp is empty');
      expect(again).toContain('TelOS: vfs-verify test passed');
    });

    it('leaves a second disk that holds something else alone', async () => {
      const disk = newDisk(emulator, 1 << 20);
      const disk2 = newDisk(emulator, 1 << 20);
      const other = new Uint8Array(1 << 20).fill(0x5a);
      disk2.write(other);
      const pc = await bootWithDisk(emulator, disk, 'test=vfs-verify', disk2);
      let text: string;
      try {
        text = await pc.waitForText(0, /vfs-verify test (passed|FAILED)[^\n]*\n/, 60_000);
      } finally {
        await pc.powerOff();
      }
      expect(text).toContain('TelOS: vfs: hdb holds no ext2 file system and is not blank: left alone, /disk not mounted');
      expect(text).toContain('TelOS: vfs: hdb left alone: /dev not mounted');
      expect(text).toContain('TelOS: vfs: serving /tmp (ram)\n');
      expect(Buffer.from(disk2.bytes()).equals(Buffer.from(other))).toBe(true);
    });
  });
}
