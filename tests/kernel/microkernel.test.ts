// The TelOS microkernel, exercised from user space: each scenario boots the real ELF with
// `test=NAME` on the multiboot command line, on v86 and on QEMU, and reads COM1.
import { afterEach, describe, expect, it } from 'vitest';
import { comparableTranscript, emulators, expectInOrder, qemuEmulator, qemuRequired, v86Emulator, type BootedPC } from './emulators';

let running: BootedPC[] = [];
afterEach(async () => {
  await Promise.all(running.map((pc) => pc.powerOff()));
  running = [];
});

async function runTest(emulator: (typeof emulators)[number], name: string, timeoutMs = 60_000): Promise<string> {
  const pc = await emulator.boot(`test=${name}`);
  running.push(pc);
  await pc.waitForText('TelOS: test finished', timeoutMs);
  const text = pc.console();
  expect(text).not.toMatch(/kernel panic|FAILED|did not fault/);
  return text;
}

const faultKinds = [
  ['page-fault', /killed: page fault at 00100000/],
  ['gen-protection', /killed: general protection \(vector 13/],
  ['invalid-opcode', /killed: invalid opcode \(vector 6/],
  ['divide-error', /killed: divide error \(vector 0/],
  ['bad-syscall', /killed: unknown syscall 99/],
  ['empty-cap', /killed: capability fault: empty or wrong capability \(cptr 4d/],
  ['wrong-rights', /killed: capability fault: missing right \(cptr a/],
  ['forged-cptr', /killed: capability fault: capability index out of range \(cptr 7ffffff0/],
] as const;

for (const emulator of emulators) {
  describe.skipIf(!emulator.available)(`microkernel on ${emulator.name}`, () => {
    it('boots through the kernel into the root task, in order', async () => {
      const pc = await emulator.boot('test=boot');
      running.push(pc);
      await pc.waitForText('nothing more to do');
      expectInOrder(pc.console(), [
        'TelOS: kernel booting',
        'TelOS: multiboot memory map:',
        'TelOS: GDT, TSS, IDT, paging and timer ready',
        /TelOS: root task: \d+ untyped capabilities, \d+ KiB free, 8 programs embedded/,
        'TelOS: entering user mode',
        'TelOS: Root task alive and well.',
      ]);
    });

    it('ping-pongs IPC with badges and reply capabilities between address spaces', async () => {
      const text = await runTest(emulator, 'ipc');
      expect(text).toContain('TelOS: echo server: first call from badge 11');
      expect(text).toContain('TelOS: echo server: first call from badge 22');
      expect(text).toContain('TelOS: client badge 11: 100/100 calls answered correctly, long message ok');
      expect(text).toContain('TelOS: client badge 22: 100/100 calls answered correctly, long message ok');
      expect(text).toContain('TelOS: ipc test passed');
    });

    it('makes reply capabilities single-use, gone with a suspended caller or a new receive', async () => {
      const text = await runTest(emulator, 'replycap');
      expectInOrder(text, [
        'TelOS: caller 1: reply label 5', // the second Reply (label 6) went nowhere
        'TelOS: caller 2: reply label 0', // suspended while waiting: the reply (label 7) never arrived
        'TelOS: caller 4: reply label 8',
        'TelOS: replycap: reply went to caller 4',
        'TelOS: replycap test finished',
      ]);
      expect(text).not.toContain('TelOS: caller 3:');
      expect(text).not.toMatch(/reply label [67]/);
    });

    it('transfers a capability only through an endpoint capability with Grant', async () => {
      const text = await runTest(emulator, 'transfer');
      expectInOrder(text, [
        'TelOS: receiver: message 1 carried 0 capability',
        'TelOS: receiver: message 2 carried 1 capability',
        'TelOS: capability transfer: without grant 0, with grant 1, notification badge 5a',
        'TelOS: transfer test passed',
      ]);
    });

    it('revokes every derived capability, including one held by another process', async () => {
      const text = await runTest(emulator, 'revoke');
      expectInOrder(text, [
        "TelOS: the revokee's minted copy works: message from badge 77",
        'TelOS: revoke removed derived capabilities: 2 of 2 in our CNode, original kept',
        "TelOS: the other process's copy is gone too: its send raised fault 1 on cptr a",
        'TelOS: untyped revoke: 32 TCBs, then NotEnoughMemory, revoked, then 32 TCBs again',
        'TelOS: revoke test passed',
      ]);
    });

    it('lets a driver thread use the ports its IOPort capability covers directly, and no other thread', async () => {
      const text = await runTest(emulator, 'ioports');
      expectInOrder(text, [
        'TelOS: ioports: a thread without the capability: general protection fault',
'TelOS: ioports: bound: reads the port directly',
        'TelOS: ioports: after the capability was deleted: general protection fault',
'TelOS: ioports: bound: reads the port directly',
        'TelOS: ioports: after the capability was revoked: general protection fault',
        'TelOS: ioports: binding a range with kernel ports: RangeError',
        'TelOS: ioports test passed',
      ]);
    });

    it('frees a CNode holding a capability to itself, and a chain of CNodes nested 40 deep', async () => {
      const text = await runTest(emulator, 'cnode-gc');
      expectInOrder(text, [
        'TelOS: cnode-gc: a CNode holding a capability to itself: memory whole again after its last outside cap went',
        'TelOS: cnode-gc: a chain of 40 CNodes: memory whole again after deleting the first',
        'TelOS: cnode-gc test passed',
      ]);
    });

    it('reports untyped exhaustion as an error, not a panic', async () => {
      const text = await runTest(emulator, 'exhaust');
      expect(text).toContain('TelOS: untyped exhausted after 8 TCBs: NotEnoughMemory');
      expect(text).toContain('TelOS: oversized object: NotEnoughMemory; occupied slot: DeleteFirst; bad type: InvalidArgument');
      expect(text).toContain('TelOS: exhaust test passed');
    });

    it('confines every kind of user fault to the offending thread while another keeps printing', async () => {
      const text = await runTest(emulator, 'faults');
      const order: (string | RegExp)[] = [];
      for (const [name, killed] of faultKinds) {
        order.push(new RegExp(`TelOS: thread '${name}' ${killed.source.replace(/^killed: /, 'killed: ')}`));
        order.push(new RegExp(`TelOS: ticker: still running \\(tick \\d+\\)`));
        order.push(`TelOS: after ${name} fault the system still runs`);
      }
      order.push(/TelOS: fault handler got label 4 from badge f1: address 100000/);
      order.push('TelOS: faults test passed');
      expectInOrder(text, order);
    });

    it('survives a hostile program throwing random syscalls and arguments', async () => {
      const text = await runTest(emulator, 'hostile', 90_000);
      expect(text).toMatch(/TelOS: hostile program: \d+ random syscalls, \d+ faults/);
      expect(text).toContain('TelOS: ipc test passed');
      expect(text).toContain('TelOS: hostile test passed: the kernel survived');
    });
  });
}

describe('QEMU', () => {
  it.runIf(qemuRequired)('is installed when running in CI', () => {
    expect(qemuEmulator.available, 'qemu-system-i386 is missing: .ci/run should apt-get install qemu-system-x86').toBe(true);
  });
});

describe.skipIf(!qemuEmulator.available)('v86 and QEMU', () => {
  it('print the same transcript for the same test', async () => {
    const [a, b] = await Promise.all([runTest(v86Emulator, 'ipc'), runTest(qemuEmulator, 'ipc')]);
    expect(comparableTranscript(b)).toEqual(comparableTranscript(a));
  });
});
