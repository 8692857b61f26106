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
    // Catches: a root task or server that starts out of order, or a CreateProcess not recorded in one PS
    // transaction.
    it('starts PS, MMS and PMS in sequence and creates test_proc through the PMS inside a PS transaction', async () => {
      // mmslog=1: the MMS says which allocations it granted (quiet without it).
      const pc = await emulator.boot('mmslog=1');
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
        /TelOS: genesis: \d+ objects \(the kernel prototypes, traits and servers, test_proc's image in \d+ chunks\) committed/,
        'TelOS: root task: asking the PMS to create test_proc',
        'TelOS: PMS: CreateProcess(image 21, caps 0): began transaction with the PS',
        'TelOS: MMS: allocation request from badge 2: CNode -> granted',
        'TelOS: MMS: allocation request from badge 2: TCB -> granted',
        'TelOS: PS: PMS put 1 object: staged',
        /TelOS: PS: PMS transaction committed as tid 2/,
        'TelOS: PMS: test_proc recorded as object 20 in transaction 2; starting it',
        'TelOS: test_proc alive.',
      ]);
    });

    // Catches: a CreateProcess that fails half-way and leaves objects in the PS or memory allocated in the
    // MMS.
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

    // Catches: a server that acknowledges or crashes on a message breaking its protocol
    // (unknown or privileged operations from a client, another client's transaction, bad
    // oids and lengths, impossible object types, handles never given, missing images), or
    // that changes its store, its processes or anyone's capabilities in answering one.
    // The fuzzer (user/ktest/fuzzipc.c) knows the answer each message must get: 20,000
    // messages per CI run, the bulk on QEMU.
    it('answers every malformed IPC message with the error its protocol names, changing nothing', async () => {
      const count = Number(process.env.FUZZ_COUNT_OVERRIDE) || (emulator.name === 'qemu' ? 16_000 : 4_000);
      const pc = await emulator.boot(`test=malformed count=${count}`);
      running.push(pc);
      const text = await pc.waitForText(/malformed test (passed|FAILED)/, emulator.name === 'qemu' ? 240_000 : 180_000);
      for (const server of ['PS', 'MMS', 'PMS']) {
        const m = text.match(new RegExp(`TelOS: malformed: ${server}: (\\d+) messages, (\\d+) answered as the protocol says`));
        expect(m, `${server} counts`).not.toBeNull();
        expect(Number(m![1])).toBeGreaterThanOrEqual(count / 10);
        expect(Number(m![2])).toBe(Number(m![1]));
      }
      expect(text).toContain(`TelOS: malformed: ${count} messages, 0 violations; the servers still serve`);
      expect(text).toContain('TelOS: malformed test passed');
      expect(text).not.toMatch(/killed|panic/);
      console.log(`${emulator.name}: ${text.match(/TelOS: malformed: \d+ messages, \d+ violations/)![0]}`);
    }, 300_000);
  });
}
