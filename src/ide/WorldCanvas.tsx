// The World canvas: the surface on which windows (morphs) live. Dragging the empty
// background pans the world, as in a Morphic world larger than the screen; clicking it
// dismisses a halo.
import { useRef, type DragEvent, type PointerEvent, type ReactNode } from 'react';
import { importImageFile } from './actions';
import { useShallow } from 'zustand/react/shallow';
import { useViewState } from './view-state';
import { WindowMorphView } from './morphs/WindowMorphView';
import { WindowContent } from './morphs/WindowContent';
import { Halo } from './morphs/Halo';
import { ParentArrows } from './morphs/ParentArrows';

export function WorldCanvas({ children }: { children?: ReactNode }) {
  const viewport = useViewState((s) => s.viewport);
  const panBy = useViewState((s) => s.panBy);
  const windowIds = useViewState(useShallow((s) => s.windows.map((w) => w.id)));
  const drag = useRef<{ x: number; y: number } | null>(null);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget || e.button !== 0) return;
    if (useViewState.getState().haloId) useViewState.getState().showHalo(null);
    drag.current = { x: e.clientX, y: e.clientY };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag.current) return;
    panBy(drag.current.x - e.clientX, drag.current.y - e.clientY);
    drag.current = { x: e.clientX, y: e.clientY };
  };
  const onPointerUp = () => {
    drag.current = null;
  };
  // A .telos file dropped on the world is imported as a new image.
  const carriesFiles = (e: DragEvent<HTMLElement>) => e.dataTransfer.types.includes('Files');
  const onDragOver = (e: DragEvent<HTMLElement>) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  };
  const onDrop = (e: DragEvent<HTMLElement>) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    const file = e.dataTransfer.files[0];
    if (!file) return;
    if (!/\.telos$/i.test(file.name)) {
      useViewState.getState().setStatus(`Import ${file.name} refused: only .telos image files can be dropped on the world`);
      return;
    }
    importImageFile(file);
  };

  return (
    <main
      className="world-canvas"
      aria-label="World"
      data-testid="world-canvas"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onDragOver={onDragOver}
      onDrop={onDrop}
      style={{ backgroundPosition: `${-viewport.x}px ${-viewport.y}px` }}
    >
      <div className="world-layer" style={{ transform: `translate(${-viewport.x}px, ${-viewport.y}px)` }}>
        <ParentArrows />
        {windowIds.map((id) => (
          <WindowMorphView key={id} id={id}>
            <WindowContent id={id} />
          </WindowMorphView>
        ))}
        <Halo />
        {children}
      </div>
    </main>
  );
}
