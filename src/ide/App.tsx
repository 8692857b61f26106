// The IDE's top level: the world menu, the World canvas with its windows, the spotter and
// the status bar. It connects to the World worker, restores the window layout stored in
// the image, and binds the global keys (Ctrl/Cmd+K for the spotter).
import './ide.css';
import { useEffect } from 'react';
import { StatusBar } from './StatusBar';
import { WorldCanvas } from './WorldCanvas';
import { WorldMenu } from './WorldMenu';
import { Spotter } from './Spotter';
import { useViewState } from './view-state';
import { connectWorld } from './world-link/connect';
import { useWorldLinkState } from './world-link/use-world';
import { restoreAndFollowLayout } from './layout-store';
import { startServiceWorker } from './app-updates';

/** A handle for the devtools console and scripted checks (as lively's `$world`): the view
 * state and the World link. Nothing in the IDE reads it. */
(globalThis as unknown as { telosStudio: unknown }).telosStudio = {
  view: useViewState,
  world: () => useWorldLinkState.getState().link,
};

/** Brings the next window (in stacking order) to front and focuses its title bar. */
function focusNextWindow(direction: 1 | -1): void {
  const s = useViewState.getState();
  if (s.windows.length === 0) return;
  const byZ = [...s.windows].sort((a, b) => b.z - a.z);
  const current = document.activeElement?.closest('[data-window-id]')?.getAttribute('data-window-id');
  const at = byZ.findIndex((w) => w.id === current);
  const next = direction === 1 ? byZ[(at + 1) % byZ.length]! : byZ[at <= 0 ? byZ.length - 1 : at - 1]!;
  // The front window is the one focused first; cycling sends it to the back as Alt+Tab does.
  s.bringToFront(next.id);
  requestAnimationFrame(() =>
    document.querySelector<HTMLElement>(`[data-window-id="${next.id}"] .morph-titlebar`)?.focus(),
  );
}

// Start the World worker now rather than after the first render.
void connectWorld();

/** The browser tab names the open image ("TelOS — default"), once the World has said which. */
function TabTitle() {
  const imageName = useViewState((s) => s.imageName);
  const status = useWorldLinkState((s) => s.status);
  useEffect(() => {
    document.title = status === 'ready' ? `TelOS — ${imageName}` : 'TelOS Studio';
  }, [imageName, status]);
  return null;
}

export function App() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        useViewState.getState().setSpotterOpen(true);
      } else if (e.altKey && (e.key === '`' || e.code === 'Backquote')) {
        // Alt+` cycles keyboard focus through the windows, front to back.
        e.preventDefault();
        focusNextWindow(e.shiftKey ? -1 : 1);
      } else if (e.key === 'Escape' && useViewState.getState().haloId) {
        useViewState.getState().showHalo(null);
      }
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, []);

  useEffect(() => {
    // The IDE itself (canvas, menu, windows that need no World) is usable from here on.
    performance.mark('telos:ide-ready');
    let stopLayout: (() => void) | null = null;
    let cancelled = false;
    void connectWorld().then(async () => {
      if (cancelled) return;
      stopLayout = await restoreAndFollowLayout();
      // The world is interactive: tests and the load benchmark wait for this.
      document.documentElement.dataset.worldReady = 'true';
      performance.mark('telos:world-ready');
      void startServiceWorker();
    });
    return () => {
      cancelled = true;
      stopLayout?.();
    };
  }, []);

  return (
    <div className="ide">
      <WorldMenu />
      <WorldCanvas />
      <StatusBar />
      <Spotter />
      <TabTitle />
    </div>
  );
}
