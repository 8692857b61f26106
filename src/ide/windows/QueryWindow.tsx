// Senders, implementors of a selector, or references to an object: a list of hits, each
// opening the method or the object it names.
import { useWorldQuery } from '../world-link/use-world';
import { openMethodEditor, openOutliner } from '../actions';
import type { QueryHit } from '../world-link/types';

export function QueryWindow({ query, selector, oid }: { query: 'senders' | 'implementors' | 'references'; selector: string; oid?: number }) {
  const { data, error } = useWorldQuery(
    (l) => (query === 'senders' ? l.senders(selector) : query === 'implementors' ? l.implementors(selector) : l.references(oid ?? 0)),
    [query, selector, oid],
  );
  if (error && !data) return <p className="error-text">Query failed: {error}</p>;
  if (!data) return <p className="muted">Searching…</p>;
  return <HitList hits={data} label="Results" />;
}

export function openHit(hit: QueryHit): void {
  if ((hit.kind === 'method' || hit.kind === 'slot') && hit.slot && hit.kind === 'method') openMethodEditor(hit.oid, hit.objectName, hit.slot);
  else openOutliner(hit.oid, hit.objectName);
}

export function HitList({ hits, label }: { hits: QueryHit[]; label: string }) {
  if (hits.length === 0) return <p className="muted">Nothing found.</p>;
  return (
    <ul className="hits" aria-label={label}>
      {hits.map((h, i) => (
        <li key={i}>
          <button type="button" className="linklike" onClick={() => openHit(h)}>
            {h.objectName}
            {h.slot ? ` » ${h.slot}` : ''}
          </button>
          <span className="muted"> {h.kind}</span>
          {h.excerpt && <div className="mono excerpt">{h.excerpt}</div>}
        </li>
      ))}
    </ul>
  );
}
