// Window layout persistence. The layout (each window's kind, target, position, size,
// stacking and collapse, plus the pan offset) is written into the image through the World
// link, so a reload — or the image opened elsewhere — brings the world back as it was
// left. Writes are debounced so a drag is one write at its end, not one per frame.
import { useViewState, type WindowMorph } from './view-state';
import { useWorldLinkState } from './world-link/use-world';

export interface SavedLayout {
  version: 1;
  viewport: { x: number; y: number };
  windows: WindowMorph[];
}

/** Windows worth keeping across reloads (a safe-mode or missing-image report describes one load only). */
const transient = new Set<WindowMorph['kind']>(['safe-mode', 'missing-image']);

export function currentLayout(): SavedLayout {
  const s = useViewState.getState();
  return { version: 1, viewport: s.viewport, windows: s.windows.filter((w) => !transient.has(w.kind)) };
}

export function isSavedLayout(x: unknown): x is SavedLayout {
  const l = x as SavedLayout;
  return (
    !!l &&
    l.version === 1 &&
    Array.isArray(l.windows) &&
    l.windows.every((w) => typeof w.id === 'string' && typeof w.x === 'number' && typeof w.kind === 'string')
  );
}

/** The layout a first visit shows: the lobby's outliner and a Transcript. */
export function defaultLayout(rootOid: number): SavedLayout {
  return {
    version: 1,
    viewport: { x: 0, y: 0 },
    windows: [
      { id: 'lobby', kind: 'outliner', title: 'lobby', target: { oid: rootOid }, x: 24, y: 56, w: 340, h: 380, z: 1, collapsed: false },
      { id: 'transcript', kind: 'transcript', title: 'Transcript', target: {}, x: 760, y: 430, w: 440, h: 200, z: 2, collapsed: false },
    ],
  };
}

/**
 * Replaces the windows with the layout stored in the open image (or the default one). On a
 * switch of image, `replacing` names the windows of the image left behind: they go, while a
 * window opened since the switch began (the layout is read asynchronously) stays.
 */
export async function applySavedLayout(replacing?: ReadonlySet<string>): Promise<void> {
  const link = useWorldLinkState.getState().link;
  let saved: unknown = null;
  if (link) {
    try {
      saved = await link.readLayout();
    } catch {
      saved = null;
    }
  }
  const layout = isSavedLayout(saved) ? saved : defaultLayout(link?.rootOid ?? 0);
  // Windows opened while the image was loading stay, above the restored ones.
  const current = useViewState.getState().viewport;
  // On a switch of image the Images window, where the switch was made, stays too.
  const early = useViewState.getState().windows.filter((w) => !replacing?.has(w.id) || w.kind === 'images').filter(
    (w) => !layout.windows.some((l) => l.id === w.id || (l.kind === w.kind && ['transcript', 'history', 'images'].includes(w.kind))),
  );
  const top = Math.max(0, ...layout.windows.map((w) => w.z));
  useViewState.getState().replaceWindows(
    [...layout.windows, ...early.map((w, i) => ({ ...w, z: top + 1 + i }))],
    // A pan made while the image loaded wins over the stored one.
    !replacing && (current.x !== 0 || current.y !== 0) ? current : layout.viewport,
  );
}

/** Restores the image's layout (or the default) and saves every later change. */
export async function restoreAndFollowLayout(): Promise<() => void> {
  await applySavedLayout();

  let timer: ReturnType<typeof setTimeout> | null = null;
  let changes = 0;
  let last = JSON.stringify(currentLayout());
  const unsubscribe = useViewState.subscribe((s, prev) => {
    if (s.windows === prev.windows && s.viewport === prev.viewport) return;
    if (timer) clearTimeout(timer);
    // While a change waits for its write the page says so (tests and tools wait on it).
    const generation = ++changes;
    document.documentElement.dataset.layoutSaving = '';
    const settled = () => {
      if (generation === changes) delete document.documentElement.dataset.layoutSaving;
    };
    timer = setTimeout(() => {
      const json = JSON.stringify(currentLayout());
      if (json === last) return settled();
      last = json;
      const l = useWorldLinkState.getState().link;
      if (!l) return settled();
      l.writeLayout(JSON.parse(json))
        .then(
          (o) =>
            useViewState.getState().setStatus(o.ok ? 'Layout saved in the image' : `Layout not saved: ${o.error.message}`),
          (e: unknown) => useViewState.getState().setStatus(`Layout not saved: ${e instanceof Error ? e.message : String(e)}`),
        )
        .finally(settled);
    }, 400);
  });
  return () => {
    if (timer) clearTimeout(timer);
    unsubscribe();
  };
}
