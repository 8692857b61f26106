// The machine worker's session: one TelOS PC (v86, the kernel disk buffer, the serial
// lines) attached to an image. It answers the MachineApi — power actions (boot, shut down,
// power off, reset, suspend, resume), kernel-object queries, spawn, typing for COM1 — and
// pushes console output and power state as events. Both disks — the PS's (hda) and the
// file system's (hdb, /disk in TelOS) — live in the image's machine database
// (src/machine/disk-store.ts) and are written back while the machine runs and whenever it
// stops.
import { bootInBrowser, type BrowserMachine } from '../../machine/browser';
import { BridgeClient, DEFAULT_HDB_BYTES, DiskStore, DiskTracker, KernelImage, TextTail, kernelObjectViews, readPsDisk, type KernelValue, type SuspendedMachine } from '../../machine';
import type { CallContext } from '../rpc';
import type { KernelObjectsView, MachineApi, MachineEvent, MachineStatus, ReadFileOptions, UploadProgress } from './protocol';

/** How often written disk chunks go back to IndexedDB while the machine runs. */
const FLUSH_INTERVAL_MS = 500;
/** How much console text a suspended machine keeps for the terminal to continue. */
const CONSOLE_TAIL = 64 * 1024;

/** The bridge server says this on COM1 once it serves frames on COM2. */
const BRIDGE_READY = 'TelOS: bridge: serving frames on COM2';

/** One machine attached to one image at a time; `emit` pushes events to the page. */
export class MachineSession {
  constructor(private readonly emit: (event: MachineEvent) => void) {}

