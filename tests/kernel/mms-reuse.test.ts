// Memory comes back: a thousand processes created and terminated one after another, then 32 at
// once, then every object type straight from the MMS, then endpoints until the MMS refuses, and
// the MMS's free memory (MMS_STAT) is the same at every reading (user/ktest/servers.c,
// test_pms_reuse).
import { afterEach, describe, expect, it } from 'vitest';
import { emulators, type BootedPC } from './emulators';

let running: BootedPC[] = [];
afterEach(async () => {
  await Promise.all(running.map((pc) => pc.powerOff()));
  running = [];
});

/** Each `<when>: F bytes free of T, the largest object L bytes` reading, by its label. */
function readings(text: string): Map<string, [number, number, number]> {
  const found = new Map<string, [number, number, number]>();
  for (const m of text.matchAll(/TelOS: pms-reuse: ([a-z0-9 ]+): (\d+) bytes free of (\d+), the largest object (\d+) bytes\n/g))
    found.set(m[1], [Number(m[2]), Number(m[3]), Number(m[4])]);
  return found;
}

for (const emulator of emulators) {
  describe.skipIf(!emulator.available)(`MMS memory reuse on ${emulator.name}`, () => {
    // Catches: an MMS whose freed objects leave holes in its untyped memory that retype never
    // fills again (on that MMS CreateProcess answers NotEnoughMemory at round 342 of 1,000 on v86
    // with 18 KiB of its 32 MiB left, at round 171 on QEMU with 16 MiB), a PMS or MMS that keeps
    // an object of a terminated process, memory that comes back only in pieces (the largest
    // object shrinks), reused memory a new process cannot run in (each test_proc must write its
    // file), and an MMS that splits blocks it has no slot for (without its check it answered
    // DeleteFirst when its CNode filled).
    // 1,000 rounds on v86, the machine the product boots; QEMU's disk makes each round's two PS
    // commits slower (about 50 ms a round against 13), so there 300 rounds, still well past the
    // 171 its 16 MiB lasted without reuse.
    const rounds = emulator.name === 'v86' ? 1000 : 300;
    it(`keeps free memory constant over ${rounds} spawn+terminate rounds, 32 processes at once and every object type`, async () => {
      const pc = await emulator.boot(`test=pms-reuse count=${rounds}`);
      running.push(pc);
      // A string, not a pattern: the rounds print more than a megabyte, which a pattern would
      // search again at every burst of output.
      const text = await pc.waitForText('TelOS: test finished', 600_000);
      expect(text).toContain(
        `TelOS: pms-reuse: ${rounds} of ${rounds} rounds created test_proc, saw it write and terminated it\n`,
      );
      expect(text).toMatch(/TelOS: pms-reuse: 32 processes at once held [1-9]\d* bytes; 32 terminated\n/);
      expect(text).toContain(`TelOS: pms-reuse: ${rounds} of ${rounds} rounds of one object of each of 7 types\n`);
      // Endpoints until the MMS has no slot left for another block: a refusal, not a half-split tree.
      const endpoints = /TelOS: pms-reuse: (\d+) endpoints, then NotEnoughMemory; \1 freed\n/.exec(text);
      expect(endpoints).not.toBeNull();
      expect(Number(endpoints![1])).toBeGreaterThan(1000);
      expect(text).toMatch(/TelOS: MMS: no room in our CNode for \d+ more blocks\n/);
      const seen = readings(text);
      const before = seen.get('before');
      expect(before).toBeDefined();
      expect(before![0]).toBeGreaterThan(0);
      for (const when of ['after 10 rounds', 'after all rounds', 'after the 32', 'after the objects', 'after the endpoints']) expect(seen.get(when)).toEqual(before);
      expect(text).toContain('TelOS: pms-reuse test passed\n');
    }, 660_000);
  });
}
