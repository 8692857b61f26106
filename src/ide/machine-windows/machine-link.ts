// The IDE's side of the machine worker: one worker per page, reached through its typed
// client (src/workers), and a zustand store of what the Machine, Console and kernel-object windows show (power
// state, the console text, kernel objects). The IDE never touches v86 itself.
import { create } from 'zustand';
import { startMachineWorker, type FileEntryView, type KernelObjectsView, type MachineClient, type MachineEvent, type MachineStatus, type UploadProgress } from '../../workers';
import { useViewState } from '../view-state';

export interface MachineView {
  status: MachineStatus;
  /** Set while a power request is under way (buttons wait). */
  busy: string | null;
  /** The last refused request, said plainly. */
  error: string | null;
  kernelObjects: KernelObjectsView | null;
}

export const useMachine = create<MachineView>(() => ({
  status: { state: 'off', image: '', uptimeBaseMs: 0, since: null, note: 'Not started.' },
  busy: null,
  error: null,
  kernelObjects: null,
}));

type ConsoleListener = (data: string, reset: boolean) => void;
/** How the link hands console events to its followers. */
type ConsoleFollower = (ev: Extract<MachineEvent, { data: string }>) => void;

export interface ReadFileOptions {
  /** A bigger file is refused (a FileTooLarge error with its `size`) before it is read. */
  maxBytes?: number;
  /** After each frame: bytes read so far of the file's size. */
  onProgress?: (read: number, size: number) => void;
  /** Ends the read between frames; it then rejects with a ReadCancelled error. */
  signal?: AbortSignal;
}

export interface WriteFileOptions {
  /** After each frame the bridge took: bytes written of the whole. */
  onProgress?: (written: number, size: number) => void;
  /** Ends the write between frames; it then rejects with a WriteCancelled error and the
   * partial file is removed. */
  signal?: AbortSignal;
}

class MachineLink {
  private readonly client: MachineClient;
  private readonly consoleListeners = new Set<ConsoleFollower>();
  private attached: Promise<unknown> | null = null;
  private attachedImage = '';
  private nextReadId = 1;
  private readonly reads = new Map<number, (read: number, size: number) => void>();

  constructor() {
    this.client = startMachineWorker((message) => useMachine.setState({ error: `The machine worker failed: ${message}` }));
    this.client.subscribe((ev) => this.receive(ev));
  }

  private receive(ev: MachineEvent): void {
    if (ev.type === 'status') {
      const wasRunning = useMachine.getState().status.state === 'running';
      useMachine.setState({ status: ev.status });
      // Objects on disk change while it runs and when it stops: refresh an open view.
      if (wasRunning !== (ev.status.state === 'running') && useMachine.getState().kernelObjects) void this.refreshKernelObjects();
    } else if (ev.type === 'file-progress') {
      this.reads.get(ev.readId)?.(ev.read, ev.size);
    } else {
      for (const l of this.consoleListeners) l(ev);
    }
  }

  /** Attaches the worker to the image the IDE shows (its disk, its suspended state). */
  attach(): Promise<unknown> {
    const image = useViewState.getState().imageName.replace(/ \(in memory\)$/, '');
    if (!this.attached || image !== this.attachedImage) {
      this.attachedImage = image;
      this.attached = this.client.attach(image);
      // A failed attach is tried again by the next request.
      this.attached.catch(() => {
        this.attached = null;
      });
    }
    return this.attached;
  }

  /** Runs a power action; a refusal is shown in the Machine window and the status bar.
   * A boot may size the file-system disk the image does not have yet (`hdbBytes`). */
  async power(op: 'boot' | 'shutdown' | 'powerOff' | 'reset' | 'suspend' | 'resume', label: string, hdbBytes?: number): Promise<boolean> {
    useMachine.setState({ busy: label, error: null });
    try {
      await this.attach();
      if (op === 'boot') await this.client.boot(hdbBytes);
      else await this.client[op]();
      useViewState.getState().setStatus(`${label}: done`);
      return true;
    } catch (e) {
      const msg = `${label} refused: ${e instanceof Error ? e.message : String(e)}`;
      useMachine.setState({ error: msg });
      useViewState.getState().setStatus(msg);
      return false;
    } finally {
      useMachine.setState({ busy: null });
    }
  }

  /** Typing in the Console goes to COM1. */
  type(text: string): void {
    void this.client.type(text);
  }

