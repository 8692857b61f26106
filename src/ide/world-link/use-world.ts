// React access to the World link: the link itself once connected, and objects that
// re-read themselves when a change event names them.
import { useEffect, useState } from 'react';
import { create } from 'zustand';
import type { WorldLink } from './world-link';
import type { ObjectView } from './types';

interface LinkState {
  link: WorldLink | null;
  /** connecting → ready; failed when the worker or image could not start. */
  status: 'connecting' | 'ready' | 'failed';
  failure: string | null;
  /** Bumped on every change event, so lists can re-read. */
  generation: number;
}

export const useWorldLinkState = create<LinkState>(() => ({
  link: null,
  status: 'connecting',
  failure: null,
  generation: 0,
}));

let unsubscribe: (() => void) | null = null;

/** Installs a connected link (or clears it) and follows its change events. */
export function setWorldLink(link: WorldLink | null, failure: string | null = null): void {
  unsubscribe?.();
  unsubscribe = null;
  if (link) {
    // Layout writes change only the IDE world object, which no window shows from the cache.
    unsubscribe = link.subscribe((c) => {
      if (c.note?.startsWith('Layout:') && c.note !== 'Layout: the IDE world') return;
      useWorldLinkState.setState((s) => ({ generation: s.generation + 1 }));
    });
  }
  useWorldLinkState.setState({ link, status: link ? 'ready' : failure ? 'failed' : 'connecting', failure });
}

export function useWorldLink(): WorldLink | null {
  return useWorldLinkState((s) => s.link);
}

/** The current World link, for event handlers; throws when the World is not connected. */
export function worldLink(): WorldLink {
  const link = useWorldLinkState.getState().link;
  if (!link) throw new Error('The World is not connected yet');
  return link;
}

/** Re-runs `read` whenever the World changes; `deps` select what is read. */
export function useWorldQuery<T>(read: (link: WorldLink) => Promise<T>, deps: unknown[]): {
  data: T | null;
  error: string | null;
} {
  const link = useWorldLink();
  const generation = useWorldLinkState((s) => s.generation);
  const [state, setState] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  useEffect(() => {
    if (!link) return;
    let live = true;
    read(link).then(
      (data) => live && setState({ data, error: null }),
      (e: unknown) => live && setState((s) => ({ data: s.data, error: e instanceof Error ? e.message : String(e) })),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [link, generation, ...deps]);
  return state;
}

export function useObject(oid: number | undefined): { data: ObjectView | null; error: string | null } {
  return useWorldQuery((l) => (oid === undefined ? Promise.resolve(null as unknown as ObjectView) : l.readObject(oid)), [oid]);
}
