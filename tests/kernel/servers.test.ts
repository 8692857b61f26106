// The primordial servers: the boot of PS, MMS and PMS in the order of the Phase 3 plan
// (validation Stages 1 and 2), CreateProcess that fails part-way leaving no trace, and
// malformed requests to every server.
import { afterEach, describe, expect, it } from 'vitest';
import { emulators, expectInOrder, type BootedPC } from './emulators';

let running: BootedPC[] = [];
afterEach(async () => {
  await Promise.all(running.map((pc) => pc.powerOff()));
  running = [];
});

for (const emulator of emulators) {
  describe.skipIf(!emulator.available)(`servers on ${emulator.name}`, () => {
    it('starts PS, MMS and PMS in sequence and creates test_proc through the PMS inside a PS transaction', async () => {
      const pc = await emulator.boot('');
      running.push(pc);
      await pc.waitForText('TelOS: test_proc alive.', 30_000);
      expectInOrder(pc.console(), [
        'TelOS: Root task alive and well.',
        'TelOS: root task: started the Persistence Server',
        'TelOS: PS: serving',
        'TelOS: root task: started the Memory Management Server',
        /TelOS: root task: delegated untyped memory \((\d+) KiB\) to the MMS/,
        /TelOS: MMS: received untyped grant of \d+ KiB/,
        'TelOS: root task: started the Process Management Server',
        'TelOS: PMS: serving',
        /TelOS: genesis: \d+ objects \(6 kernel objects, test_proc's image in \d+ chunks\) committed/,
        'TelOS: root task: asking the PMS to create test_proc',
        'TelOS: PMS: CreateProcess(image 20, caps 0): began transaction with the PS',
        'TelOS: MMS: allocation request from badge 2: CNode -> granted',
        'TelOS: MMS: allocation request from badge 2: TCB -> granted',
        'TelOS: PS: PMS put 1 object: staged',
        /TelOS: PS: PMS transaction committed as tid 2/,
        'TelOS: PMS: test_proc recorded as object 10 in transaction 2; starting it',
        'TelOS: test_proc alive.',
      ]);
    });

    it('aborts a CreateProcess that fails part-way and leaves no trace', async () => {
      const pc = await emulator.boot('test=pms-abort');
      running.push(pc);
      const text = await pc.waitForText('TelOS: test finished', 60_000);
      expectInOrder(text, [
        /TelOS: PMS: CreateProcess failed \(FailedLookup\): transaction aborted, [1-9]\d* objects freed/,
        'TelOS: pms-abort: CreateProcess answered FailedLookup; no trace left in the PS',
        'TelOS: pms-abort test passed (3/3 processes created afterwards)',
      ]);
    });

    it('answers malformed IPC to every server with errors and keeps serving', async () => {
      const pc = await emulator.boot('test=malformed');
      running.push(pc);
      const text = await pc.waitForText('TelOS: test finished', 60_000);
      for (const server of ['PS', 'MMS', 'PMS']) {
        expect(text).toMatch(new RegExp(`TelOS: malformed: ${server} answered \\d+ of 200 garbage requests with errors`));
      }
      expect(text).toContain('TelOS: malformed test passed');
      expect(text).not.toMatch(/killed|panic/);
    });
  });
}