  /**
   * Follows the console: the listener first gets the tail the worker keeps (the page keeps
   * no copy of its own; the terminal is the only other one), then every later output, each
   * exactly once: output that arrives while the tail is asked for is held, and what the tail
   * already holds is cut from it by its absolute offset.
   */
  onConsole(listener: ConsoleListener): () => void {
    let shownTo: number | null = null;
    const held: Extract<MachineEvent, { data: string }>[] = [];
    const deliver = (ev: Extract<MachineEvent, { data: string }>) => {
      // Offsets only grow (across resets too): anything ending before what is shown is in it.
      if (shownTo !== null && ev.end <= shownTo) return;
      if (ev.type === 'console-reset') {
        listener(ev.data, true);
        shownTo = ev.end;
        return;
      }
      const start = ev.end - ev.data.length;
      listener(shownTo !== null && start < shownTo ? ev.data.slice(shownTo - start) : ev.data, false);
      shownTo = ev.end;
    };
    const follow = (ev: Extract<MachineEvent, { data: string }>) => (shownTo === null ? held.push(ev) : deliver(ev));
    this.consoleListeners.add(follow);
    void this.client.consoleText().then(
      ({ text, end }) => {
        listener(text, true);
        shownTo = end;
        for (const ev of held.splice(0)) deliver(ev);
      },
      () => {
        // The worker is gone: nothing to show but what arrives.
        shownTo = 0;
        for (const ev of held.splice(0)) deliver(ev);
      },
    );
    return () => this.consoleListeners.delete(follow);
  }

  async refreshKernelObjects(): Promise<KernelObjectsView | null> {
    try {
      await this.attach();
      const view = await this.client.kernelObjects();
      useMachine.setState({ kernelObjects: view });
      return view;
    } catch (e) {
      useMachine.setState({ error: `Reading the kernel objects failed: ${e instanceof Error ? e.message : String(e)}` });
      return null;
    }
  }

  /** A directory of the running TelOS's file tree (a refusal rejects with its reason). */
  async listFiles(path: string): Promise<FileEntryView[]> {
    await this.attach();
    return this.client.listFiles(path);
  }

  /** A whole file of the running TelOS's file tree, with progress and cancelling. */
  async readFile(path: string, { maxBytes, onProgress, signal }: ReadFileOptions = {}): Promise<Uint8Array> {
    await this.attach();
    signal?.throwIfAborted();
    const readId = this.nextReadId++;
    const cancel = () => void this.client.cancelRead(readId);
    this.reads.set(readId, onProgress ?? (() => {}));
    signal?.addEventListener('abort', cancel);
    try {
      return await this.client.readFile(path, { readId, ...(maxBytes === undefined ? {} : { maxBytes }) });
    } finally {
      this.reads.delete(readId);
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** Writes a file of the running TelOS's tree (under /tmp or /disk), with progress and cancelling. */
  async writeFile(path: string, bytes: Uint8Array, { onProgress, signal }: WriteFileOptions = {}): Promise<void> {
    await this.attach();
    signal?.throwIfAborted();
    await this.client.call('writeFile', [path, bytes], {
      ...(signal ? { signal } : {}),
      onProgress: (p) => {
        const { written, size } = p as UploadProgress;
        onProgress?.(written, size);
      },
    });
  }

  /** Makes an empty directory of the running TelOS's tree (a refusal rejects with its reason). */
  async makeDirectory(path: string): Promise<void> {
    await this.attach();
    await this.client.makeDirectory(path);
  }

  /** Removes a file or an empty directory of the running TelOS's tree (a refusal rejects with its reason). */
  async removeFile(path: string): Promise<void> {
    await this.attach();
    await this.client.removeFile(path);
  }

  async spawn(name: string): Promise<string | null> {
    try {
      const said = await this.client.spawn(name);
      useViewState.getState().setStatus(`Spawn ${name}: ${said}`);
      return said;
    } catch (e) {
      const msg = `Spawn ${name} refused: ${e instanceof Error ? e.message : String(e)}`;
      useMachine.setState({ error: msg });
      useViewState.getState().setStatus(msg);
      return null;
    }
  }
}

let link: MachineLink | null = null;

/** The page's machine link, started on first use (the worker and v86 load lazily). */
export function machineLink(): MachineLink {
  link ??= new MachineLink();
  return link;
}

/** Formats an uptime as h:mm:ss. */
export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