  private store: DiskStore | null = null;
  private status: MachineStatus = { state: 'off', image: '', uptimeBaseMs: 0, since: null, note: '' };
  private current: {
    pc: BrowserMachine;
    tracker: DiskTracker;
    /** Follows hdb (absent when a state saved before hdb existed was resumed). */
    hdbTracker: DiskTracker | null;
    bridge: BridgeClient;
    unsubscribe: () => void;
  } | null = null;
  private flushTimer: ReturnType<typeof setInterval> | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** The console: the one place COM1's text is kept on this side (its tail, for a Console
   * window opened later and for a suspend), with absolute offsets the page follows. */
  private readonly console = new TextTail(CONSOLE_TAIL);
  /** Reads the page asked to end (see cancelRead). */
  private readonly cancelledReads = new Set<number>();
  /** Text not yet sent to the page (sent about once a frame). */
  private pendingConsole = '';
  private consoleTimer: ReturnType<typeof setTimeout> | null = null;
  /** The bridge server said it serves frames (since this boot or resume). */
  private bridgeServing = false;

  setStatus(patch: Partial<MachineStatus>): void {
    this.status = { ...this.status, ...patch };
    this.emit({ type: 'status', status: this.status });
  }

  uptimeNow(): number {
    return this.status.uptimeBaseMs + (this.status.since !== null ? Date.now() - this.status.since : 0);
  }

  consoleOut(text: string): void {
    this.console.append(text);
    this.pendingConsole += text;
    // Output arrives a byte at a time; hand it to the terminal about once a frame.
    this.consoleTimer ??= setTimeout(() => {
      this.consoleTimer = null;
      const data = this.pendingConsole;
      this.pendingConsole = '';
      if (data) this.emit({ type: 'console', data, end: this.console.end });
      // Asked once per batch, and only until it is seen.
      if (!this.bridgeServing && this.console.from(this.console.end - data.length - BRIDGE_READY.length).includes(BRIDGE_READY)) {
        this.bridgeServing = true;
        // Windows that wait for the bridge (Files) go on by themselves.
        this.setStatus({ bridgeReady: true });
      }
    }, 16);
  }

  /** Starts the console afresh with `text` (a boot: empty; a resume: the saved tail). */
  private resetConsole(text: string): void {
    if (this.consoleTimer) clearTimeout(this.consoleTimer);
    this.consoleTimer = null;
    this.pendingConsole = '';
    this.bridgeServing = text.includes(BRIDGE_READY);
    if ((this.status.bridgeReady ?? false) !== this.bridgeServing) this.setStatus({ bridgeReady: this.bridgeServing });
    this.console.reset(text);
    this.emit({ type: 'console-reset', data: text, end: this.console.end });
  }

  /** The console's kept text and the absolute offset of its end. */
  consoleText(): { text: string; end: number } {
    return { text: this.console.from(), end: this.console.end };
  }

  requireStore(): DiskStore {
    if (!this.store) throw new Error('the machine is not attached to an image yet');
    return this.store;
  }

  /** Writes the chunks the guest changed since the last flush (serialised with other flushes). */
  flushDisk(force = false): Promise<void> {
    const run = this.current;
    const s = this.store;
    if (!run || !s) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      const dirty = run.tracker.takeDirty(run.pc.liveDisk(), force);
      if (dirty.length) await s.storeChunks(run.pc.liveDisk(), dirty);
      const hdb = run.pc.liveHdb();
      if (hdb && run.hdbTracker) {
        const dirtyHdb = run.hdbTracker.takeDirty(hdb, force);
        if (dirtyHdb.length) await s.storeChunks(hdb, dirtyHdb, 'hdb');
      }
      const unscanned = run.tracker.hasUnscannedWrites || !!run.hdbTracker?.hasUnscannedWrites;
      if (!unscanned && !this.status.diskSaved) this.setStatus({ diskSaved: true });
    });
    return this.flushing;
  }

  /** Releases the lock that says this tab runs the image's machine. */
  private releaseRunLock: (() => void) | null = null;

  /**
   * One machine per image across tabs: two emulators writing one disk would tear it. The
   * lock is held while the machine runs; another tab's Boot is refused with a reason.
   */
  async takeRunLock(image: string): Promise<void> {
    const locks = (navigator as Navigator & { locks?: LockManager }).locks;
    if (!locks) return;
    await new Promise<void>((taken, refused) => {
      void locks.request(`telos-machine:${image}`, { ifAvailable: true }, (lock) => {
        if (!lock) {
          refused(new Error(`the machine of image “${image}” is running in another tab`));
          return;
        }
        taken();
        return new Promise<void>((release) => (this.releaseRunLock = release));
      });
    });
  }

  async start(state?: SuspendedMachine, hdbBytes?: number): Promise<void> {
    const s = this.requireStore();
    await this.takeRunLock(s.image);
    try {
      await this.startLocked(s, state, hdbBytes);
    } catch (e) {
      this.releaseRunLock?.();
      this.releaseRunLock = null;
      throw e;
    }
  }

  async startLocked(s: DiskStore, state?: SuspendedMachine, hdbBytes?: number): Promise<void> {
    const disk = await s.loadDisk();
    // A fresh boot always has hdb (made blank now if the image has none: the kernel puts a
    // file system on it). A resume attaches it only if the saved machine had it: v86
    // restores the drives the state describes, and its copy of hdb replaces this buffer.
    let hdb: ArrayBuffer | undefined;
    if (!state || state.hdb) {
      await s.ensureHdb(hdbBytes ?? DEFAULT_HDB_BYTES);
      hdb = await s.loadHdb();
      this.setStatus({ hdbBytes: hdb?.byteLength });
    }
    const pc = await bootInBrowser({ disk, ...(hdb ? { hdb } : {}), ...(state ? { state: await state.state.arrayBuffer() } : {}) });
    const tracker = new DiskTracker(disk);
    const hdbTracker = hdb ? new DiskTracker(hdb) : null;
    pc.onDiskWrite(() => {
      tracker.noteWrite();
      hdbTracker?.noteWrite();
      // Told once per change, not per sector: the window shows whether the disk is saved.
      if (this.status.diskSaved !== false) this.setStatus({ diskSaved: false });
    });
    const unsubscribe = pc.machine.com1.onByte((b) => this.consoleOut(String.fromCharCode(b)));
    // COM2 is the IDE bridge: framed requests to the PS and PMS through the bridge server.
    const bridge = new BridgeClient((bytes) => pc.machine.send(1, bytes), 5_000);
    const unbridge = pc.machine.com2.onByte((b) => bridge.feed(Uint8Array.of(b)));
    this.current = { pc, tracker, hdbTracker, bridge, unsubscribe: () => (unsubscribe(), unbridge()) };
    // After a restore the live disks are v86's copies: compare them with what is stored at once.
    if (state) {
      tracker.noteWrite();
      hdbTracker?.noteWrite();
    }
    this.flushTimer = setInterval(() => void this.flushDisk().catch((e: unknown) => this.reportFlushError(e)), FLUSH_INTERVAL_MS);
  }

  reportFlushError(e: unknown): void {
    this.setStatus({ note: `Writing the kernel disk to the image failed: ${e instanceof Error ? e.message : String(e)}. The machine keeps running; its disk is in memory.` });
  }

  /** Stops the emulator where it is and writes the disk back. */
  async stop(): Promise<void> {
    const run = this.current;
    if (!run) return;
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = null;
    await run.pc.machine.powerOff();
    run.unsubscribe();
    await this.flushDisk(true);
    this.current = null;
    this.releaseRunLock?.();
    this.releaseRunLock = null;
  }

  /** Boots afresh; `hdbBytes` is the size of the file-system disk if the image has none yet. */
  async boot(hdbBytes?: number): Promise<string> {
    if (this.current) throw new Error('the machine is already running');
    this.setStatus({ state: 'booting', note: 'Booting TelOS…' });
    this.resetConsole('');
    try {
      await this.requireStore().clearSuspended();
      await this.start(undefined, hdbBytes);
    } catch (e) {
      this.setStatus({ state: 'off', since: null, note: `Boot failed: ${e instanceof Error ? e.message : String(e)}` });
      throw e;
    }
    this.setStatus({ state: 'running', uptimeBaseMs: 0, since: Date.now(), note: 'Booted from the image’s disk.' });
    return 'booted';
  }

  async powerOff(note: string): Promise<string> {
    if (!this.current) throw new Error('the machine is not running');
    this.setStatus({ state: 'stopping', note: 'Stopping…' });
    await this.stop();
    this.setStatus({ state: 'off', since: null, uptimeBaseMs: 0, note });
    return 'off';
  }

  /**
   * Shut down: the bridge has no shutdown request yet, so the clean part is to let the PS
   * finish what it is serving — a bridge round trip to it is answered only between its
   * requests — then stop and write the disk back. An open multi-request transaction is
   * still cut, and the PS's recovery drops it as after a power-off.
   */
  async shutDown(): Promise<string> {
    const run = this.current;
    if (!run) throw new Error('the machine is not running');
    let how = 'the bridge was not serving, so the PS was not asked';
    if (this.bridgeReady()) {
      this.setStatus({ state: 'stopping', note: 'Waiting for the Persistence Server…' });
      try {
        await run.bridge.listObjects();
        how = 'the PS answered over the bridge first';
      } catch (e) {
        how = `the PS did not answer over the bridge (${e instanceof Error ? e.message : String(e)})`;
      }
    }
    return this.powerOff(`Shut down: ${how}; disk written back.`);
  }

  async suspend(): Promise<string> {
    const run = this.current;
    if (!run) throw new Error('the machine is not running');
    this.setStatus({ state: 'suspending', note: 'Saving the machine’s state…' });
    const uptimeMs = this.uptimeNow();
    const state = await run.pc.saveState();
    const hdb = run.pc.liveHdb() !== undefined;
    await this.stop();
    await this.requireStore().storeSuspended({ state: new Blob([state]), console: this.console.from(), uptimeMs, savedAt: Date.now(), hdb });
    this.setStatus({ state: 'suspended', since: null, uptimeBaseMs: uptimeMs, note: `Suspended (${(state.byteLength / 1048576).toFixed(1)} MiB saved in the image).` });
    return 'suspended';
  }

  async resume(): Promise<string> {
    if (this.current) throw new Error('the machine is already running');
    const saved = await this.requireStore().loadSuspended();
    if (!saved) throw new Error('there is no suspended machine in this image');
    this.setStatus({ state: 'resuming', note: 'Restoring the saved state…' });
    this.resetConsole(saved.console);
    try {
      await this.start(saved);
    } catch (e) {
      this.setStatus({ state: 'suspended', note: `Resume failed: ${e instanceof Error ? e.message : String(e)}` });
      throw e;
    }
    await this.requireStore().clearSuspended();
    this.setStatus({ state: 'running', uptimeBaseMs: saved.uptimeMs, since: Date.now(), note: 'Resumed where it was suspended.' });
    return 'resumed';
  }

  /** The kernel's objects for the World: over the bridge while it serves, else from the stored disk. */
  readonly kernelImage = new KernelImage(
    () => (this.current && this.bridgeReady() ? this.current.bridge : null),
    async () => (this.current ? this.current.pc.liveDisk() : this.requireStore().loadDisk()),
  );

  /** The bridge, for file requests: only a running TelOS has a file tree to read. */
  private fileBridge(): BridgeClient {
    if (!this.current) throw new Error('boot the machine first: files are read from the running TelOS');
    if (!this.bridgeReady()) throw new Error('TelOS is still booting: its bridge does not serve yet');
    return this.current.bridge;
  }

  /** A file of the running TelOS, with progress events and cancelling when it has a readId. */
  private async readFile(path: string, { maxBytes, readId }: ReadFileOptions): Promise<Uint8Array> {
    const bridge = this.fileBridge();
    const cancelled = () => {
      if (readId !== undefined && this.cancelledReads.delete(readId)) throw Object.assign(new Error(`reading ${path} was cancelled`), { name: 'ReadCancelled' });
    };
    try {
      // Cancelled while it waited in the queue: nothing is read.
      cancelled();
      return await bridge.readFile(
        path,
        readId === undefined
          ? undefined
          : (read, size) => {
              this.emit({ type: 'file-progress', readId, read, size });
              // Thrown between frames: the bridge has no request outstanding.
              if (read < size) cancelled();
            },
        maxBytes,
      );
    } finally {
      if (readId !== undefined) this.cancelledReads.delete(readId);
    }
  }

  /** An upload: the bridge writes it in frames; the page sees progress and may cancel. */
  private async writeFile(path: string, bytes: Uint8Array, context: CallContext | undefined): Promise<null> {
    const bridge = this.fileBridge();
    await bridge.writeFile(path, bytes, {
      ...(context ? { signal: context.signal, onProgress: (written: number, size: number) => context.progress({ written, size } satisfies UploadProgress) } : {}),
    });
    return null;
  }

  bridgeReady(): boolean {
    return !!this.current && this.bridgeServing;
  }

  /** The kernel's objects asked of the running PS and PMS over the COM2 bridge. */
  async kernelObjectsOverBridge(bridge: BridgeClient): Promise<KernelObjectsView> {
    const oids = await bridge.listObjects();
    const processes = new Map((await bridge.listProcesses()).map((p) => [p.oid, p]));
    const inputs = [];
    for (const oid of oids) inputs.push({ oid, bytes: await bridge.getObject(oid) });
    const { objects, blobs } = kernelObjectViews(inputs);
    // The PMS knows whether each process still runs; the PS records what it was created as.
    for (const o of objects) {
      const p = processes.get(o.oid);
      const state = o.slots.find((s) => s.name === 'state');
      if (p && state) state.text = p.running ? 'running' : 'stopped';
    }
    return { source: 'bridge', disk: 'ok', transactions: 0, objects, binaryObjects: blobs };
  }

  async kernelObjects(): Promise<KernelObjectsView> {
    if (this.current && this.bridgeReady()) {
      try {
        return await this.kernelObjectsOverBridge(this.current.bridge);
      } catch {
        // The bridge did not answer (busy or wedged): the running machine's disk still says
        // what the PS has committed.
      }
    }
    const disk = this.current ? this.current.pc.liveDisk() : await this.requireStore().loadDisk();
    const read = readPsDisk(disk);
    const source = this.current ? 'live' : 'disk';
    if (read.kind !== 'ok') {
      const problem =
        read.kind === 'empty' ? undefined
        : read.reason === 'unsupported version' ? `the disk is in format ${read.version ?? '?'}, which this TelOS does not read (it is left as it is)`
        : read.reason === 'damaged log' ? `damaged log (${read.detail ?? 'unknown'})`
        : `damaged superblock (${read.reason})`;
      return { source, disk: read.kind, ...(problem ? { problem } : {}), transactions: 0, objects: [], binaryObjects: 0 };
    }
    const { objects, blobs } = kernelObjectViews([...read.objects.values()].map((o) => ({ oid: o.oid, bytes: o.bytes, tid: o.tid })));
    return {
      source,
      disk: 'ok',
      ...(read.tornTail ? { problem: `a torn transaction follows the last commit${read.tailProblem ? ` (${read.tailProblem})` : ''}` } : {}),
      generation: read.generation,
      transactions: read.checkpoint.tid + read.records.length,
      objects,
      binaryObjects: blobs,
    };
  }


  async spawn(name: string): Promise<string> {
    const run = this.current;
    if (!run) throw new Error('boot the machine first: a new process is created by the running Process Management Server');
    if (!/^[A-Za-z0-9_.-]{1,32}$/.test(name)) throw new Error(`“${name}” is not a program name`);
    if (!this.bridgeReady()) {
      // Early in boot the bridge is not serving yet: ask the monitor shell, as a person would.
      run.pc.machine.send(0, `spawn ${name}\r`);
      return `asked the PMS to spawn ${name} through the COM1 monitor`;
    }
    const view = await this.kernelObjectsOverBridge(run.bridge);
    // Program images are named in the `images` mapping the root object refers to (genesis.h).
    const byOid = new Map(view.objects.map((o) => [o.oid, o]));
    const imagesOid = byOid.get(1)?.slots.find((s) => s.name === 'images')?.ref;
    const imageOid = (imagesOid !== undefined ? byOid.get(imagesOid) : undefined)?.slots.find((s) => s.name === name)?.ref;
    const image = imageOid !== undefined ? byOid.get(imageOid) : undefined;
    if (!image) throw new Error(`there is no program image named “${name}” in the PS`);
    // The new process object takes the next free oid (from 1000, as the monitor's spawn does).
    const processOid = Math.max(999, ...(await run.bridge.listObjects())) + 1;
    const oid = await run.bridge.spawn(image.oid, processOid);
    return `the PMS created ${name} as kernel object ${oid}`;
  }

  async attach(image: string): Promise<MachineStatus> {
    if (this.store && this.status.image === image) return this.status;
    if (this.current) await this.powerOff('Powered off: another image was opened.');
    this.store?.close();
    this.store = await DiskStore.open(image);
    const saved = await this.store.loadSuspended();
    const hdbBytes = await this.store.hdbSize();
    this.setStatus({
      image,
      hdbBytes,
      state: saved ? 'suspended' : 'off',
      since: null,
      uptimeBaseMs: saved?.uptimeMs ?? 0,
      note: saved ? 'Suspended: Resume continues where it was; Boot starts afresh and discards the saved state.' : 'Off.',
    });
    return this.status;
  }

  // One power action or query at a time, in order: they must not interleave. Typing is not
  // queued, so the monitor answers while a long action runs.
  private queue: Promise<unknown> = Promise.resolve();

  /** Answers one call of the MachineApi. */
  handle(method: string, args: unknown[], context?: CallContext): Promise<unknown> {
    // Typing and reading the console are not queued behind a power action.
    if (method === 'type') {
      this.current?.pc.machine.send(0, String(args[0] ?? ''));
      return Promise.resolve(null);
    }
    if (method === 'consoleText') return Promise.resolve(this.consoleText());
    if (method === 'cancelRead') {
      this.cancelledReads.add(Number(args[0]));
      return Promise.resolve(null);
    }
    const run = this.queue.then(() => this.call(method as keyof MachineApi, args, context));
    this.queue = run.catch(() => {});
    return run;
  }

  private async call(method: keyof MachineApi, args: unknown[], context?: CallContext): Promise<unknown> {
    switch (method) {
      case 'attach':
        return this.attach(String(args[0]));
      case 'boot':
        return this.boot(hdbSizeArg(args[0]));
      case 'shutdown':
        return this.shutDown();
      case 'powerOff':
        return this.powerOff('Powered off uncleanly: the kernel was not told.');
      case 'reset': {
        // No BIOS: a reset is a new emulator on the same disk.
        if (this.current) await this.stop();
        this.setStatus({ state: 'off', since: null, uptimeBaseMs: 0 });
        return this.boot();
      }
      case 'suspend':
        return this.suspend();
      case 'resume':
        return this.resume();
      case 'kernelObjects':
        return this.kernelObjects();
      case 'spawn':
        return this.spawn(String(args[0]));
      case 'consoleText':
        return this.consoleText();
      case 'listFiles':
        return this.fileBridge().listDirectory(String(args[0]));
      case 'readFile':
        return this.readFile(String(args[0]), readFileOptions(args[1]));
      case 'writeFile':
        if (!(args[1] instanceof Uint8Array)) throw new TypeError('writeFile wants the file’s bytes as a Uint8Array');
        return this.writeFile(String(args[0]), args[1], context);
      case 'makeDirectory':
        await this.fileBridge().makeDirectory(String(args[0]));
        return null;
      case 'removeFile':
        await this.fileBridge().remove(String(args[0]));
        return null;
      case 'kernelWorld':
        return this.kernelImage.objects();
      case 'kernelObject':
        return (await this.kernelImage.object(kernelOid(args[0]))) ?? null;
      case 'kernelSpawn':
        return this.kernelImage.spawn(String(args[0]));
      case 'kernelTerminate':
        return this.kernelImage.terminate(kernelOid(args[0]));
      case 'kernelSetSlot':
        return this.kernelImage.setDataSlot(kernelOid(args[0]), String(args[1]), args[2] as KernelValue);
      default:
        throw new Error(`the machine worker does not understand '${String(method)}'`);
    }
  }
}

/** The options of a readFile call, checked (they come from the page). */
function readFileOptions(v: unknown): ReadFileOptions {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object') throw new TypeError('readFile options must be an object');
  const { maxBytes, readId } = v as Record<string, unknown>;
  if (maxBytes !== undefined && !(typeof maxBytes === 'number' && Number.isSafeInteger(maxBytes) && maxBytes >= 0)) throw new TypeError(`${String(maxBytes)} is not a byte count`);
  if (readId !== undefined && !(typeof readId === 'number' && Number.isSafeInteger(readId))) throw new TypeError(`${String(readId)} is not a read id`);
  return { maxBytes, readId };
}

/** The size of a new hdb asked by the page (undefined: the default); DiskStore checks its range. */
function hdbSizeArg(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new TypeError(`${String(v)} is not a disk size in bytes`);
  return v;
}

/** A kernel oid from the page: a positive 32-bit integer, or a refusal. */
function kernelOid(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > 0xffffffff) throw new TypeError(`${String(v)} is not a kernel oid`);
  return v;
}
