// View state of the IDE (zustand). It holds only what the page shows — which windows are
// open, where, and what they show — never the truth about the image, which the World
// worker holds. Window layout is saved into the image by layout-store.ts.
import { create } from 'zustand';
import { DEFAULT_TIME_LIMIT_MS } from './evaluation-control';

/** What a window shows. The target says which object, selector or error. */
export type WindowKind =
  | 'outliner'
  | 'workspace'
  | 'transcript'
  | 'history'
  | 'images'
  | 'method'
  | 'debugger'
  | 'query'
  | 'inspector'
  | 'safe-mode'
  | 'missing-image'
  | 'machine'
  | 'console'
  | 'kernel-objects'
  | 'kernel-object'
  | 'files'
  /** A read-only viewer on one file of the running TelOS (target.data: its path). */
  | 'file';

export interface WindowTarget {
  /** Object shown (outliner, method editor). */
  oid?: number;
  /** Selector shown (method editor, senders/implementors). */
  selector?: string;
  /** Query kind for a query window. */
  query?: 'senders' | 'implementors' | 'references';
  /** Free-form payload (inspector value, debugger error, workspace text). */
  data?: unknown;
}

/** A window morph on the World canvas. */
export interface WindowMorph {
  id: string;
  kind: WindowKind;
  title: string;
  target: WindowTarget;
  x: number;
  y: number;
  w: number;
  h: number;
  z: number;
  collapsed: boolean;
}

export interface TranscriptLine {
  id: number;
  text: string;
  kind: 'print' | 'info' | 'error';
}

/**
 * What the Transcript keeps: the newest lines, at most TRANSCRIPT_KEEP_LINES of them and
 * TRANSCRIPT_KEEP_CHARS characters in all (a line counts its length and one for its end). Older
 * lines are dropped, and a first line says how many.
 */
export const TRANSCRIPT_KEEP_LINES = 2000;
export const TRANSCRIPT_KEEP_CHARS = 4 * 1024 * 1024;

/** The Transcript's lines and what keeping them within bounds needs. */
export interface TranscriptState {
  /** The lines shown: the note of dropped lines first (if any), then the lines kept, oldest first. */
  transcript: TranscriptLine[];
  /** Characters of the lines kept (the note not counted). */
  transcriptChars: number;
  /** Lines dropped since the Transcript was last cleared. */
  transcriptDropped: number;
}

/** The id of the note of dropped lines (line ids count up from 1). */
const DROPPED_NOTE_ID = 0;

const charsOf = (l: TranscriptLine) => l.text.length + 1;

/** The Transcript with one more line, the oldest lines dropped to stay within its bounds. */
export function appendTranscriptLine(state: TranscriptState, line: TranscriptLine): TranscriptState {
  if (line.text.length >= TRANSCRIPT_KEEP_CHARS)
    line = { ...line, text: `${line.text.slice(0, TRANSCRIPT_KEEP_CHARS - 64)}… (${line.text.length - (TRANSCRIPT_KEEP_CHARS - 64)} chars cut)` };
  const noted = state.transcriptDropped > 0 ? 1 : 0;
  const kept = state.transcript.length - noted;
  let chars = state.transcriptChars + charsOf(line);
  // Drop from the oldest kept line until both bounds hold (the new line always stays).
  let from = noted;
  while (from < state.transcript.length && (kept - (from - noted) + 1 > TRANSCRIPT_KEEP_LINES || chars > TRANSCRIPT_KEEP_CHARS)) {
    chars -= charsOf(state.transcript[from]!);
    from++;
  }
  if (from === noted) return { transcript: [...state.transcript, line], transcriptChars: chars, transcriptDropped: state.transcriptDropped };
  const dropped = state.transcriptDropped + (from - noted);
  const n = (x: number) => x.toLocaleString('en-US');
  const note: TranscriptLine = {
    id: DROPPED_NOTE_ID,
    kind: 'info',
    text: `… ${n(dropped)} earlier line${dropped === 1 ? '' : 's'} dropped: the Transcript keeps the newest ${n(TRANSCRIPT_KEEP_LINES)} lines and ${n(TRANSCRIPT_KEEP_CHARS)} characters`,
  };
  return { transcript: [note, ...state.transcript.slice(from), line], transcriptChars: chars, transcriptDropped: dropped };
}

