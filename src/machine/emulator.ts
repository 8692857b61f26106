// The Machine's host-neutral core: one v86 PC booting a TelOS multiboot kernel with no
// BIOS. It knows nothing of Node or the browser; an adapter supplies the V86 constructor,
// the wasm location and the kernel bytes. Serial lines are COM1 (console) and COM2
// (IDE bridge), bounded tails of what the guest wrote (./serial.ts); tests and the IDE wait
// on them, listen to them and write to them.
import { SerialLine } from './serial';

/** The part of v86's API this core uses (so adapters can pass the real class or a stub). */
export interface V86Like {
  add_listener(event: string, listener: (arg: never) => void): void;
  remove_listener(event: string, listener: (arg: never) => void): void;
  run(): Promise<void>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
  is_running(): boolean;
  get_instruction_counter(): number;
  serial_send_bytes(serial: number, data: Uint8Array): void;
}

export type V86Constructor = new (options: Record<string, unknown>) => V86Like;

export interface MachineConfig {
  /** v86's constructor (from `v86`'s libv86.mjs). */
  V86: V86Constructor;
  /** Where v86.wasm lives: a file path under Node, a URL in the browser. */
  wasmPath: string;
  /** The multiboot ELF to boot. */
  kernel: ArrayBuffer;
  /** Multiboot command line, e.g. `test=ipc`. */
  cmdline?: string;
  /** Guest RAM in MiB (default 64). */
  memoryMiB?: number;
  /** Primary ATA master; the guest writes straight into this buffer. */
  disk?: ArrayBuffer;
  /** Primary ATA slave (hdb, TelOS's disk 1: the block server serves it beside the PS's
   * disk); the guest writes straight into this buffer too. */
  disk2?: ArrayBuffer;
  /** Bytes of each serial line kept for reading back (default 1 MiB; 0 when only listeners
   * read them). */
  serialTailBytes?: number;
}

export type SerialLineId = 0 | 1;

/** A disk command that matters to a power cut (see Machine.onDiskCommand). */
export type DiskCommand = { kind: 'write'; lba: number; sectors: number } | { kind: 'flush' };

/** The part of v86's IDE device the disk-command hook uses. */
interface IdeDevice {
  write_dest: number;
  ata_command(command: number): void;
}

const ATA_FLUSH_CACHE = 0xe7;
const ATA_FLUSH_CACHE_EXT = 0xea;
const flushRegistry = new WeakMap<IdeDevice, Set<() => void>>();

/** Listeners for CACHE FLUSH on one IDE device; the first call wraps its command entry. */
function flushListeners(device: IdeDevice): Set<() => void> {
  let set = flushRegistry.get(device);
  if (set) return set;
  set = new Set();
  flushRegistry.set(device, set);
  // v86 seals its device objects, so the wrapper goes on the (shared) prototype and
  // answers only for devices that have listeners.
  const proto = Object.getPrototypeOf(device) as { ata_command: (this: IdeDevice, c: number) => void; __flushWrapped?: boolean };
  if (!proto.__flushWrapped) {
    const original = proto.ata_command;
    proto.ata_command = function (this: IdeDevice, command: number) {
      if (command === ATA_FLUSH_CACHE || command === ATA_FLUSH_CACHE_EXT) for (const l of flushRegistry.get(this) ?? []) l();
      return original.call(this, command);
    };
    proto.__flushWrapped = true;
  }
  return set;
}

/** A running (or stopped) TelOS PC. */
export class Machine {
  readonly com1: SerialLine;
  readonly com2: SerialLine;
  /** The disk buffer; the same object can be passed to the next boot. */
  readonly disk: ArrayBuffer | undefined;
  private readonly emulator: V86Like;
  private counterHigh = 0;
  private lastCounter = 0;
  private poweredOff = false;
  private readonly ticker: ReturnType<typeof setInterval>;
  private instructionLimit = Infinity;
  private powerOffListeners: Array<() => void> = [];

  private constructor(config: MachineConfig, emulator: V86Like) {
    this.disk = config.disk;
    this.emulator = emulator;
    this.com1 = new SerialLine(config.serialTailBytes);
    this.com2 = new SerialLine(config.serialTailBytes);
    emulator.add_listener('serial0-output-byte', ((b: number) => this.com1.push(b)) as (arg: never) => void);
    emulator.add_listener('serial1-output-byte', ((b: number) => this.com2.push(b)) as (arg: never) => void);
    // v86's counter is 32 bits; sample it often enough to extend it to 53 bits.
    this.ticker = setInterval(() => this.sampleCounter(), 5);
  }

