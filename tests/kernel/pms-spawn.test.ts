// Processes made and ended again and again: the PMS gives each process's objects back to
// the MMS and closes its vfs session at TerminateProcess, so the hundredth test_proc gets
// its /tmp session like the first; its table of running processes is bounded, with a clear
// refusal past it (user/ktest/servers.c, test_pms_spawn).
import { afterEach, describe, expect, it } from 'vitest';
import { emulators, type BootedPC } from './emulators';

let running: BootedPC[] = [];
afterEach(async () => {
  await Promise.all(running.map((pc) => pc.powerOff()));
  running = [];
});

for (const emulator of emulators) {
  describe.skipIf(!emulator.available)(`PMS processes on ${emulator.name}`, () => {
    // Catches: a PMS that never releases a process's objects (it could make only a handful per
    // boot), that leaves a terminated process's vfs session open (vfs_server's table fills and
    // later processes get no namespace), or that runs a process it has no room to record.
    // 100 rounds pass both the handful of processes the PMS's objects once allowed and its
    // quota of 32 sessions, three times over.
    const rounds = 100;
    it(`creates and terminates test_proc ${rounds} times, each with its /tmp session, and bounds its table`, async () => {
      const pc = await emulator.boot(`test=pms-spawn count=${rounds}`);
      running.push(pc);
      const text = await pc.waitForText(/pms-spawn test (passed|FAILED)[^\n]*\n/, 600_000);
      expect(text).toContain(
        `TelOS: pms-spawn: ${rounds} of ${rounds} processes wrote through their /tmp session and were terminated\n`,
      );
      expect(text).toContain(
        'TelOS: pms-spawn: 32 processes at once; a running oid again: InvalidArgument; one more: NotEnoughMemory; 32 terminated\n',
      );
      expect(text).toContain('TelOS: PMS: CreateProcess refused: 32 processes run, the most this PMS keeps\n');
      expect(text).toContain('TelOS: pms-spawn: a process after them wrote its file\n');
      expect(text).not.toContain('no namespace');
      // Every process's objects go back: as many freed at each Terminate as it was made of.
      const freed = [...text.matchAll(/terminated in transaction \d+; (\d+) objects back to the MMS/g)].map((m) => Number(m[1]));
      expect(freed.length).toBe(rounds + 32 + 1);
      expect(new Set(freed).size).toBe(1);
      expect(freed[0]).toBeGreaterThan(5);
      expect(text).toContain('TelOS: pms-spawn test passed');
    }, 660_000);

    // Catches: a PMS that ignores the namespace description (the narrow test_procs open /tmp or
    // /image anyway), that hands a child more than its own session holds, that runs or records a
    // process whose namespace was refused, or that keeps its objects (the log counts them).
    const refusals = 50;
    it(`builds each process's namespace from its description, refuses more than it holds ${refusals} times without a leak, and refuses malformed ones`, async () => {
      const pc = await emulator.boot(`test=pms-ns count=${refusals}`);
      running.push(pc);
      const text = await pc.waitForText(/pms-ns test (passed|FAILED)[^\n]*\n/, 600_000);
      expect(text).toContain('TelOS: pms-ns: /tmp read-only: ok; /image only: ok\n');
      expect(text).toContain(
        `TelOS: pms-ns: /disk read-write refused ${refusals} of ${refusals} times (outside the session's namespace); ` +
          "/image read-write: more rights than granted; /tmp/../disk: outside the session's namespace; no trace left in the PS\n",
      );
      for (const line of [
        '5 grants: InvalidArgument',
        'a relative path: InvalidArgument',
        'a NUL in the path: InvalidArgument',
        'an empty path: InvalidArgument',
        'a path of 256 bytes: InvalidArgument',
        'a length past the message: TruncatedMessage',
        'rights 7: InvalidArgument',
        'a word after the grants: InvalidArgument',
      ])
        expect(text).toContain(`TelOS: pms-ns: ${line}\n`);
      expect(text).toContain('TelOS: pms-ns: a default spawn after them wrote its file\n');
      expect(text).toContain('TelOS: pms-ns test passed (8 of 8 malformed descriptions refused as expected)');
      // A refused namespace frees every object the process was already made of: as many as a
      // Terminate gives back.
      const refusedFreed = [...text.matchAll(/CreateProcess failed \((outside the session's namespace|more rights than granted)\): transaction aborted, (\d+) objects freed/g)].map((m) => Number(m[2]));
      expect(refusedFreed.length).toBe(refusals + 2);
      const terminated = [...text.matchAll(/terminated in transaction \d+; (\d+) objects back to the MMS/g)].map((m) => Number(m[1]));
      expect(terminated.length).toBe(1);
      expect(terminated[0]).toBeGreaterThan(5);
      expect(new Set(refusedFreed)).toEqual(new Set(terminated));
      // What the two narrow test_procs could open (each line is theirs alone: the default
      // namespace reads /image and writes /tmp). They run on their own, so wait for them.
      const outside = "outside the session's namespace";
      for (const line of [
        `TelOS: test_proc: read /image/roots: ${outside}\n`, // only /tmp, read-only
        'TelOS: test_proc: write /tmp/test_proc.txt: read-only\n',
        `TelOS: test_proc: write /image/objects/1: ${outside}\n`,
        `TelOS: test_proc: write /tmp/test_proc.txt: ${outside}\n`, // only /image
      ])
        await pc.waitForText(line, 60_000);
      const all = pc.console();
      expect(all.split(`TelOS: test_proc: write /tmp/test_proc.txt: ${outside}\n`).length).toBe(2);
      expect(all.split(`TelOS: test_proc: open /disk: ${outside}\n`).length).toBe(4);
      expect(all.split(`TelOS: test_proc: list /: ${outside}\n`).length).toBe(4);
    }, 660_000);
  });
}