export interface ViewState extends TranscriptState {
  /** Name of the image the page is showing. */
  imageName: string;
  /** One line the status bar shows about the last thing that happened. */
  statusMessage: string;
  /** Last committed transaction, shown in the status bar. */
  lastCommit: string;
  /** Top-left of the visible part of the world, in world coordinates (panning). */
  viewport: { x: number; y: number };
  windows: WindowMorph[];
  /** Window whose halo is shown (alt-click), if any. */
  haloId: string | null;
  spotterOpen: boolean;
  /** Bumped when the list of images changed without another image being opened (import, delete). */
  imageListVersion: number;
  imageListChanged(): void;
  /** A `.telos` file chosen or dropped, waiting in the Images window for its name. */
  pendingImport: File | null;
  setPendingImport(file: File | null): void;
  setStatus(message: string): void;
  /** How long a workspace evaluation may run, in ms (null: no limit; see evaluation-control.ts). */
  timeLimitMs: number | null;
  setTimeLimit(ms: number | null): void;
  setImageInfo(info: Partial<Pick<ViewState, 'imageName' | 'lastCommit'>>): void;
  panBy(dx: number, dy: number): void;
  /** Opens a window, or brings an existing one with the same kind and target to front. */
  openWindow(w: Omit<WindowMorph, 'id' | 'z' | 'collapsed' | 'x' | 'y' | 'w' | 'h'> & Partial<WindowMorph>): string;
  closeWindow(id: string): void;
  moveWindow(id: string, x: number, y: number): void;
  resizeWindow(id: string, w: number, h: number): void;
  toggleCollapsed(id: string): void;
  bringToFront(id: string): void;
  cloneWindow(id: string): string | null;
  updateWindow(id: string, patch: Partial<WindowMorph>): void;
  replaceWindows(windows: WindowMorph[], viewport?: { x: number; y: number }): void;
  showHalo(id: string | null): void;
  setSpotterOpen(open: boolean): void;
  appendTranscript(text: string, kind?: TranscriptLine['kind']): void;
  clearTranscript(): void;
}

const DEFAULT_SIZE: Record<WindowKind, { w: number; h: number }> = {
  outliner: { w: 420, h: 420 },
  workspace: { w: 520, h: 300 },
  transcript: { w: 420, h: 220 },
  history: { w: 520, h: 360 },
  images: { w: 460, h: 320 },
  method: { w: 560, h: 320 },
  debugger: { w: 640, h: 460 },
  query: { w: 420, h: 300 },
  inspector: { w: 360, h: 260 },
  'safe-mode': { w: 520, h: 320 },
  'missing-image': { w: 520, h: 280 },
  machine: { w: 420, h: 290 },
  console: { w: 720, h: 620 }, // the boot log from the root task to the prompt fits beside the Machine at 1280x720
  'kernel-objects': { w: 460, h: 320 },
  'kernel-object': { w: 380, h: 300 },
  files: { w: 420, h: 340 },
  file: { w: 520, h: 360 },
};

/** How far each new window steps down and right from the one in front. */
export const CASCADE_STEP = 28;
/** Room kept for the World menu above and the status bar below the visible world. */
const TOP_MARGIN = 48;
const BOTTOM_MARGIN = 32;
const LEFT_MARGIN = 40;

/**
 * Where a new window of `size` goes: one step down and right of the window in front (the one
 * the user was working in), or at the top left of what is visible when there is none; never
 * exactly on another window (a window hidden behind one of the same size looks closed), and
 * inside the visible part of the world (`view`): a cascade that would leave it starts again at
 * the top, one step further right each time.
 */
