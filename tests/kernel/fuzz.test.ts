// The syscall fuzzer (images/telos/user/sysfuzz.c, supervised by user/ktest/fuzzsys.c):
// random syscalls and invocations on a playground of capabilities, each with the outcome
// the ABI's rules give (reply label, fault and its reason, or nothing), a model of the
// playground compared with the kernel's own view after every syscall, and the supervisor's
// scans for capabilities that were not granted and objects outside the fuzzer's memory.
// 100,000 syscalls per CI run, the bulk on QEMU.
import { afterEach, describe, expect, it } from 'vitest';
import { emulators, type BootedPC } from './emulators';

let running: BootedPC[] = [];
afterEach(async () => {
  await Promise.all(running.map((pc) => pc.powerOff()));
  running = [];
});

for (const emulator of emulators) {
  describe.skipIf(!emulator.available)(`syscall fuzzer on ${emulator.name}`, () => {
    // Catches: an invocation answered with another error than the kernel's rules give (or
    // a success where it must refuse), a bad syscall raising no fault or the wrong one, a
    // Copy or Mint with more rights or another badge than asked, Move, Delete or Revoke
    // removing the wrong capabilities (or leaving derived ones), a retyped object outside
    // its untyped or over another, a capability the fuzzer was never granted, leaked memory.
    it('checks the outcome of every random syscall and the invariants after it: 0 violations', async () => {
      const count = Number(process.env.FUZZ_COUNT_OVERRIDE) || (emulator.name === 'qemu' ? 80_000 : 20_000);
      const pc = await emulator.boot(`test=fuzz count=${count}`);
      running.push(pc);
      const text = await pc.waitForText(/fuzz test (passed|FAILED)/, 280_000);
      const m = text.match(/TelOS: fuzz: (\d+) syscalls, (\d+) faults expected and (\d+) delivered, (\d+) outcome checks/);
      expect(m, 'the fuzzer reported its counts').not.toBeNull();
      expect(Number(m![1])).toBeGreaterThanOrEqual(count);
      expect(Number(m![2])).toBeGreaterThan(count / 20);
      expect(Number(m![3])).toBe(Number(m![2]));
      expect(text).toMatch(/TelOS: fuzz: 0 violations \(fuzzer 0, scans 0\); untyped memory whole after revoke/);
      expect(text).toContain('TelOS: fuzz test passed');
      expect(text).not.toMatch(/kernel panic|killed/);
      console.log(`${emulator.name}: ${m![0]}`);
    }, 300_000);
  });
}
