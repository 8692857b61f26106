// A plain list of the World's objects, read through the World worker's client: the first
// sight of the living World in the page (the IDE's outliners replace it later).

import { useEffect, useState } from 'react';
import { getWorldClient, type ObjectSummary, type WorldClient } from '../workers/world-client';

export interface GenesisListProps {
  /** Defaults to the page's shared World worker. */
  client?: WorldClient;
}

export function GenesisList({ client }: GenesisListProps) {
  const [objects, setObjects] = useState<ObjectSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const c = client ?? getWorldClient();
    let live = true;
    const load = () =>
      c.listObjects().then(
        (list) => live && (setObjects(list), setError(null)),
        (e: unknown) => live && setError(e instanceof Error ? `${e.name}: ${e.message}` : String(e)),
      );
    void load();
    const off = c.subscribe((event) => {
      if (event.type === 'change' && event.change.type !== 'aborted') void load();
    });
    return () => {
      live = false;
      off();
    };
  }, [client]);

  return (
    <section aria-label="World objects" className="genesis-list">
      <h2>World</h2>
      {error && <p role="alert">The World could not be read: {error}</p>}
      {!objects && !error && <p>Opening the World…</p>}
      {objects && (
        <ul>
          {objects.map((o) => (
            <li key={o.oid} data-oid={o.oid}>
              <strong>{o.name || 'an object'}</strong> <span className="oid">#{o.oid}</span>{' '}
              <span className="slot-count">
                {o.slotCount} {o.slotCount === 1 ? 'slot' : 'slots'}
                {o.traits.length > 0 && `, ${o.traits.length} ${o.traits.length === 1 ? 'trait' : 'traits'}`}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
