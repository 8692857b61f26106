// Runs the same TelOS ELF under QEMU (qemu-system-i386 -kernel), COM1 on stdio, for the
// kernel tests' second emulator. Node only. COM1 bytes land in a SerialLine just as v86's
// do, so tests read both emulators the same way. With `com2`, QEMU's second UART is a TCP
// client of a server this process opens on loopback (an ephemeral port, one connection,
// made before the guest runs), so nothing the guest sends on COM2 is lost.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { SerialLine, type SerialLineId } from '../../src/machine';
import { defaultKernelPath } from '../../src/machine/node';

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
  /** A raw disk image file for the primary IDE slave (TelOS's disk 1). */
  disk2Path?: string;
}

export interface QemuStartOptions extends QemuOptions {
  /** Connect COM2 (the bridge line) to this process. */
  com2?: boolean;
}

export class QemuMachine {
  readonly com1 = new SerialLine();
  readonly com2 = new SerialLine();
  private readonly child: ChildProcess;
  private com2Socket: Socket | undefined;
  private exited = false;
  /** The exit status once QEMU has ended (isa-debug-exit makes it the guest's code*2+1). */
  readonly exitStatus: Promise<number | null>;
  private readonly stderr: string[] = [];

  private constructor(child: ChildProcess) {
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const b of chunk) this.com1.push(b);
    });
    child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    child.stdin!.on('error', () => {}); // QEMU gone: nothing more to type
    this.exitStatus = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.on('exit', () => {
      this.exited = true;
    });
  }

  static boot(options: QemuOptions = {}): QemuMachine {
    return new QemuMachine(spawn(QEMU_BINARY, QemuMachine.args(options), { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** Boots with COM2 connected as well (see the file comment). */
  static async start(options: QemuStartOptions = {}): Promise<QemuMachine> {
    if (!options.com2) return QemuMachine.boot(options);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as { port: number }).port;
    const connected = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const args = [...QemuMachine.args(options), '-serial', `tcp:127.0.0.1:${port}`];
    const m = new QemuMachine(spawn(QEMU_BINARY, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    const exited = new Promise<never>((_, reject) =>
      m.child.once('exit', () => reject(new Error(`QEMU exited before connecting COM2: ${m.stderr.join('')}`))),
    );
    try {
      const socket = await Promise.race([connected, exited]);
      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => {
        for (const b of chunk) m.com2.push(b);
      });
      socket.on('error', () => {}); // the far end goes away when QEMU is killed
      m.com2Socket = socket;
    } catch (e) {
      await m.powerOff();
      throw e;
    } finally {
      server.close();
    }
    return m;
  }

  private static args(options: QemuOptions): string[] {
    const args = [
      '-kernel', options.kernelPath ?? defaultKernelPath(),
      '-append', options.cmdline ?? '',
      '-m', String(options.memoryMiB ?? 64),
      '-serial', 'stdio',
      '-display', 'none',
      '-monitor', 'none',
      '-no-reboot',
      // The kernel's halt syscall ends the run through this port (TELOS_SYS_DEBUG_EXIT).
      '-device', 'isa-debug-exit,iobase=0x501,iosize=0x01',
    ];
    // cache=unsafe: a power cut is QEMU killed, and the host keeps all it wrote either way;
    // honouring every CACHE FLUSH with an fsync would only make the PS's commits slow here.
    if (options.diskPath) args.push('-drive', `file=${options.diskPath},format=raw,if=ide,index=0,cache=unsafe`);
    if (options.disk2Path) args.push('-drive', `file=${options.disk2Path},format=raw,if=ide,index=1,cache=unsafe`);
    return args;
  }

  line(id: SerialLineId): SerialLine {
    return id === 0 ? this.com1 : this.com2;
  }

  /** Bytes to the guest: COM1 through QEMU's stdin, COM2 through the loopback socket. */
  send(line: SerialLineId, data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    if (line === 0) this.child.stdin!.write(bytes);
    else if (this.com2Socket) this.com2Socket.write(bytes);
    else throw new Error('COM2 is not connected: start QEMU with { com2: true }');
  }

  /** The same call as Machine.waitForText (line first). */
  waitForLine(line: SerialLineId, pattern: string | RegExp, timeoutMs = 20_000, fromIndex = 0): Promise<string> {
    return this.line(line).waitFor(pattern, timeoutMs, fromIndex, `COM${line + 1} (QEMU${this.exited ? ', exited: ' + this.stderr.join('') : ''})`);
  }

  waitForText(pattern: string | RegExp, timeoutMs = 20_000, fromIndex = 0): Promise<string> {
    return this.com1.waitFor(pattern, timeoutMs, fromIndex, `COM1 (QEMU${this.exited ? ', exited: ' + this.stderr.join('') : ''})`);
  }

  /** Pulls the plug: kills the QEMU process. */
  async powerOff(): Promise<void> {
    this.com2Socket?.destroy();
    this.child.stdin?.destroy();
    if (this.exited) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}
