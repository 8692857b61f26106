// The two emulators the kernel tests run on, behind one small interface: boot the ELF with
// a command line, wait for COM1 text, power off. Tests that need a disk and both serial
// lines use bootWithDisk: v86 keeps the disk in an ArrayBuffer, QEMU in a file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerialLine, SerialLineId } from '../../src/machine';
import { bootMachine } from '../../src/machine/node';
import { QemuMachine, qemuAvailable } from './qemu';

export interface BootedPC {
  waitForText(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  console(): string;
  powerOff(): Promise<void>;
  /** QEMU only: its exit status once the guest ended the run (the halt syscall). */
  exitStatus?: Promise<number | null>;
}

export interface BootOptions {
  /** RAM in MiB (64 unless given). */
  memoryMiB?: number;
}

export interface Emulator {
  name: 'v86' | 'qemu';
  available: boolean;
  boot(cmdline: string, options?: BootOptions): Promise<BootedPC>;
}

export const v86Emulator: Emulator = {
  name: 'v86',
  available: true,
  async boot(cmdline, options = {}) {
    const m = await bootMachine({ cmdline, memoryMiB: options.memoryMiB });
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
  async boot(cmdline, options = {}) {
    const m = QemuMachine.boot({ cmdline, memoryMiB: options.memoryMiB });
    return {
      waitForText: (p, t = 30_000) => m.waitForText(p, t),
      console: () => m.com1.text(),
      powerOff: () => m.powerOff(),
      exitStatus: m.exitStatus,
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

/** A PC with a disk and both serial lines, the same on either emulator. */
export interface SerialPC {
  com1: SerialLine;
  com2: SerialLine;
  send(line: SerialLineId, data: string | Uint8Array): void;
  waitForText(line: SerialLineId, pattern: string | RegExp, timeoutMs?: number, fromIndex?: number): Promise<string>;
  powerOff(): Promise<void>;
}

/** A disk for one emulator: an ArrayBuffer for v86, a raw image file for QEMU. */
export interface TestDisk {
  buffer?: ArrayBuffer;
  path?: string;
  /** The disk's current bytes (a copy for QEMU). */
  bytes(): Uint8Array;
  /** Replaces the disk's bytes (between boots). */
  write(bytes: Uint8Array): void;
}

export function newDisk(emulator: Emulator, size: number): TestDisk {
  if (emulator.name === 'v86') {
    const buffer = new ArrayBuffer(size);
    return { buffer, bytes: () => new Uint8Array(buffer), write: (b) => new Uint8Array(buffer).set(b) };
  }
  const path = join(mkdtempSync(join(tmpdir(), 'telos-disk-')), 'disk.img');
  writeFileSync(path, new Uint8Array(size));
  return { path, bytes: () => new Uint8Array(readFileSync(path)), write: (b) => writeFileSync(path, b) };
}

/** `disk2`, when given, is the primary slave (TelOS's disk 1). */
export async function bootWithDisk(emulator: Emulator, disk: TestDisk, cmdline = '', disk2?: TestDisk): Promise<SerialPC> {
  if (emulator.name === 'v86') return bootMachine({ cmdline, disk: disk.buffer!, disk2: disk2?.buffer });
  const m = await QemuMachine.start({ cmdline, diskPath: disk.path!, disk2Path: disk2?.path, com2: true });
  return {
    com1: m.com1,
    com2: m.com2,
    send: (line, data) => m.send(line, data),
    waitForText: (line, pattern, timeoutMs = 30_000, fromIndex = 0) => m.waitForLine(line, pattern, timeoutMs, fromIndex),
    powerOff: () => m.powerOff(),
  };
}
