// View state of the IDE (zustand). It holds only what the page shows — which windows are
// open, where, and what they show — never the truth about the image, which the World
// worker holds. Window layout is saved into the image by layoutStore.ts.
import { create } from 'zustand';

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
  | 'machine'
  | 'console'
  | 'kernel-objects'
  | 'kernel-object';

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

export interface ViewState {
  /** Name of the image the page is showing. */
  imageName: string;
  /** One line the status bar shows about the last thing that happened. */
  statusMessage: string;
  /** Last committed transaction, shown in the status bar. */
  lastCommit: string;
  /** Storage used by the image, shown in the status bar. */
  storageUsed: string;
  /** Top-left of the visible part of the world, in world coordinates (panning). */
  viewport: { x: number; y: number };
  windows: WindowMorph[];
  /** Window whose halo is shown (alt-click), if any. */
  haloId: string | null;
  spotterOpen: boolean;
  transcript: TranscriptLine[];
  /** Bumped when the list of images changed without another image being opened (import, delete). */
  imageListVersion: number;
  imageListChanged(): void;
  setStatus(message: string): void;
  setImageInfo(info: Partial<Pick<ViewState, 'imageName' | 'lastCommit' | 'storageUsed'>>): void;
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
  machine: { w: 400, h: 250 },
  console: { w: 680, h: 420 },
  'kernel-objects': { w: 460, h: 320 },
  'kernel-object': { w: 380, h: 300 },
};

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
  storageUsed: '—',
  viewport: { x: 0, y: 0 },
  windows: [],
  haloId: null,
  spotterOpen: false,
  transcript: [],
  imageListVersion: 0,
  imageListChanged: () => set((s) => ({ imageListVersion: s.imageListVersion + 1 })),
  setStatus: (statusMessage) => set({ statusMessage }),
  setImageInfo: (info) => set(info),
  panBy: (dx, dy) => set((s) => ({ viewport: { x: s.viewport.x + dx, y: s.viewport.y + dy } })),
  openWindow: (spec) => {
    const s = get();
    const singleton = ['transcript', 'history', 'images', 'safe-mode', 'machine', 'console', 'kernel-objects'].includes(spec.kind);
    const existing = s.windows.find(
      (w) => w.kind === spec.kind && (singleton || (spec.kind !== 'workspace' && sameTarget(w.target, spec.target))),
    );
    if (existing && spec.kind !== 'debugger') {
      s.bringToFront(existing.id);
      if (existing.collapsed) s.toggleCollapsed(existing.id);
      return existing.id;
    }
    const size = DEFAULT_SIZE[spec.kind];
    const z = Math.max(0, ...s.windows.map((w) => w.z)) + 1;
    // Cascade new windows from the top left of what is visible.
    const n = s.windows.length % 8;
    const id = spec.id ?? `w${Date.now().toString(36)}${nextWindowNumber++}`;
    const win: WindowMorph = {
      id,
      kind: spec.kind,
      title: spec.title,
      target: spec.target,
      x: spec.x ?? s.viewport.x + 40 + n * 28,
      y: spec.y ?? s.viewport.y + 48 + n * 28,
      w: spec.w ?? size.w,
      h: spec.h ?? size.h,
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
  appendTranscript: (text, kind = 'print') =>
    set((s) => {
      const lines = [...s.transcript, { id: nextLineId++, text, kind }];
      return { transcript: lines.length > 2000 ? lines.slice(-2000) : lines };
    }),
  clearTranscript: () => set({ transcript: [] }),
}));