export function placeWindow(
  windows: readonly { x: number; y: number; z: number; collapsed?: boolean }[],
  size: { w: number; h: number },
  view: { x: number; y: number; w: number; h: number },
): { x: number; y: number } {
  const start = { x: view.x + LEFT_MARGIN, y: view.y + TOP_MARGIN };
  const right = view.x + view.w;
  const bottom = view.y + view.h - BOTTOM_MARGIN;
  // A window larger than the view still starts at its top left.
  const fits = (c: { x: number; y: number }) => (c.x + size.w <= right || c.x <= start.x) && (c.y + size.h <= bottom || c.y <= start.y);
  const taken = (c: { x: number; y: number }) => windows.some((w) => Math.abs(w.x - c.x) < CASCADE_STEP / 2 && Math.abs(w.y - c.y) < CASCADE_STEP / 2);
  const visible = (w: { x: number; y: number }) => w.x >= view.x && w.y >= view.y && w.x < right && w.y < bottom;
  const front = windows.filter(visible).reduce<(typeof windows)[number] | null>((top, w) => (!top || w.z > top.z ? w : top), null);
  let c = front ? { x: front.x + CASCADE_STEP, y: front.y + CASCADE_STEP } : start;
  let column = 0;
  for (let tries = 0; tries < 200; tries++) {
    if (!fits(c)) {
      column++;
      c = { x: start.x + column * CASCADE_STEP, y: start.y };
      if (!fits(c)) {
        // Every column tried: start over at the top left.
        column = 0;
        c = start;
      }
    }
    if (!taken(c)) return c;
    c = { x: c.x + CASCADE_STEP, y: c.y + CASCADE_STEP };
  }
  return c;
}

/** Whether a window of `kind` at (x, y) lies inside the visible world (a window beside another
 * one is placed there only when it does not cross the screen's right or bottom edge). */
export function fitsOnScreen(kind: WindowKind, x: number, y: number): boolean {
  const view = visibleWorld(useViewState.getState().viewport);
  const size = DEFAULT_SIZE[kind];
  return x >= view.x && y >= view.y && x + size.w <= view.x + view.w && y + size.h <= view.y + view.h - BOTTOM_MARGIN;
}

/** The visible part of the world, in world coordinates. */
function visibleWorld(viewport: { x: number; y: number }): { x: number; y: number; w: number; h: number } {
  const screen = globalThis as { innerWidth?: number; innerHeight?: number };
  return { x: viewport.x, y: viewport.y, w: screen.innerWidth ?? 1280, h: screen.innerHeight ?? 720 };
}

let nextWindowNumber = 1;
let nextLineId = 1;

export const MIN_WIDTH = 180;
export const MIN_HEIGHT = 80;

/** Whether two targets name the same thing (so opening it again focuses the old window). */
function sameTarget(a: WindowTarget, b: WindowTarget): boolean {
  return a.oid === b.oid && a.selector === b.selector && a.query === b.query && a.data === b.data;
}

