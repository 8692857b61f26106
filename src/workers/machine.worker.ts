// The machine worker: owns v86, the kernel disk buffer and the serial lines, so the IDE
// stays responsive while TelOS runs. The IDE attaches it to an image, then sends power
// requests (boot, shut down, power off, reset, suspend, resume), typing for COM1 and
// queries for kernel objects; the worker answers each request and streams console output
// and power state as events. The disk lives in the image's machine database (diskstore.ts)
// and is written back while the machine runs and whenever it stops.
import { bootInBrowser, type BrowserMachine } from '../machine/browser';
import { DiskStore, DiskTracker, type SuspendedMachine } from '../machine/diskstore';
import { readPsDisk, parseObjectFields } from '../machine/psdisk';
import { BridgeClient } from '../machine/bridge';
import type {
  FromMachineWorker,
  KernelObjectsView,
  MachineEvent,
  MachineRequest,
  MachineStatus,
  ToMachineWorker,
} from '../machine/protocol';

const post = (m: FromMachineWorker) => (self as unknown as Worker).postMessage(m);
const emit = (event: MachineEvent) => post({ event });

/** How often written disk chunks go back to IndexedDB while the machine runs. */
const FLUSH_INTERVAL_MS = 500;
/** How much console text a suspended machine keeps for the terminal to continue. */
const CONSOLE_TAIL = 64 * 1024;

let store: DiskStore | null = null;
let status: MachineStatus = { state: 'off', image: '', uptimeBaseMs: 0, since: null, note: '' };
let current: { pc: BrowserMachine; tracker: DiskTracker; bridge: BridgeClient; unsubscribe: () => void } | null = null;
/** The bridge server says this on COM1 once it serves frames on COM2. */
const BRIDGE_READY = 'TelOS: bridge: serving frames on COM2';
let flushTimer: ReturnType<typeof setInterval> | null = null;
let flushing: Promise<void> = Promise.resolve();
/** Console text of this power cycle (for a suspend) — bounded. */
let consoleTail = '';
let pendingConsole = '';
let consoleTimer: ReturnType<typeof setTimeout> | null = null;

function setStatus(patch: Partial<MachineStatus>): void {
  status = { ...status, ...patch };
  emit({ type: 'status', status });
}

function uptimeNow(): number {
  return status.uptimeBaseMs + (status.since !== null ? Date.now() - status.since : 0);
}

function consoleOut(text: string): void {
  consoleTail = (consoleTail + text).slice(-CONSOLE_TAIL);
  pendingConsole += text;
  // Output arrives a byte at a time; hand it to the terminal about once a frame.
  consoleTimer ??= setTimeout(() => {
    consoleTimer = null;
    const data = pendingConsole;
    pendingConsole = '';
    if (data) emit({ type: 'console', data });
  }, 16);
}

function requireStore(): DiskStore {
  if (!store) throw new Error('the machine is not attached to an image yet');
  return store;
}

/** Writes the chunks the guest changed since the last flush (serialised with other flushes). */
function flushDisk(force = false): Promise<void> {
  const run = current;
  const s = store;
  if (!run || !s) return flushing;
  flushing = flushing.then(async () => {
    const dirty = run.tracker.takeDirty(run.pc.liveDisk(), force);
    if (dirty.length) await s.storeChunks(run.pc.liveDisk(), dirty);
  });
  return flushing;
}

/** Releases the lock that says this tab runs the image's machine. */
let releaseRunLock: (() => void) | null = null;

/**
 * One machine per image across tabs: two emulators writing one disk would tear it. The
 * lock is held while the machine runs; another tab's Boot is refused with a reason.
 */
async function takeRunLock(image: string): Promise<void> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return;
  await new Promise<void>((taken, refused) => {
    void locks.request(`telos-machine:${image}`, { ifAvailable: true }, (lock) => {
      if (!lock) {
        refused(new Error(`the machine of image “${image}” is running in another tab`));
        return;
      }
      taken();
      return new Promise<void>((release) => (releaseRunLock = release));
    });
  });
}

async function start(state?: SuspendedMachine): Promise<void> {
  const s = requireStore();
  await takeRunLock(s.image);
  try {
    await startLocked(s, state);
  } catch (e) {
    releaseRunLock?.();
    releaseRunLock = null;
    throw e;
  }
}

async function startLocked(s: DiskStore, state?: SuspendedMachine): Promise<void> {
  const disk = await s.loadDisk();
  const pc = await bootInBrowser({ disk, ...(state ? { state: await state.state.arrayBuffer() } : {}) });
  const tracker = new DiskTracker(disk);
  pc.onDiskWrite(() => tracker.noteWrite());
  const unsubscribe = pc.machine.com1.onByte((b) => consoleOut(String.fromCharCode(b)));
  // COM2 is the IDE bridge: framed requests to the PS and PMS through the bridge server.
  const bridge = new BridgeClient((bytes) => pc.machine.send(1, bytes), 5_000);
  const unbridge = pc.machine.com2.onByte((b) => bridge.feed(Uint8Array.of(b)));
  current = { pc, tracker, bridge, unsubscribe: () => (unsubscribe(), unbridge()) };
  // After a restore the live disk is v86's copy: compare it with what is stored at once.
  if (state) tracker.noteWrite();
  flushTimer = setInterval(() => void flushDisk().catch(reportFlushError), FLUSH_INTERVAL_MS);
}

