// The Machine's browser adapter: v86 and its wasm come from the bundle (Vite's `?url`),
// the kernel ELF is fetched from the build, and the host-neutral core boots it. Runs in
// the machine worker. Beyond the core it reaches the v86 instance for what the core does
// not cover: save_state/restore_state (suspend, resume) and the live disk buffer, which
// restore_state replaces with a copy of the one in the saved state.
import { V86 } from 'v86';
import wasmUrl from 'v86/build/v86.wasm?url';
import kernelUrl from '../../images/build/telos.elf?url';
import { Machine } from './emulator';
import { capturingV86, liveDisk } from './v86-state';

let kernelBytes: Promise<ArrayBuffer> | null = null;

/** The built TelOS kernel (fetched once per worker). */
export function loadKernel(): Promise<ArrayBuffer> {
  kernelBytes ??= fetch(kernelUrl).then(async (r) => {
    if (!r.ok) throw new Error(`the kernel image could not be loaded (${r.status} ${r.statusText} for ${kernelUrl}); run \`npm run kernel\``);
    return r.arrayBuffer();
  });
  return kernelBytes;
}

/** A booted machine and the v86 instance under it. */
export interface BrowserMachine {
  machine: Machine;
  /** v86's saved state (includes the disk). */
  saveState(): Promise<ArrayBuffer>;
  /** The disk buffer the guest writes now (after a restore, not the one passed in). */
  liveDisk(): ArrayBuffer;
  /** The same for hdb (undefined when the machine was made without one). */
  liveHdb(): ArrayBuffer | undefined;
  /** Calls `listener` after each disk write of the guest (to either disk: v86 says which
   * channel, not which drive). */
  onDiskWrite(listener: () => void): void;
}

export interface BrowserBootOptions {
  disk: ArrayBuffer;
  /** The file-system disk (hdb), primary slave. */
  hdb?: ArrayBuffer;
  cmdline?: string;
  memoryMiB?: number;
  /** A saved state to continue from instead of booting the kernel afresh. */
  state?: ArrayBuffer;
}

/** Boots (or, with `state`, resumes) a TelOS PC in this worker. */
export async function bootInBrowser(options: BrowserBootOptions): Promise<BrowserMachine> {
  const kernel = await loadKernel();
  const capture = capturingV86(V86 as unknown as new (options: never) => unknown, options.state);
  const machine = await Machine.boot({
    V86: capture.V86,
    wasmPath: wasmUrl,
    kernel,
    disk: options.disk,
    ...(options.hdb ? { disk2: options.hdb } : {}),
    // The worker reads both lines through listeners (the console tail is the session's,
    // COM2 feeds the bridge client), so the lines keep nothing themselves.
    serialTailBytes: 0,
    ...(options.cmdline !== undefined ? { cmdline: options.cmdline } : {}),
    ...(options.memoryMiB !== undefined ? { memoryMiB: options.memoryMiB } : {}),
  });
  const emu = capture.instance();
  return {
    machine,
    saveState: () => emu.save_state(),
    liveDisk: () => liveDisk(emu, options.disk),
    liveHdb: () => (options.hdb ? liveDisk(emu, options.hdb, 'slave') : undefined),
    onDiskWrite: (listener) => emu.add_listener('ide-write-end', listener as (arg: never) => void),
  };
}
