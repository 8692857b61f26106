// The IDE's side of the machine worker: one worker per page, requests answered by id,
// and a zustand store of what the Machine, Console and kernel-object windows show (power
// state, the console text, kernel objects). The IDE never touches v86 itself.
import { create } from 'zustand';
import type {
  FromMachineWorker,
  KernelObjectsView,
  MachineRequest,
  MachineStatus,
  ToMachineWorker,
} from '../../machine';
import { useViewState } from '../viewState';

/** Console text kept for a Console window opened later (and for scrollback). */
const CONSOLE_KEEP = 256 * 1024;

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

class MachineLink {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private consoleText = '';
  private readonly consoleListeners = new Set<ConsoleListener>();
  private attached: Promise<unknown> | null = null;
  private attachedImage = '';

  constructor() {
    this.worker = new Worker(new URL('../../workers/machine.worker.ts', import.meta.url), { type: 'module', name: 'machine' });
    this.worker.onmessage = (e: MessageEvent<FromMachineWorker>) => this.receive(e.data);
    this.worker.onerror = (e) => useMachine.setState({ error: `The machine worker failed: ${e.message}` });
  }

  private receive(m: FromMachineWorker): void {
    if ('id' in m) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      if (m.reply.ok) p.resolve(m.reply.value);
      else p.reject(new Error(m.reply.error));
      return;
    }
    const ev = m.event;
    if (ev.type === 'status') {
      const wasRunning = useMachine.getState().status.state === 'running';
      useMachine.setState({ status: ev.status });
      // Objects on disk change while it runs and when it stops: refresh an open view.
      if (wasRunning !== (ev.status.state === 'running') && useMachine.getState().kernelObjects) void this.refreshKernelObjects();
    } else {
      const reset = ev.type === 'console-reset';
      this.consoleText = reset ? ev.data : (this.consoleText + ev.data).slice(-CONSOLE_KEEP);
      for (const l of this.consoleListeners) l(ev.data, reset);
    }
  }

  private request<T>(request: MachineRequest): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, request } satisfies ToMachineWorker);
    });
  }

  /** Attaches the worker to the image the IDE shows (its disk, its suspended state). */
  attach(): Promise<unknown> {
    const image = useViewState.getState().imageName.replace(/ \(in memory\)$/, '');
    if (!this.attached || image !== this.attachedImage) {
      this.attachedImage = image;
      this.attached = this.request({ op: 'attach', image });
      // A failed attach is tried again by the next request.
      this.attached.catch(() => {
        this.attached = null;
      });
    }
    return this.attached;
  }

  /** Runs a power action; a refusal is shown in the Machine window and the status bar. */
  async power(op: 'boot' | 'shutdown' | 'powerOff' | 'reset' | 'suspend' | 'resume', label: string): Promise<boolean> {
    useMachine.setState({ busy: label, error: null });
    try {
      await this.attach();
      await this.request({ op });
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
    this.worker.postMessage({ input: text } satisfies ToMachineWorker);
  }

  /** Subscribes to console output; the listener first gets everything so far. */
  onConsole(listener: ConsoleListener): () => void {
    listener(this.consoleText, true);
    this.consoleListeners.add(listener);
    return () => this.consoleListeners.delete(listener);
  }

  async refreshKernelObjects(): Promise<KernelObjectsView | null> {
    try {
      await this.attach();
      const view = await this.request<KernelObjectsView>({ op: 'kernelObjects' });
      useMachine.setState({ kernelObjects: view });
      return view;
    } catch (e) {
      useMachine.setState({ error: `Reading the kernel objects failed: ${e instanceof Error ? e.message : String(e)}` });
      return null;
    }
  }

  async spawn(name: string): Promise<string | null> {
    try {
      const said = await this.request<string>({ op: 'spawn', name });
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
