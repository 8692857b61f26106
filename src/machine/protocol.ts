// Messages between the IDE and the machine worker. The worker owns v86, the kernel disk
// and the serial lines; the IDE sends requests (each answered once, by id) and receives
// events (power state, console output). Plain structured-clone data only.

export type PowerState =
  | 'off'
  | 'booting'
  | 'running'
  | 'stopping'
  | 'suspending'
  /** Off, with a saved state to resume from. */
  | 'suspended'
  | 'resuming';

export interface MachineStatus {
  state: PowerState;
  /** Image whose disk this machine runs on. */
  image: string;
  /** Milliseconds the machine had run before `since` (carried over a suspend). */
  uptimeBaseMs: number;
  /** Date.now() when it started running this time; null when not running. */
  since: number | null;
  /** A line about the last power action (shown under the buttons). */
  note: string;
}

/** A kernel object as the IDE shows it. */
export interface KernelObjectView {
  oid: number;
  /** Transaction that last wrote it (known from the disk, not over the bridge). */
  tid?: number;
  fields: Record<string, string>;
  size: number;
}

export interface KernelObjectsView {
  /** Where the objects came from: the disk of a machine that is off, the disk of a running
   * one, or the running PS and PMS over the COM2 bridge. */
  source: 'disk' | 'live' | 'bridge';
  disk: 'ok' | 'empty' | 'damaged';
  /** What the disk reader found wrong (damaged superblock, torn tail). */
  problem?: string;
  generation?: number;
  transactions: number;
  /** Objects with `key=value` contents (the kernel's object graph). */
  objects: KernelObjectView[];
  /** Binary objects (chunks of program images), counted but not listed. */
  binaryObjects: number;
}

export type MachineRequest =
  | { op: 'attach'; image: string }
  | { op: 'boot' }
  | { op: 'shutdown' }
  | { op: 'powerOff' }
  | { op: 'reset' }
  | { op: 'suspend' }
  | { op: 'resume' }
  | { op: 'kernelObjects' }
  | { op: 'spawn'; name: string };

export type MachineReply =
  | { ok: true; value?: unknown }
  | { ok: false; error: string };

export type MachineEvent =
  | { type: 'status'; status: MachineStatus }
  | { type: 'console'; data: string }
  | { type: 'console-reset'; data: string };

/** UI → worker. `input` is fire-and-forget (typing). */
export type ToMachineWorker = { id: number; request: MachineRequest } | { input: string };

/** Worker → UI. */
export type FromMachineWorker = { id: number; reply: MachineReply } | { event: MachineEvent };