  /** Creates the PC, loads the kernel and starts it; resolves once it runs. */
  static async boot(config: MachineConfig): Promise<Machine> {
    const options: Record<string, unknown> = {
      wasm_path: config.wasmPath,
      memory_size: (config.memoryMiB ?? 64) * 1024 * 1024,
      vga_memory_size: 2 * 1024 * 1024,
      multiboot: { buffer: config.kernel },
      cmdline: config.cmdline ?? '',
      uart1: true,
      autostart: false,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
    };
    if (config.disk) options.hda = { buffer: config.disk };
    if (config.disk2) options.hdb = { buffer: config.disk2 };
    const emulator = new config.V86(options);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('v86 did not finish loading within 30 s')), 30_000);
      emulator.add_listener('emulator-loaded', (() => {
        clearTimeout(timer);
        resolve();
      }) as (arg: never) => void);
    });
    const machine = new Machine(config, emulator);
    await emulator.run();
    return machine;
  }

  /** Guest instructions executed so far (v86's counter, widened past 32 bits). */
  instructions(): number {
    this.sampleCounter();
    return this.counterHigh * 2 ** 32 + this.lastCounter;
  }

  private sampleCounter(checkLimit = true): void {
    if (this.poweredOff) return;
    const now = this.emulator.get_instruction_counter() >>> 0;
    if (now < this.lastCounter) this.counterHigh++;
    this.lastCounter = now;
    if (checkLimit && this.counterHigh * 2 ** 32 + now >= this.instructionLimit) void this.powerOff();
  }

  get running(): boolean {
    return !this.poweredOff && this.emulator.is_running();
  }

  /**
   * Calls `listener` for each disk command that changes what a power cut leaves: a
   * completed write (its first sector and sector count; the disk buffer already holds the
   * data, and v86 writes a whole command at once) and a CACHE FLUSH. A crash-consistency
   * harness replays these to build every disk a cut could leave (tests/kernel/crash/).
   * Reaches into v86's IDE device (primary master), which its API does not offer.
   */
  onDiskCommand(listener: (command: DiskCommand) => void): () => void {
    const master = (this.emulator as unknown as { v86?: { cpu?: { devices?: { ide?: { primary?: { master?: IdeDevice } } } } } }).v86?.cpu?.devices?.ide?.primary?.master;
    if (!master || typeof master.ata_command !== 'function') throw new Error('this v86 build does not expose its IDE device');
    const onWrite = ((args: [number, number, number]) => listener({ kind: 'write', lba: Math.floor(master.write_dest / 512), sectors: args[2] })) as (arg: never) => void;
    this.emulator.add_listener('ide-write-end', onWrite);
    const flushes = flushListeners(master);
    const onFlush = () => listener({ kind: 'flush' });
    flushes.add(onFlush);
    return () => {
      this.emulator.remove_listener('ide-write-end', onWrite);
      flushes.delete(onFlush);
    };
  }

  /** Writes bytes to COM1 (0) or COM2 (1), as if typed on the other end of the cable. */
  send(line: SerialLineId, data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.emulator.serial_send_bytes(line, bytes);
  }

  line(id: SerialLineId): SerialLine {
    return id === 0 ? this.com1 : this.com2;
  }

  /** Waits for text on a line; rejects with the line's tail after `timeoutMs`. */
  waitForText(line: SerialLineId, pattern: string | RegExp, timeoutMs = 10_000, fromIndex = 0): Promise<string> {
    return this.line(line).waitFor(pattern, timeoutMs, fromIndex, line === 0 ? 'COM1' : 'COM2');
  }

  /**
   * Pulls the plug once the guest has run `instructions` instructions (checked between
   * v86's execution slices, so the cut lands within one slice after the count) or after
   * `ms` milliseconds of host time, whichever comes first. Resolves when it is off.
   */
  powerOffAt(limit: { instructions?: number; ms?: number }): Promise<void> {
    if (limit.instructions !== undefined) this.instructionLimit = limit.instructions;
    if (limit.ms !== undefined) setTimeout(() => void this.powerOff(), limit.ms);
    return new Promise((resolve) => {
      if (this.poweredOff) resolve();
      else this.powerOffListeners.push(resolve);
    });
  }

  /** An unclean power-off: the emulator stops where it is; the disk keeps what was written. */
  async powerOff(): Promise<void> {
    if (this.poweredOff) return;
    this.sampleCounter(false);
    this.poweredOff = true;
    clearInterval(this.ticker);
    await this.emulator.stop();
    await this.emulator.destroy();
    for (const l of this.powerOffListeners) l();
    this.powerOffListeners = [];
  }
}
