// The halo: Morphic's ring of handles around a window, shown on alt-click (or Alt+H on a
// title bar). Close, Move (drag), Resize (drag), Clone, Inspect (the morph itself) and
// Bring to front. Escape dismisses it.
import { useEffect, useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { useViewState } from '../view-state';

/** Arrow keys on a halo handle step the window by 16 px in that direction. */
const ARROW_STEPS: Record<string, [number, number]> = { ArrowLeft: [-16, 0], ArrowRight: [16, 0], ArrowUp: [0, -16], ArrowDown: [0, 16] };
function onArrowKey(step: (d: [number, number]) => void) {
  return (e: KeyboardEvent) => {
    const d = ARROW_STEPS[e.key];
    if (!d) return;
    e.preventDefault();
    step(d);
  };
}

export function Halo() {
  const haloId = useViewState((s) => s.haloId);
  const win = useViewState((s) => s.windows.find((w) => w.id === s.haloId));
  const drag = useRef<{ mode: 'move' | 'resize'; x: number; y: number; ox: number; oy: number } | null>(null);
  const first = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (haloId) first.current?.focus();
  }, [haloId]);

  if (!win) return null;
  const s = useViewState.getState();
  const dismiss = () => s.showHalo(null);

  const startDrag = (mode: 'move' | 'resize') => (e: PointerEvent<HTMLElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.stopPropagation();
    drag.current = { mode, x: e.clientX, y: e.clientY, ox: mode === 'move' ? win.x : win.w, oy: mode === 'move' ? win.y : win.h };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onMove = (e: PointerEvent<HTMLElement>) => {
    const d = drag.current;
    if (!d) return;
    const nx = d.ox + e.clientX - d.x;
    const ny = d.oy + e.clientY - d.y;
    if (d.mode === 'move') s.moveWindow(win.id, nx, ny);
    else s.resizeWindow(win.id, nx, ny);
  };
  const onUp = () => {
    drag.current = null;
  };
  const height = win.collapsed ? 30 : win.h;

  return (
    <div
      className="halo"
      role="toolbar"
      aria-label={`Halo for ${win.title}`}
      style={{ transform: `translate(${win.x - 30}px, ${win.y - 30}px)`, width: win.w + 60, height: height + 60 }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') dismiss();
      }}
      onPointerDown={(e) => e.stopPropagation()}
    >
      <button
        ref={first}
        type="button"
        className="halo-handle h-close"
        aria-label="Close"
        title="Close"
        onClick={() => {
          s.closeWindow(win.id);
          dismiss();
        }}
      >
        ×
      </button>
      <button type="button" className="halo-handle h-front" aria-label="Bring to front" title="Bring to front" onClick={() => s.bringToFront(win.id)}>
        ⇡
      </button>
      <button
        type="button"
        className="halo-handle h-clone"
        aria-label="Clone"
        title="Clone"
        onClick={() => {
          const copy = s.cloneWindow(win.id);
          if (copy) s.showHalo(copy);
        }}
      >
        ⊕
      </button>
      <button
        type="button"
        className="halo-handle h-inspect"
        aria-label="Inspect"
        title="Inspect"
        onClick={() =>
          s.openWindow({
            kind: 'inspector',
            title: `Morph: ${win.title}`,
            target: { data: { morphId: win.id } },
          })
        }
      >
        ?
      </button>
      <button
        type="button"
        className="halo-handle h-move"
        aria-label="Move"
        title="Move (drag; arrow keys)"
        onPointerDown={startDrag('move')}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onKeyDown={onArrowKey((d) => s.moveWindow(win.id, win.x + d[0], win.y + d[1]))}
      >
        ✥
      </button>
      <button
        type="button"
        className="halo-handle h-resize"
        aria-label="Resize"
        title="Resize (drag; arrow keys)"
        onPointerDown={startDrag('resize')}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onKeyDown={onArrowKey((d) => s.resizeWindow(win.id, win.w + d[0], win.h + d[1]))}
      >
        ⤡
      </button>
      <button type="button" className="halo-handle h-dismiss" aria-label="Dismiss halo" title="Dismiss halo (Escape)" onClick={dismiss}>
        ○
      </button>
    </div>
  );
}
