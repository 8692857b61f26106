// A window morph: a labelled dialog on the World canvas that moves (drag its title bar or
// use the arrow keys on it), resizes (drag the corner, or Shift+arrows on the title bar),
// collapses to its title bar, stacks (a click brings it to front) and closes.
// Alt-click shows its halo. Each window subscribes only to its own entry in the view
// state, so dragging one window re-renders that window alone.
import { useRef, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import { useViewState } from '../view-state';

const KEY_STEP = 16;

export function WindowMorphView({ id, children }: { id: string; children: ReactNode }) {
  const win = useViewState((s) => s.windows.find((w) => w.id === id));
  const drag = useRef<{ mode: 'move' | 'resize'; x: number; y: number; ox: number; oy: number } | null>(null);
  if (!win) return null;
  const { moveWindow, resizeWindow, bringToFront, closeWindow, toggleCollapsed, showHalo } = useViewState.getState();
  const titleId = `${id}-title`;

  const startDrag = (mode: 'move' | 'resize') => (e: PointerEvent<HTMLElement>) => {
    if (e.button !== 0 || e.altKey) return;
    if ((e.target as HTMLElement).closest('button') && mode === 'move') return;
    e.preventDefault();
    e.stopPropagation();
    bringToFront(id);
    const cur = useViewState.getState().windows.find((w) => w.id === id)!;
    drag.current =
      mode === 'move'
        ? { mode, x: e.clientX, y: e.clientY, ox: cur.x, oy: cur.y }
        : { mode, x: e.clientX, y: e.clientY, ox: cur.w, oy: cur.h };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onDragMove = (e: PointerEvent<HTMLElement>) => {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (d.mode === 'move') moveWindow(id, d.ox + dx, d.oy + dy);
    else resizeWindow(id, d.ox + dx, d.oy + dy);
  };
  const endDrag = () => {
    drag.current = null;
  };

  const onTitleKey = (e: KeyboardEvent<HTMLElement>) => {
    if (e.target !== e.currentTarget) return;
    const arrows: Record<string, [number, number]> = {
      ArrowLeft: [-KEY_STEP, 0],
      ArrowRight: [KEY_STEP, 0],
      ArrowUp: [0, -KEY_STEP],
      ArrowDown: [0, KEY_STEP],
    };
    const step = arrows[e.key];
    if (step) {
      e.preventDefault();
      if (e.shiftKey) resizeWindow(id, win.w + step[0], win.h + step[1]);
      else moveWindow(id, win.x + step[0], win.y + step[1]);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      toggleCollapsed(id);
    } else if (e.key === 'h' && e.altKey) {
      e.preventDefault();
      showHalo(id);
    }
  };

  const onPointerDownCapture = (e: PointerEvent<HTMLElement>) => {
    if (e.altKey && e.button === 0) {
      e.preventDefault();
      e.stopPropagation();
      showHalo(useViewState.getState().haloId === id ? null : id);
      return;
    }
    bringToFront(id);
  };

  return (
    <section
      role="dialog"
      aria-modal="false"
      aria-label={win.title}
      className={`morph-window kind-${win.kind}${win.collapsed ? ' collapsed' : ''}`}
      data-window-id={id}
      style={{
        transform: `translate(${win.x}px, ${win.y}px)`,
        width: win.w,
        height: win.collapsed ? undefined : win.h,
        zIndex: win.z,
      }}
      onPointerDownCapture={onPointerDownCapture}
    >
      <header
        className="morph-titlebar"
        tabIndex={0}
        aria-label={`${win.title} title bar: arrow keys move, Shift+arrows resize, Enter collapses, Alt+H shows the halo`}
        onPointerDown={startDrag('move')}
        onPointerMove={onDragMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
        onKeyDown={onTitleKey}
      >
        <button type="button" className="morph-btn close" aria-label="Close" title="Close" onClick={() => closeWindow(id)}>
          ×
        </button>
        <button
          type="button"
          className="morph-btn"
          aria-label={win.collapsed ? 'Expand' : 'Collapse'}
          aria-expanded={!win.collapsed}
          title={win.collapsed ? 'Expand' : 'Collapse'}
          onClick={() => toggleCollapsed(id)}
        >
          {win.collapsed ? '▸' : '▾'}
        </button>
        <h2 id={titleId} className="morph-title">
          {win.title}
        </h2>
      </header>
      {!win.collapsed && <div className="morph-body">{children}</div>}
      {!win.collapsed && (
        <div
          className="morph-resize"
          role="button"
          tabIndex={-1}
          aria-label="Resize"
          title="Resize"
          onPointerDown={startDrag('resize')}
          onPointerMove={onDragMove}
          onPointerUp={endDrag}
          onPointerCancel={endDrag}
        />
      )}
    </section>
  );
}
