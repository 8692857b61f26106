// Spotter (Ctrl/Cmd+K): one search box over object names, slot names and method source,
// plus the IDE's own commands. Arrow keys move through hits, Enter opens, Escape closes.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useViewState } from './view-state';
import { useWorldLink } from './world-link/use-world';
import type { QueryHit } from './world-link/types';
import { openHit } from './windows/QueryWindow';
import { openSingleton, openWorkspace } from './actions';

interface Command {
  label: string;
  run: () => void;
}

const COMMANDS: Command[] = [
  { label: 'Open Workspace', run: () => openWorkspace() },
  { label: 'Open Transcript', run: () => openSingleton('transcript') },
  { label: 'Open History', run: () => openSingleton('history') },
  { label: 'Open Images', run: () => openSingleton('images') },
];

type Entry = { type: 'command'; command: Command } | { type: 'hit'; hit: QueryHit };
const NO_HITS: QueryHit[] = [];

export function Spotter() {
  const open = useViewState((s) => s.spotterOpen);
  if (!open) return null;
  return <SpotterDialog />;
}

function SpotterDialog() {
  const link = useWorldLink();
  const [text, setText] = useState('');
  // Hits belong to the text they answer: while a newer text is being searched, older hits
  // are not shown (Enter must not open a hit for what was typed before).
  const [found, setFound] = useState<{ query: string; hits: QueryHit[]; failure?: string }>({ query: '', hits: [] });
  const answered = text.trim() !== '' && found.query === text.trim();
  const hits = answered ? found.hits : NO_HITS;
  // Said once the search for the text has answered, never while it runs (no flash of "no match").
  const outcome = !answered ? '' : found.failure !== undefined ? `Search failed: ${found.failure}` : hits.length === 0 ? `No objects match “${found.query}”` : '';
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const returnFocus = useRef<Element | null>(document.activeElement);
  const close = () => {
    useViewState.getState().setSpotterOpen(false);
    (returnFocus.current as HTMLElement | null)?.focus?.();
  };

  useEffect(() => {
    input.current?.focus();
  }, []);
  useEffect(() => {
    const q = text.trim();
    if (!link || q.length === 0) return;
    let live = true;
    const t = setTimeout(() => {
      link.search(q, 50).then(
        (h) => live && setFound({ query: q, hits: h }),
        (e: unknown) => live && setFound({ query: q, hits: [], failure: e instanceof Error ? e.message : String(e) }),
      );
    }, 60);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [text, link]);

  const entries: Entry[] = useMemo(() => {
    const q = text.trim().toLowerCase();
    const cmds = COMMANDS.filter((c) => !q || c.label.toLowerCase().includes(q)).map((command) => ({ type: 'command' as const, command }));
    return [...hits.map((hit) => ({ type: 'hit' as const, hit })), ...cmds];
  }, [hits, text]);
  useEffect(() => {
    setActive(0);
  }, [entries.length]);

  const choose = (e: Entry | undefined) => {
    if (!e) return;
    close();
    if (e.type === 'command') e.command.run();
    else openHit(e.hit);
  };

  return (
    <div className="spotter-backdrop" onPointerDown={(e) => e.target === e.currentTarget && close()}>
      <div className="spotter" role="dialog" aria-modal="true" aria-label="Spotter">
        <input
          ref={input}
          role="combobox"
          aria-expanded="true"
          aria-controls="spotter-results"
          aria-activedescendant={entries.length ? `spotter-${active}` : undefined}
          aria-label="Search objects, slots and methods"
          placeholder="Search objects, slots, methods…"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              close();
            } else if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((a) => Math.min(entries.length - 1, a + 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => Math.max(0, a - 1));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              choose(entries[active]);
            }
          }}
        />
        <ul id="spotter-results" role="listbox" aria-label="Results" className="spotter-results">
          {entries.map((e, i) => (
            <li
              key={i}
              id={`spotter-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onPointerDown={(ev) => ev.preventDefault()}
              onClick={() => choose(e)}
            >
              {e.type === 'command' ? (
                <span>{e.command.label}</span>
              ) : (
                <>
                  <span className={`hit-kind ${e.hit.kind}`}>{e.hit.kind}</span> {e.hit.objectName}
                  {e.hit.slot ? ` » ${e.hit.slot}` : ''}
                  {e.hit.excerpt && <span className="muted mono"> {e.hit.excerpt}</span>}
                </>
              )}
            </li>
          ))}
        </ul>
        <p role="status" className="spotter-status">
          {outcome}
        </p>
      </div>
    </div>
  );
}