function reportFlushError(e: unknown): void {
  setStatus({ note: `Writing the kernel disk to the image failed: ${e instanceof Error ? e.message : String(e)}. The machine keeps running; its disk is in memory.` });
}

/** Stops the emulator where it is and writes the disk back. */
async function stop(): Promise<void> {
  const run = current;
  if (!run) return;
  if (flushTimer) clearInterval(flushTimer);
  flushTimer = null;
  await run.pc.machine.powerOff();
  run.unsubscribe();
  await flushDisk(true);
  current = null;
  releaseRunLock?.();
  releaseRunLock = null;
}

async function boot(): Promise<string> {
  if (current) throw new Error('the machine is already running');
  setStatus({ state: 'booting', note: 'Booting TelOS…' });
  consoleTail = '';
  emit({ type: 'console-reset', data: '' });
  try {
    await requireStore().clearSuspended();
    await start();
  } catch (e) {
    setStatus({ state: 'off', since: null, note: `Boot failed: ${e instanceof Error ? e.message : String(e)}` });
    throw e;
  }
  setStatus({ state: 'running', uptimeBaseMs: 0, since: Date.now(), note: 'Booted from the image’s disk.' });
  return 'booted';
}

async function powerOff(note: string): Promise<string> {
  if (!current) throw new Error('the machine is not running');
  setStatus({ state: 'stopping', note: 'Stopping…' });
  await stop();
  setStatus({ state: 'off', since: null, uptimeBaseMs: 0, note });
  return 'off';
}

/**
 * Shut down: the bridge has no shutdown request yet, so the clean part is to let the PS
 * finish what it is serving — a bridge round trip to it is answered only between its
 * requests — then stop and write the disk back. An open multi-request transaction is
 * still cut, and the PS's recovery drops it as after a power-off.
 */
async function shutDown(): Promise<string> {
  const run = current;
  if (!run) throw new Error('the machine is not running');
  let how = 'the bridge was not serving, so the PS was not asked';
  if (bridgeReady()) {
    setStatus({ state: 'stopping', note: 'Waiting for the Persistence Server…' });
    try {
      await run.bridge.listObjects();
      how = 'the PS answered over the bridge first';
    } catch (e) {
      how = `the PS did not answer over the bridge (${e instanceof Error ? e.message : String(e)})`;
    }
  }
  return powerOff(`Shut down: ${how}; disk written back.`);
}

async function suspend(): Promise<string> {
  const run = current;
  if (!run) throw new Error('the machine is not running');
  setStatus({ state: 'suspending', note: 'Saving the machine’s state…' });
  const uptimeMs = uptimeNow();
  const state = await run.pc.saveState();
  await stop();
  await requireStore().storeSuspended({ state: new Blob([state]), console: consoleTail, uptimeMs, savedAt: Date.now() });
  setStatus({ state: 'suspended', since: null, uptimeBaseMs: uptimeMs, note: `Suspended (${(state.byteLength / 1048576).toFixed(1)} MiB saved in the image).` });
  return 'suspended';
}

async function resume(): Promise<string> {
  if (current) throw new Error('the machine is already running');
  const saved = await requireStore().loadSuspended();
  if (!saved) throw new Error('there is no suspended machine in this image');
  setStatus({ state: 'resuming', note: 'Restoring the saved state…' });
  consoleTail = saved.console;
  emit({ type: 'console-reset', data: saved.console });
  try {
    await start(saved);
  } catch (e) {
    setStatus({ state: 'suspended', note: `Resume failed: ${e instanceof Error ? e.message : String(e)}` });
    throw e;
  }
  await requireStore().clearSuspended();
  setStatus({ state: 'running', uptimeBaseMs: saved.uptimeMs, since: Date.now(), note: 'Resumed where it was suspended.' });
  return 'resumed';
}

function bridgeReady(): boolean {
  return !!current && consoleTail.includes(BRIDGE_READY);
}

/** The kernel's objects asked of the running PS and PMS over the COM2 bridge. */
async function kernelObjectsOverBridge(bridge: BridgeClient): Promise<KernelObjectsView> {
  const oids = await bridge.listObjects();
  const processes = new Map((await bridge.listProcesses()).map((p) => [p.oid, p]));
  const objects: KernelObjectsView['objects'] = [];
  let binary = 0;
  for (const oid of oids) {
    const bytes = await bridge.getObject(oid);
    if (!isTextObject(bytes)) {
      binary++;
      continue;
    }
    const fields = { ...parseObjectFields(bytes) };
    const p = processes.get(oid);
    if (p) fields.state = p.running ? 'running' : 'stopped';
    objects.push({ oid, fields, size: bytes.length });
  }
  return { source: 'bridge', disk: 'ok', transactions: 0, objects, binaryObjects: binary };
}

