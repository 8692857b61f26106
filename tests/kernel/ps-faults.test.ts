// Regression tests for the Persistence Server faults of the old log, each on v86 and QEMU:
// a forged record planted in a torn transaction's extent (client-chosen bytes) must never
// be recovered; a full PS must refuse commits (EFULL) instead of acknowledging what it
// could not apply; the same objects rewritten forever must never fill the disk; and one
// client's stalled transaction must block neither other writers nor Shutdown. Then the
// rules of transactions side by side (optimistic concurrency).
import { describe, expect, it } from 'vitest';
import { encodePsObject, PSDISK, readPsDisk, sealMarker, sealRecord, sealSuperblock, type PsContent } from '../../src/machine';
import { bootWithDisk, emulators, newDisk, type Emulator, type TestDisk } from './emulators';

const MiB = 1 << 20;

async function run(emu: Emulator, disk: TestDisk, cmdline: string, until: string | RegExp, timeoutMs = 120_000): Promise<string> {
  const m = await bootWithDisk(emu, disk, cmdline);
  try {
    return await m.waitForText(0, until, timeoutMs);
  } finally {
    await m.powerOff();
  }
}

/** The blob ps-stress commits for object i at tid k. */
const stressBlob = (k: number, i: number): PsContent => ({ kind: 'blob', data: new TextEncoder().encode(`stress value=${k} object=${i} padding.........`) });

/**
 * What a torn commit of a client's large object leaves on disk: the PS raised the
 * high-water mark, wrote its record header for `tid` at `at` with the client's bytes after
 * it, and the power went before the commit marker. The client's bytes hold, at sector
 * `plantAt`, a record for `tid + 1` and its marker, built as well as a client can: from
 * the documented format and what PS_STAT tells it (epoch, tids, where the log ends), but
 * without the disk's key, which it never sees; it guesses one.
 */
function plantTornForgery(disk: Uint8Array, tid: number, plantAt: number, raiseHwm: boolean): void {
  const state = readPsDisk(disk);
  if (state.kind !== 'ok') throw new Error('no disk to plant in');
  const sb = state.superblock;
  const at = state.logEnd - state.logStart;
  const guessedKey = new Uint8Array(16).fill(0x42);
  const entries = [...Array.from({ length: 8 }, (_, i) => ({ oid: 1000 + i, serial: tid + 1, bytes: encodePsObject(stressBlob(tid + 1, i)) })), { oid: 4242, serial: tid + 1, bytes: encodePsObject({ kind: 'blob', data: new TextEncoder().encode('forged') }) }];
  const forged = sealRecord({ key: guessedKey, type: PSDISK.RECORD_TXN, epoch: sb.epoch, tid: tid + 1, entries });
  const forgedMarker = sealMarker({ key: guessedKey, epoch: sb.epoch, tid: tid + 1, firstSector: plantAt - state.logStart, record: forged });
  // The client's object: blob bytes laid out so the forged record lands on `plantAt`.
  const payloadStart = state.logEnd * 512 + PSDISK.RECORD_HEADER_SIZE + PSDISK.ENTRY_HEADER_SIZE + 4;
  const objectBytes = new Uint8Array((plantAt + forged.length / 512 + 1) * 512 - payloadStart);
  objectBytes.set(forged, plantAt * 512 - payloadStart);
  objectBytes.set(forgedMarker, plantAt * 512 + forged.length - payloadStart);
  const torn = sealRecord({ key: sb.key, type: PSDISK.RECORD_TXN, epoch: sb.epoch, tid, entries: [{ oid: 5000, serial: tid, bytes: encodePsObject({ kind: 'blob', data: objectBytes }) }] });
  disk.set(torn, state.logEnd * 512);
  if (!raiseHwm) return; // as if the superblock that raised it were lost: nothing scrubs the extent
  const hwm = at + torn.length / 512 + 1 + PSDISK.HWM_STEP;
  const next = { ...sb, sequence: sb.sequence + 1, highWaterMark: Math.max(sb.highWaterMark, hwm) };
  disk.set(sealSuperblock(next), (next.sequence & 1) * 512);
}

