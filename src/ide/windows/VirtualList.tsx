// A fixed-row-height virtual list: only the rows in view (plus a few) are in the DOM, so
// an outliner on a 5,000-slot object opens and scrolls as fast as one on five.
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';

export function VirtualList<T>({
  items,
  rowHeight,
  render,
  label,
  keyOf,
  overscan = 8,
}: {
  items: T[];
  rowHeight: number;
  render: (item: T, index: number) => ReactNode;
  label: string;
  /** A stable key per item, so a row's state (an edit in progress) stays with its item when
   * items above it come or go; by default the position. */
  keyOf?: (item: T, index: number) => string;
  overscan?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 400 });

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight || 400 });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(view.top / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((view.top + view.height) / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div key={keyOf ? keyOf(items[i]!, i) : i} className="vrow" style={{ transform: `translateY(${i * rowHeight}px)`, height: rowHeight }}>
        {render(items[i]!, i)}
      </div>,
    );
  }
  return (
    <div
      ref={box}
      className="vlist"
      role="list"
      aria-label={label}
      onScroll={(e) => setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}
    >
      <div className="vlist-spacer" style={{ height: items.length * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
