// The Machine's host-neutral core: one v86 PC booting a TelOS multiboot kernel with no
// BIOS. It knows nothing of Node or the browser; an adapter supplies the V86 constructor,
// the wasm location and the kernel bytes. Serial lines are COM1 (console) and COM2
// (IDE bridge), collected as bytes; tests and the IDE wait on them and write to them.

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
}

export type SerialLineId = 0 | 1;

/** Bytes seen on one serial line, with waiters for text. */
export class SerialLine {
  private readonly chunks: number[] = [];
  private textCache = '';
  private cachedLength = 0;
  private readonly listeners = new Set<() => void>();
  private readonly byteListeners = new Set<(byte: number) => void>();

  /** Called by the core for each byte the guest writes. */
  push(byte: number): void {
    this.chunks.push(byte);
    for (const l of this.byteListeners) l(byte);
    for (const l of this.listeners) l();
  }

  get length(): number {
    return this.chunks.length;
  }

  bytes(from = 0): Uint8Array {
    return Uint8Array.from(this.chunks.slice(from));
  }

  /** Everything received so far as text (Latin-1, CR removed so lines compare simply). */
  text(): string {
    if (this.cachedLength !== this.chunks.length) {
      let add = '';
      for (let i = this.cachedLength; i < this.chunks.length; i++) {
        const b = this.chunks[i]!;
        if (b !== 13) add += String.fromCharCode(b);
      }
      this.textCache += add;
      this.cachedLength = this.chunks.length;
    }
    return this.textCache;
  }

  onByte(listener: (byte: number) => void): () => void {
    this.byteListeners.add(listener);
    return () => this.byteListeners.delete(listener);
  }

  /** Resolves with the text so far once `pattern` appears at or after `fromIndex`. */
  waitFor(pattern: string | RegExp, timeoutMs: number, fromIndex = 0, describe = 'serial line'): Promise<string> {
    const found = (): boolean => {
      const t = this.text().slice(fromIndex);
      return typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t);
    };
    if (found()) return Promise.resolve(this.text());
    return new Promise((resolve, reject) => {
      const check = () => {
        if (found()) {
          cleanup();
          resolve(this.text());
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        const tail = this.text().slice(-600);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${String(pattern)} on ${describe}; last output:\n${tail}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }
}

/** A running (or stopped) TelOS PC. */
export class Machine {
  readonly com1 = new SerialLine();
  readonly com2 = new SerialLine();
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
   * Calls `listener` after each completed disk write command, with the byte offset and
   * the sector count; the disk buffer already holds the data. A copy of the buffer taken
   * here is exactly the disk a power cut right after that write would leave.
   */
  onDiskWrite(listener: (byteOffset: number, sectors: number) => void): () => void {
    const handler = ((args: [number, number, number]) => listener(args[1], args[2])) as (arg: never) => void;
    this.emulator.add_listener('ide-write-end', handler);
    return () => this.emulator.remove_listener('ide-write-end', handler);
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
