// What the World worker answers the IDE with, built from the World: an object as an outliner
// shows it (own slots, the methods its traits give it with their source, trait uses,
// conflicts, required selectors, the names of what it refers to), and the queries over every
// object (spotter search, senders, implementors, references). Reading an object that is
// not loaded raises ObjectFault; the service faults it in and asks again.
import type { OID, Value, World } from '../../world';
import type { ObjectView, QueryHit, SlotView } from './protocol';

/** One object as an outliner shows it. */
export function objectView(world: World, oid: OID): ObjectView {
  const state = world.get(oid);
  const names: Record<OID, string> = { [oid]: state.name };
  const nameOf = (o: OID): string => (names[o] ??= world.nameOf(o));
  const visit = (v: Value): void => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) v.forEach(visit);
    else if ('ref' in v) nameOf(v.ref);
  };
  const slots: SlotView[] = state.slots.map((s) => {
    if (s.kind !== 'method') visit(s.value);
    return {
      name: s.name,
      kind: s.kind,
      ...(s.kind === 'method' ? { source: s.source } : { value: s.value, constant: s.constant }),
      category: s.category,
      comment: s.comment,
      holder: oid,
      holderName: state.name,
      via: 'own',
    };
  });
  const traitMethods: SlotView[] = world
    .effectiveMethods(oid)
    .filter((m) => m.holder !== oid)
    .map((m) => {
      // The trait holding the source may not be loaded yet: world.get faults it in.
      const holder = world.get(m.holder);
      const slot = holder.slots.find((s) => s.name === m.slot);
      return {
        name: m.selector,
        kind: 'method',
        source: slot?.kind === 'method' ? slot.source : undefined,
        category: slot?.category,
        holder: m.holder,
        holderName: nameOf(m.holder),
        via: 'trait',
      };
    });
  return {
    oid,
    name: state.name,
    serial: world.serialOf(oid),
    slots,
    traitMethods,
    traits: state.traits.map((u) => ({ trait: u.trait, traitName: nameOf(u.trait), exclude: [...u.exclude], alias: { ...u.alias } })),
    conflicts: world.conflicts(oid).map((c) => ({ selector: c.selector, traits: c.traits.map((t) => ({ oid: t, name: nameOf(t) })) })),
    requires: world.requires(oid).map((r) => ({ trait: r.trait, traitName: nameOf(r.trait), selectors: r.selectors })),
    names,
  };
}

/** The spotter: an exact object name first, then object names (shortest first), slot
 * names, and methods whose name or source contains `text` (case-insensitive). */
export function searchWorld(world: World, text: string, limit: number): QueryHit[] {
  const q = text.toLowerCase();
  if (!q) return [];
  const exact: QueryHit[] = [];
  const objects: QueryHit[] = [];
  const slots: QueryHit[] = [];
  const methods: QueryHit[] = [];
  for (const oid of world.loadedOids()) {
    const st = world.get(oid);
    const n = st.name.toLowerCase();
    if (n === q) exact.push({ kind: 'object', oid, objectName: st.name });
    else if (n.includes(q)) objects.push({ kind: 'object', oid, objectName: st.name });
    for (const s of st.slots) {
      if (s.name.toLowerCase().includes(q)) {
        (s.kind === 'method' ? methods : slots).push({ kind: s.kind === 'method' ? 'method' : 'slot', oid, objectName: st.name, slot: s.name });
      } else if (s.kind === 'method') {
        const line = s.source.split('\n').find((l) => l.toLowerCase().includes(q));
        if (line) methods.push({ kind: 'method', oid, objectName: st.name, slot: s.name, excerpt: line.trim() });
      }
    }
  }
  objects.sort((a, b) => a.objectName.length - b.objectName.length);
  return [...exact, ...objects, ...slots, ...methods].slice(0, limit);
}

/** Methods whose source sends `selector` (`.selector` not followed by more of a name, or
 * `['selector']`), each with the line that sends it. */
export function sendersOf(world: World, selector: string): QueryHit[] {
  const esc = selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const sends = new RegExp(`\\.\\s*${esc}(?![\\w$])|\\[\\s*['"]${esc}['"]\\s*\\]`);
  const hits: QueryHit[] = [];
  for (const oid of world.loadedOids()) {
    const st = world.get(oid);
    for (const s of st.slots) {
      if (s.kind !== 'method') continue;
      const line = s.source.split('\n').find((l) => sends.test(l));
      if (line) hits.push({ kind: 'method', oid, objectName: st.name, slot: s.name, excerpt: line.trim() });
    }
  }
  return hits;
}

/** Objects with an own method named `selector`, each with the method's first line. */
export function implementorsOf(world: World, selector: string): QueryHit[] {
  const hits: QueryHit[] = [];
  for (const oid of world.loadedOids()) {
    const st = world.get(oid);
    const s = st.slots.find((x) => x.name === selector);
    if (s?.kind === 'method') hits.push({ kind: 'method', oid, objectName: st.name, slot: s.name, excerpt: s.source.split('\n')[0] });
  }
  return hits;
}

/** Slots whose value refers to `target`, and objects that use it as a trait. */
export function referencesTo(world: World, target: OID): QueryHit[] {
  const traitUse = new Set<OID>();
  const hits: QueryHit[] = [];
  for (const r of world.references(target)) {
    const objectName = world.nameOf(r.oid);
    if (r.slot === '(trait use)') {
      if (!traitUse.has(r.oid)) hits.push({ kind: 'object', oid: r.oid, objectName, excerpt: 'uses it as a trait' });
      traitUse.add(r.oid);
    } else hits.push({ kind: 'slot', oid: r.oid, objectName, slot: r.slot });
  }
  return hits;
}
