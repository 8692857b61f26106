// What the Machine needs of v86 beyond the host-neutral core, shared by the browser adapter
// and its tests: a V86 constructor that keeps the instance it made (and, given a saved
// state, restores it before the CPU first runs), save_state, and the live disk buffers,
// which restore_state replaces with copies of the disks inside the saved state.
import type { V86Constructor, V86Like } from './emulator';

/** The real v86 as this module uses it. */
export interface V86Full extends V86Like {
  save_state(): Promise<ArrayBuffer>;
  restore_state(state: ArrayBuffer): Promise<void>;
  /** v86 internals (these names survive its release build); only read. */
  v86?: { cpu?: { devices?: { ide?: { primary?: { master?: IdeDrive; slave?: IdeDrive } } } } };
}

interface IdeDrive {
  buffer?: { buffer?: unknown };
}

export interface CapturingV86 {
  /** Pass this to Machine.boot as `V86`. */
  V86: V86Constructor;
  /** The instance, once Machine.boot has made it. */
  instance(): V86Full;
}

/** Wraps v86's constructor; with `state`, the first run() restores it before starting. */
export function capturingV86(Real: new (options: never) => unknown, state?: ArrayBuffer): CapturingV86 {
  let made: V86Full | undefined;
  const Capturing = function (options: Record<string, unknown>) {
    const emu = new Real(options as never) as V86Full;
    made = emu;
    if (state) {
      const run = emu.run.bind(emu);
      emu.run = async () => {
        emu.run = run;
        await emu.restore_state(state);
        return run();
      };
    }
    return emu;
  } as unknown as V86Constructor;
  return {
    V86: Capturing,
    instance: () => {
      if (!made) throw new Error('v86 has not been created yet');
      return made;
    },
  };
}

/** The disk buffer the guest writes now: v86's copy after a restore, else `passed`.
 * `drive` is the primary channel's master (hda, the PS's disk) or slave (hdb). */
export function liveDisk(emu: V86Full, passed: ArrayBuffer, drive: 'master' | 'slave' = 'master'): ArrayBuffer {
  const live = emu.v86?.cpu?.devices?.ide?.primary?.[drive]?.buffer?.buffer;
  return live instanceof ArrayBuffer ? live : passed;
}
