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
  });
}