async function kernelObjects(): Promise<KernelObjectsView> {
  if (current && bridgeReady()) {
    try {
      return await kernelObjectsOverBridge(current.bridge);
    } catch {
      // The bridge did not answer (busy or wedged): the running machine's disk still says
      // what the PS has committed.
    }
  }
  const disk = current ? current.pc.liveDisk() : await requireStore().loadDisk();
  const read = readPsDisk(disk);
  const source = current ? 'live' : 'disk';
  if (read.kind !== 'ok') {
    return { source, disk: read.kind, ...(read.kind === 'damaged' ? { problem: `damaged superblock (${read.reason})` } : {}), transactions: 0, objects: [], binaryObjects: 0 };
  }
  const all = [...read.objects.values()];
  return {
    source,
    disk: 'ok',
    ...(read.tornTail ? { problem: `a torn transaction follows the last commit${read.tailProblem ? ` (${read.tailProblem})` : ''}` } : {}),
    generation: read.generation,
    transactions: read.records.length,
    objects: all.filter((o) => isTextObject(o.bytes)).map((o) => ({ oid: o.oid, tid: o.tid, fields: { ...o.fields }, size: o.bytes.length })),
    binaryObjects: all.filter((o) => !isTextObject(o.bytes)).length,
  };
}

/** Whether an object's contents are `key=value` text lines (not a chunk of a program image). */
function isTextObject(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/\0+$/, '');
  if (/[\x00-\x08\x0e-\x1f\ufffd]/.test(text)) return false;
  return text.split('\n').every((line) => line.trim() === '' || line.indexOf('=') > 0);
}

async function spawn(name: string): Promise<string> {
  const run = current;
  if (!run) throw new Error('boot the machine first: a new process is created by the running Process Management Server');
  if (!/^[A-Za-z0-9_.-]{1,32}$/.test(name)) throw new Error(`“${name}” is not a program name`);
  if (!bridgeReady()) {
    // Early in boot the bridge is not serving yet: ask the monitor shell, as a person would.
    run.pc.machine.send(0, `spawn ${name}\r`);
    return `asked the PMS to spawn ${name} through the COM1 monitor`;
  }
  const view = await kernelObjectsOverBridge(run.bridge);
  const image = view.objects.find((o) => o.fields.kind === 'image' && o.fields.name === name);
  if (!image) throw new Error(`there is no program image named “${name}” in the PS`);
  // The new process object takes the next free oid (from 1000, as the monitor's spawn does).
  const processOid = Math.max(999, ...view.objects.map((o) => o.oid)) + 1;
  const oid = await run.bridge.spawn(image.oid, processOid);
  return `the PMS created ${name} as kernel object ${oid}`;
}

async function attach(image: string): Promise<MachineStatus> {
  if (store && status.image === image) return status;
  if (current) await powerOff('Powered off: another image was opened.');
  store?.close();
  store = await DiskStore.open(image);
  const saved = await store.loadSuspended();
  setStatus({
    image,
    state: saved ? 'suspended' : 'off',
    since: null,
    uptimeBaseMs: saved?.uptimeMs ?? 0,
    note: saved ? 'Suspended: Resume continues where it was; Boot starts afresh and discards the saved state.' : 'Off.',
  });
  return status;
}

async function serve(request: MachineRequest): Promise<unknown> {
  switch (request.op) {
    case 'attach':
      return attach(request.image);
    case 'boot':
      return boot();
    case 'shutdown':
      return shutDown();
    case 'powerOff':
      return powerOff('Powered off uncleanly: the kernel was not told.');
    case 'reset': {
      // No BIOS: a reset is a new emulator on the same disk.
      if (current) await stop();
      setStatus({ state: 'off', since: null, uptimeBaseMs: 0 });
      return boot();
    }
    case 'suspend':
      return suspend();
    case 'resume':
      return resume();
    case 'kernelObjects':
      return kernelObjects();
    case 'spawn':
      return spawn(request.name);
  }
}

// One request at a time, in order: power actions must not interleave.
let queue: Promise<unknown> = Promise.resolve();

self.onmessage = (e: MessageEvent<ToMachineWorker>) => {
  const m = e.data;
  if ('input' in m) {
    current?.pc.machine.send(0, m.input);
    return;
  }
  queue = queue.then(async () => {
    try {
      post({ id: m.id, reply: { ok: true, value: await serve(m.request) } });
    } catch (err) {
      post({ id: m.id, reply: { ok: false, error: err instanceof Error ? err.message : String(err) } });
    }
  });
};
