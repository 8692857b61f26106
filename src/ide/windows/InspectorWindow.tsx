// An inspector for what is not an object: a value from Inspect it, or a morph itself
// (from its halo) — its kind, target, position and size.
import { useViewState } from '../view-state';
import { formatValue } from '../world-link/format';
import type { Value } from '../world-link/types';

export function InspectorWindow({ data }: { data: unknown }) {
  const d = (data ?? {}) as { morphId?: string; value?: Value; printString?: string };
  const morph = useViewState((s) => (d.morphId ? s.windows.find((w) => w.id === d.morphId) : undefined));
  if (d.morphId) {
    if (!morph) return <p className="muted">That window has been closed.</p>;
    const fields: [string, string][] = [
      ['kind', morph.kind],
      ['title', morph.title],
      ['target', JSON.stringify(morph.target.oid !== undefined ? { oid: morph.target.oid, selector: morph.target.selector } : {})],
      ['position', `${morph.x}, ${morph.y}`],
      ['size', `${morph.w} × ${morph.h}`],
      ['stack order', String(morph.z)],
      ['collapsed', String(morph.collapsed)],
    ];
    return <FieldTable fields={fields} />;
  }
  return <FieldTable fields={[['value', d.printString ?? formatValue(d.value)], ['type', Array.isArray(d.value) ? 'list' : d.value === null ? 'null' : typeof d.value]]} />;
}

function FieldTable({ fields }: { fields: [string, string][] }) {
  return (
    <table className="fields">
      <tbody>
        {fields.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td className="mono">{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
