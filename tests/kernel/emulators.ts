// The two emulators the kernel tests run on, behind one small interface: boot the ELF with
// a command line, wait for COM1 text, power off.
import { bootMachine } from '../../src/machine/node';
import { QemuMachine, qemuAvailable } from '../../src/machine/qemu';

export interface BootedPC {
  waitForText(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  console(): string;
  powerOff(): Promise<void>;
}

export interface Emulator {
  name: 'v86' | 'qemu';
  available: boolean;
  boot(cmdline: string): Promise<BootedPC>;
}

export const v86Emulator: Emulator = {
  name: 'v86',
  available: true,
  async boot(cmdline) {
    const m = await bootMachine({ cmdline });
    return {
      waitForText: (p, t = 20_000) => m.waitForText(0, p, t),
      console: () => m.com1.text(),
      powerOff: () => m.powerOff(),
    };
  },
};

const haveQemu = qemuAvailable();
/** In CI the QEMU half must run: a missing qemu-system-i386 is a failure there, not a skip. */
export const qemuRequired = process.env.CI === 'true' || process.env.CI === '1';
if (!haveQemu) {
  console.warn(
    'qemu-system-i386 not found: the QEMU half of the kernel tests is skipped here (CI installs it: apt-get install qemu-system-x86)',
  );
}

export const qemuEmulator: Emulator = {
  name: 'qemu',
  available: haveQemu,
  async boot(cmdline) {
    const m = QemuMachine.boot({ cmdline });
    return {
      waitForText: (p, t = 30_000) => m.waitForText(p, t),
      console: () => m.com1.text(),
      powerOff: () => m.powerOff(),
    };
  },
};

export const emulators = [v86Emulator, qemuEmulator];

/** The COM1 lines of a run, without the loader-dependent ones (memory map, untyped sizes). */
export function comparableTranscript(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('TelOS:'))
    .filter((l) => !/^TelOS: {3}[0-9a-f]{16}-/.test(l) && !l.startsWith('TelOS: root task: ') );
}

/** Asserts `lines` appear in `text` in this order (other lines may come between). */
export function expectInOrder(text: string, lines: (string | RegExp)[]): void {
  let at = 0;
  for (const line of lines) {
    const rest = text.slice(at);
    const m = typeof line === 'string' ? { index: rest.indexOf(line), length: line.length } : (() => {
      const r = rest.match(line);
      return r ? { index: r.index!, length: r[0].length } : { index: -1, length: 0 };
    })();
    if (m.index < 0) {
      throw new Error(`expected ${String(line)} after offset ${at} on COM1; transcript:\n${text}`);
    }
    at += m.index + m.length;
  }
}
