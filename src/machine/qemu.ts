// Runs the same TelOS ELF under QEMU (qemu-system-i386 -kernel), COM1 on stdio, for the
// kernel tests' second emulator. Node only. COM1 bytes land in a SerialLine just as v86's
// do, so tests read both emulators the same way.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { SerialLine } from './emulator';
import { builtImagePath } from './node';

export const QEMU_BINARY = 'qemu-system-i386';

/** True when qemu-system-i386 can be run here. */
export function qemuAvailable(): boolean {
  const r = spawnSync(QEMU_BINARY, ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

export interface QemuOptions {
  kernelPath?: string;
  cmdline?: string;
  memoryMiB?: number;
  /** A raw disk image file for the primary IDE master. */
  diskPath?: string;
}

export class QemuMachine {
  readonly com1 = new SerialLine();
  private readonly child: ChildProcess;
  private exited = false;
  private readonly stderr: string[] = [];

  private constructor(child: ChildProcess) {
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const b of chunk) this.com1.push(b);
    });
    child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    child.on('exit', () => {
      this.exited = true;
    });
  }

  static boot(options: QemuOptions = {}): QemuMachine {
    const args = [
      '-kernel', options.kernelPath ?? builtImagePath('telos.elf'),
      '-append', options.cmdline ?? '',
      '-m', String(options.memoryMiB ?? 64),
      '-serial', 'stdio',
      '-display', 'none',
      '-monitor', 'none',
      '-no-reboot',
    ];
    if (options.diskPath) args.push('-drive', `file=${options.diskPath},format=raw,if=ide,index=0`);
    return new QemuMachine(spawn(QEMU_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  waitForText(pattern: string | RegExp, timeoutMs = 20_000, fromIndex = 0): Promise<string> {
    return this.com1.waitFor(pattern, timeoutMs, fromIndex, `COM1 (QEMU${this.exited ? ', exited: ' + this.stderr.join('') : ''})`);
  }

  /** Pulls the plug: kills the QEMU process. */
  async powerOff(): Promise<void> {
    if (this.exited) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}
