// What crosses the boundary between the page and the machine worker, declared once: the
// worker's API (answered through ../rpc.ts), the views it answers with, and the events it
// pushes (power state, console output). The worker owns v86, the kernel disk and the serial
// lines. Plain structured-clone data only. (A kernel object's view is declared beside its
// reader in src/machine and re-exported here.)
import type { BridgeFileEntry, KernelObjectView, KernelValue, KernelWorldObject } from '../../machine';

export type { KernelObjectView, KernelSlotView, KernelValue, KernelWorldObject } from '../../machine';
/** One entry of a directory of the running TelOS's file tree. */
export type FileEntryView = BridgeFileEntry;
/** The sizes the page offers for a new file-system disk (plain numbers). */
export { DEFAULT_HDB_BYTES, HDB_SIZES_MIB } from '../../machine';

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
  /** Whether everything the guest wrote to its disk is stored in the image (false while
   * written sectors wait for the next flush). */
  diskSaved?: boolean;
  /** Size of the file-system disk (hdb, /disk in TelOS); absent until the first boot that
   * makes it. */
  hdbBytes?: number | undefined;
  /** Whether TelOS's bridge serves requests yet (files, kernel objects over COM2): it
   * turns true during a boot, a while after `state` is running. */
  bridgeReady?: boolean;
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
  /** The typed objects of the kernel's object graph. */
  objects: KernelObjectView[];
  /** Blobs (chunks of program images), counted but not listed. */
  binaryObjects: number;
}

/**
 * The machine worker's API. Power actions and queries run one at a time, in order; typing
 * goes to COM1 at once, even while a power action runs. A refused action rejects with a
 * reason a person can read.
 */
export interface MachineApi {
  /** Attaches the machine to an image's disk and suspended state (powering off another). */
  attach(image: string): MachineStatus;
  /** Boots afresh. `hdbBytes` sizes the file-system disk when the image has none yet
   * (default 16 MiB); an existing one keeps its size. */
  boot(hdbBytes?: number): string;
  /** Lets the PS finish what it serves, then stops and writes the disk back. */
  shutdown(): string;
  /** Unclean: the kernel is not told. */
  powerOff(): string;
  /** A new emulator on the same disk. */
  reset(): string;
  suspend(): string;
  resume(): string;
  kernelObjects(): KernelObjectsView;
  /** Asks the PMS for a new process running the named program image. */
  spawn(name: string): string;
  /**
   * The kernel's objects as World objects (`kernel:N`): live over the bridge while the
   * Machine runs, else the last values on its disk, each marked stale.
   */
  kernelWorld(): KernelWorldObject[];
  kernelObject(oid: number): KernelWorldObject | null;
  /** `PMS spawn: name`: the new process's object. Off: rejects with MachineNotRunning. */
  kernelSpawn(name: string): KernelWorldObject;
  kernelTerminate(oid: number): KernelWorldObject;
  /** A kernel object's data slot set in one PS transaction: the tid. Off: MachineNotRunning. */
  kernelSetSlot(oid: number, slot: string, value: KernelValue): number;
  /** The entries of a directory of the running TelOS's file tree (/disk, /tmp, /image),
   * over the bridge's read-only file-system session. Off: refused with a reason. */
  listFiles(path: string): BridgeFileEntry[];
  /** A whole file of that tree (at most `options.maxBytes`, default 64 MiB; a bigger one is
   * refused with a FileTooLarge error carrying its `size`). With a `readId`, a file-progress
   * event follows each frame read, and cancelRead(readId) ends the read between frames. */
  readFile(path: string, options?: ReadFileOptions): Uint8Array;
  /** Ends the read `readId` before its next frame (it rejects with ReadCancelled); answered
   * at once, not queued behind the read. */
  cancelRead(readId: number): void;
  /** Writes `bytes` as the file `path` (under /tmp or /disk), replacing what it held; the
   * call's progress is an UploadProgress after each frame, and cancelling the call ends the
   * write between frames (rejected with WriteCancelled; the partial file is removed). A
   * refusal rejects with the bridge's reason (code EREAD_ONLY under /image and "/"). */
  writeFile(path: string, bytes: Uint8Array): null;
  /** A new, empty directory `path` (under /tmp or /disk); a refusal rejects with the bridge's reason. */
  makeDirectory(path: string): null;
  /** Removes the file or empty directory `path` (under /tmp or /disk); a directory that is
   * not empty, or anything under /image, is refused with the bridge's reason. */
  removeFile(path: string): null;
  /** Bytes typed to COM1 (the monitor shell). */
  type(text: string): void;
  /** The console's kept tail and the absolute offset of its end (a Console window opened
   * later starts from it, then follows the console events past `end`). */
  consoleText(): { text: string; end: number };
}

/** How far a writeFile call has got. */
export interface UploadProgress {
  written: number;
  size: number;
}

export interface ReadFileOptions {
  maxBytes?: number;
  readId?: number;
}

/** `end` is the absolute console offset after `data` (offsets grow across resets). */
export type MachineEvent =
  | { type: 'status'; status: MachineStatus }
  | { type: 'console'; data: string; end: number }
  | { type: 'console-reset'; data: string; end: number }
  /** `read` bytes of `size` of the file read `readId` have arrived. */
  | { type: 'file-progress'; readId: number; read: number; size: number };
