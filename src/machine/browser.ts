// The Machine's browser adapter: v86 and its wasm come from the bundle (Vite's `?url`),
// the kernel ELF is fetched from the build, and the host-neutral core boots it. Runs in
// the machine worker. Beyond the core it reaches the v86 instance for what the core does
// not cover: save_state/restore_state (suspend, resume) and the live disk buffer, which
// restore_state replaces with a copy of the one in the saved state.
import { V86 } from 'v86';
import wasmUrl from 'v86/build/v86.wasm?url';
import kernelUrl from '../../images/build/telos.elf?url';
import { Machine, type V86Constructor, type V86Like } from './emulator';

/** What the adapter needs of the real v86 beyond the core's V86Like. */
interface V86Full extends V86Like {
  save_state(): Promise<ArrayBuffer>;
  restore_state(state: ArrayBuffer): Promise<void>;
  /** v86 internals (names kept in the release build); only read, never called. */
  v86?: { cpu?: { devices?: { ide?: { primary?: { master?: { buffer?: { buffer?: unknown } } } } } } };
}

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
  /** Calls `listener` after each disk write of the guest. */
  onDiskWrite(listener: () => void): void;
}

export interface BrowserBootOptions {
  disk: ArrayBuffer;
  cmdline?: string;
  memoryMiB?: number;
  /** A saved state to continue from instead of booting the kernel afresh. */
  state?: ArrayBuffer;
}

/** Boots (or, with `state`, resumes) a TelOS PC in this worker. */
export async function bootInBrowser(options: BrowserBootOptions): Promise<BrowserMachine> {
  const kernel = await loadKernel();
  let raw: V86Full | undefined;
  // A constructor that keeps the instance, so the adapter can reach what the core hides.
  // With a saved state, the first run() restores it before the CPU starts.
  const Capturing = function (opts: Record<string, unknown>) {
    const emu = new V86(opts as ConstructorParameters<typeof V86>[0]) as unknown as V86Full;
    raw = emu;
    if (options.state) {
      const state = options.state;
      const run = emu.run.bind(emu);
      emu.run = async () => {
        emu.run = run;
        await emu.restore_state(state);
        return run();
      };
    }
    return emu;
  } as unknown as V86Constructor;
  const machine = await Machine.boot({
    V86: Capturing,
    wasmPath: wasmUrl,
    kernel,
    disk: options.disk,
    ...(options.cmdline !== undefined ? { cmdline: options.cmdline } : {}),
    ...(options.memoryMiB !== undefined ? { memoryMiB: options.memoryMiB } : {}),
  });
  const emu = raw!;
  return {
    machine,
    saveState: () => emu.save_state(),
    liveDisk: () => {
      const live = emu.v86?.cpu?.devices?.ide?.primary?.master?.buffer?.buffer;
      return live instanceof ArrayBuffer ? live : options.disk;
    },
    onDiskWrite: (listener) => emu.add_listener('ide-write-end', listener as (arg: never) => void),
  };
}