export const useViewState = create<ViewState>((set, get) => ({
  imageName: 'genesis',
  statusMessage: 'Ready',
  lastCommit: '—',
  viewport: { x: 0, y: 0 },
  windows: [],
  haloId: null,
  spotterOpen: false,
  transcript: [],
  transcriptChars: 0,
  transcriptDropped: 0,
  imageListVersion: 0,
  imageListChanged: () => set((s) => ({ imageListVersion: s.imageListVersion + 1 })),
  pendingImport: null,
  setPendingImport: (pendingImport) => set({ pendingImport }),
  setStatus: (statusMessage) => set({ statusMessage }),
  timeLimitMs: DEFAULT_TIME_LIMIT_MS,
  setTimeLimit: (timeLimitMs) => set({ timeLimitMs }),
  setImageInfo: (info) => set(info),
  panBy: (dx, dy) => set((s) => ({ viewport: { x: s.viewport.x + dx, y: s.viewport.y + dy } })),
  openWindow: (spec) => {
    const s = get();
    const singleton = ['transcript', 'history', 'images', 'safe-mode', 'missing-image', 'machine', 'console', 'kernel-objects', 'files'].includes(spec.kind);
    const existing = s.windows.find(
      (w) => w.kind === spec.kind && (singleton || (spec.kind !== 'workspace' && sameTarget(w.target, spec.target))),
    );
    if (existing && spec.kind !== 'debugger') {
      s.bringToFront(existing.id);
      if (existing.collapsed) s.toggleCollapsed(existing.id);
      return existing.id;
    }
    const size = { w: spec.w ?? DEFAULT_SIZE[spec.kind].w, h: spec.h ?? DEFAULT_SIZE[spec.kind].h };
    const z = Math.max(0, ...s.windows.map((w) => w.z)) + 1;
    const place = spec.x === undefined || spec.y === undefined ? placeWindow(s.windows, size, visibleWorld(s.viewport)) : null;
    const id = spec.id ?? `w${Date.now().toString(36)}${nextWindowNumber++}`;
    const win: WindowMorph = {
      id,
      kind: spec.kind,
      title: spec.title,
      target: spec.target,
      x: spec.x ?? place!.x,
      y: spec.y ?? place!.y,
      w: size.w,
      h: size.h,
      z,
      collapsed: false,
    };
    set({ windows: [...s.windows, win] });
    return id;
  },
  closeWindow: (id) =>
    set((s) => ({ windows: s.windows.filter((w) => w.id !== id), haloId: s.haloId === id ? null : s.haloId })),
  moveWindow: (id, x, y) =>
    set((s) => ({ windows: s.windows.map((w) => (w.id === id ? { ...w, x: Math.round(x), y: Math.round(y) } : w)) })),
  resizeWindow: (id, w, h) =>
    set((s) => ({
      windows: s.windows.map((m) =>
        m.id === id ? { ...m, w: Math.max(MIN_WIDTH, Math.round(w)), h: Math.max(MIN_HEIGHT, Math.round(h)) } : m,
      ),
    })),
  toggleCollapsed: (id) =>
    set((s) => ({ windows: s.windows.map((w) => (w.id === id ? { ...w, collapsed: !w.collapsed } : w)) })),
  bringToFront: (id) =>
    set((s) => {
      const top = Math.max(0, ...s.windows.map((w) => w.z));
      const win = s.windows.find((w) => w.id === id);
      if (!win || (win.z === top && s.windows.filter((w) => w.z === top).length === 1)) return s;
      return { windows: s.windows.map((w) => (w.id === id ? { ...w, z: top + 1 } : w)) };
    }),
  cloneWindow: (id) => {
    const s = get();
    const win = s.windows.find((w) => w.id === id);
    if (!win) return null;
    const copy: WindowMorph = {
      ...win,
      id: `w${Date.now().toString(36)}${nextWindowNumber++}`,
      x: win.x + 24,
      y: win.y + 24,
      z: Math.max(0, ...s.windows.map((w) => w.z)) + 1,
    };
    set({ windows: [...s.windows, copy] });
    return copy.id;
  },
  updateWindow: (id, patch) =>
    set((s) => ({ windows: s.windows.map((w) => (w.id === id ? { ...w, ...patch } : w)) })),
  replaceWindows: (windows, viewport) => set((s) => ({ windows, viewport: viewport ?? s.viewport })),
  showHalo: (haloId) => set({ haloId }),
  setSpotterOpen: (spotterOpen) => set({ spotterOpen }),
  appendTranscript: (text, kind = 'print') => set((s) => appendTranscriptLine(s, { id: nextLineId++, text, kind })),
  clearTranscript: () => set({ transcript: [], transcriptChars: 0, transcriptDropped: 0 }),
}));