describe.each(emulators)('PS faults on $name', (emu) => {
  // Catches: recovery that accepts a header and marker planted inside a torn record's payload (client-chosen
  // bytes) once later commits reuse the space: the old PS's fault.
  it.skipIf(!emu.available).each([
    ['scrubbed from the torn extent', true],
    ['refused by its MAC beyond the high-water mark', false],
  ])('never recovers a record planted by a client inside a torn transaction (%s)', async (_how, raiseHwm) => {
    const disk = newDisk(emu, 4 * MiB);
    await run(emu, disk, 'test=ps-stress stop=5', 'ps-stress: stopped after tid 5');
    const before = readPsDisk(disk.bytes());
    if (before.kind !== 'ok') throw new Error(`disk unreadable: ${before.kind}`);
    const last = before.records.at(-1)!;
    const span = last.commitSector + 1 - last.sector; // sectors one stress commit takes
    const bytes = disk.bytes();
    plantTornForgery(bytes, 6, before.logEnd + span, raiseHwm);
    disk.write(bytes);
    // The next boot truncates the torn tid 6 and commits a genuine tid 6 of the same size,
    // so the planted record sits exactly where tid 7 would go.
    await run(emu, disk, 'test=ps-stress stop=6', 'ps-stress: stopped after tid 6');
    const text = await run(emu, disk, 'test=ps-verify', /PS verify: (consistent|INCONSISTENT)[^\n]*\n/);
    expect(text).toMatch(/PS verify: consistent at tid 6 /);
    const after = readPsDisk(disk.bytes());
    expect(after.kind === 'ok' && after.objects.has(4242)).toBe(false);
    expect(after.kind === 'ok' && after.records.at(-1)?.tid).toBe(6);
  });

  // Catches: a PS that acknowledges commits its object table or arena could not hold (the old PS ignored the
  // apply result).
  it.skipIf(!emu.available)('refuses commits it cannot apply with EFULL, and every acknowledged object is there', async () => {
    const disk = newDisk(emu, 16 * MiB);
    const text = await run(emu, disk, 'test=ps-full', /ps-full test (passed|FAILED)/, 600_000);
    expect(text).toMatch(/ps-full: \d+ small objects acknowledged, 0 of them missing, then EFULL/);
    expect(text).toMatch(/ps-full: \d+ objects of 4 KiB acknowledged, 0 of them missing, then EFULL/);
    expect(text).toContain('ps-full test passed');
    // Everything acknowledged is recovered too: the same objects at the same tid.
    const [, objects, tid] = text.match(/ps-full: the PS holds (\d+) objects at tid (\d+)/)!;
    const again = await run(emu, disk, 'test=ps-verify', /PS verify: [^\n]*\n/);
    expect(again).toContain(`TelOS: PS: recovered ${tid} transactions, ${objects} objects`);
  }, 900_000);

  // Catches: a log without compaction, filling the disk under steady use.
  it.skipIf(!emu.available)('rewrites the same ten objects in many more transactions than the disk holds', async () => {
    const disk = newDisk(emu, 4 * MiB);
    // About 800 of these transactions fill the 4 MiB disk side by side.
    const text = await run(emu, disk, 'test=ps-endless count=2500', /ps-endless test (passed|FAILED)/, 600_000);
    expect(text).toContain('ps-endless: 2500 of 2500 transactions of 10 x 400 bytes committed, 0 wrong values read back');
    expect(text).toContain('ps-endless test passed');
  }, 900_000);

  // Catches: one global transaction lock held by a stalled client, blocking every writer and Shutdown.
  it.skipIf(!emu.available)('lets other writers and Shutdown through while one client stalls with an open transaction', async () => {
    const disk = newDisk(emu, 4 * MiB);
    const text = await run(emu, disk, 'test=ps-stall', /ps-stall test (passed|FAILED)/);
    expect(text).toContain('ps-stall test passed');
  });

  // Catches: lost updates between concurrent transactions, a stale read committed, or one client touching
  // another's transaction.
  it.skipIf(!emu.available)('runs transactions side by side: disjoint ones commit, conflicts are refused, nobody waits', async () => {
    const disk = newDisk(emu, 4 * MiB);
    const text = await run(emu, disk, 'test=ps-concurrent', /ps-concurrent test (passed|FAILED)/);
    expect(text).not.toMatch(/ps-concurrent: .* FAILED/);
    expect(text).toMatch(/ps-concurrent: (\d+) of \1 checks/);
    expect(text).toContain('ps-concurrent test passed');
  });
});
