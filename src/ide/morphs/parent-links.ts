// Which objects each open outliner points to through its parent slots, so the World can
// draw arrows from an outliner to its parents' outliners.
import { create } from 'zustand';

interface ParentLinks {
  links: Record<string, number[]>;
  setLinks(windowId: string, parents: number[]): void;
}

export const useParentLinks = create<ParentLinks>((set) => ({
  links: {},
  setLinks: (windowId, parents) =>
    set((s) => {
      const old = s.links[windowId] ?? [];
      if (old.length === parents.length && old.every((p, i) => p === parents[i])) return s;
      const links = { ...s.links };
      if (parents.length) links[windowId] = parents;
      else delete links[windowId];
      return { links };
    }),
}));
