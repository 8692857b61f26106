// The MMS's ownership of handles and its per-badge quotas (user/ktest/servers.c,
// test_mms_quota): only the client that allocated an object can free it, each client badge
// spends from a byte quota the root task sets, and Free gives the bytes back.
import { afterEach, describe, expect, it } from 'vitest';
import { emulators, type BootedPC } from './emulators';

let running: BootedPC[] = [];
afterEach(async () => {
  await Promise.all(running.map((pc) => pc.powerOff()));
  running = [];
});

for (const emulator of emulators) {
  describe.skipIf(!emulator.available)(`MMS ownership and quotas on ${emulator.name}`, () => {
    // Catches: an MMS whose Free has no ownership check (another client frees, the object dies), one
    // without quotas (a client allocates past its quota), one that never gives quota back on Free (the
    // second round gets nothing), one that charges a client for another's objects, one that takes
    // quota orders from a client, and one that says yes to an Untyped (it answered ok and charged 4096
    // bytes for a capability the kernel never carries).
    it("refuses to free another client's object, bounds each client by its quota and gives it back on free", async () => {
      const pc = await emulator.boot('test=mms-quota');
      running.push(pc);
      const text = await pc.waitForText(/mms-quota test (passed|FAILED)[^\n]*\n/, 120_000);
      expect(text).toContain(
        'TelOS: mms-quota: quotas set by the root task: ok, ok; by a client: IllegalOperation\n',
      );
      expect(text).toContain(
        "TelOS: mms-quota: A's notification freed by B: IllegalOperation, by the root task: IllegalOperation; it still works; freed by A: ok (its capability revoked), again: InvalidArgument\n",
      );
      expect(text).toMatch(/TelOS: MMS: badge 72 may not free handle \d+: badge 71 owns it\n/);
      expect(text).toContain('TelOS: mms-quota: an untyped asked for: IllegalOperation, no capability, 0 bytes held\n');
      expect(text).toContain('TelOS: MMS: badge 71 asked for Untyped memory: the MMS makes objects, never hands out memory\n');
      for (let round = 1; round <= 5; round++)
        expect(text).toContain(
          `TelOS: mms-quota: round ${round}: A got 8 frames (32768 bytes), then NotEnoughMemory; B got one: ok; A freed 8, holds 0 bytes\n`,
        );
      expect(text).toContain('TelOS: MMS: badge 71 is over its quota (32768 of 32768 bytes held, frame of 4096 asked)\n');
      expect(text).toContain('TelOS: mms-quota: a badge without a quota: NotEnoughMemory\n');
      expect(text).toContain('TelOS: mms-quota test passed (5 of 5 rounds)\n');
    }, 150_000);
  });
}
