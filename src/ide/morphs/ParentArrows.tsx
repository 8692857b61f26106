// Arrows from each outliner to the outliners of its parents, drawn under the windows.
import { useParentLinks } from './parent-links';
import { useViewState, type WindowMorph } from '../view-state';

function edgePoint(from: WindowMorph, to: WindowMorph): [number, number, number, number] {
  const fh = from.collapsed ? 30 : from.h;
  const th = to.collapsed ? 30 : to.h;
  const fx = from.x + from.w / 2;
  const fy = from.y + fh / 2;
  const tx = to.x + to.w / 2;
  const ty = to.y + th / 2;
  // Clip the centre-to-centre segment to each rectangle's border.
  const clip = (cx: number, cy: number, w: number, h: number, dx: number, dy: number): [number, number] => {
    const sx = dx === 0 ? Infinity : w / 2 / Math.abs(dx);
    const sy = dy === 0 ? Infinity : h / 2 / Math.abs(dy);
    const s = Math.min(sx, sy, 1);
    return [cx + dx * s, cy + dy * s];
  };
  const [ax, ay] = clip(fx, fy, from.w, fh, tx - fx, ty - fy);
  const [bx, by] = clip(tx, ty, to.w, th, fx - tx, fy - ty);
  return [ax, ay, bx, by];
}

export function ParentArrows() {
  const links = useParentLinks((s) => s.links);
  const windows = useViewState((s) => s.windows);
  const lines: [string, number, number, number, number][] = [];
  for (const [winId, parents] of Object.entries(links)) {
    const from = windows.find((w) => w.id === winId);
    if (!from) continue;
    for (const p of parents) {
      const to = windows.find((w) => w.kind === 'outliner' && w.target.oid === p);
      if (to && to.id !== from.id) lines.push([`${winId}-${to.id}`, ...edgePoint(from, to)]);
    }
  }
  if (lines.length === 0) return null;
  return (
    <svg className="parent-arrows" aria-hidden="true" width="1" height="1">
      <defs>
        <marker id="arrowhead" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto">
          <path d="M0,0 L10,4 L0,8 z" />
        </marker>
      </defs>
      {lines.map(([key, x1, y1, x2, y2]) => (
        <line key={key} x1={x1} y1={y1} x2={x2} y2={y2} markerEnd="url(#arrowhead)" />
      ))}
    </svg>
  );
}
