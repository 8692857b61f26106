// The lookup conformance cases (lookup-cases.ts) in the World. The kernel checks the same
// cases with its own object model (tests/kernel/lookup.test.ts).
import { describe, expect, it } from 'vitest';
import { AmbiguousSend, MessageNotUnderstood, TraitConflict, World, type OID } from './index';
import { lookupCases, type LookupCase } from './lookup-cases';

/** Builds a case's objects in a fresh World; answers the World and each object's OID. */
function buildCase(c: LookupCase): { world: World; oids: Map<string, OID> } {
  const world = new World();
  const oids = new Map<string, OID>();
  for (const name of Object.keys(c.objects)) oids.set(name, world.createObject({ name }));
  for (const [name, o] of Object.entries(c.objects)) {
    for (const s of o.slots ?? []) {
      const slot =
        s.kind === 'parent' ? { name: s.name, kind: 'parent', value: { ref: oids.get(s.parent!)! } }
        : s.kind === 'method' ? { name: s.name, kind: 'method', source: 'function () { return 1; }' }
        : { name: s.name, kind: 'data', value: 0 };
      world.addSlot(oids.get(name)!, slot);
    }
  }
  for (const [name, o] of Object.entries(c.objects)) {
    for (const t of o.traits ?? []) world.useTrait(oids.get(name)!, { trait: oids.get(t.trait)!, exclude: t.exclude ?? [], alias: t.alias ?? {} });
  }
  return { world, oids };
}

describe('lookup conformance cases in the World', () => {
  for (const c of lookupCases) {
    it(c.name, () => {
      const { world, oids } = buildCase(c);
      const nameOf = new Map([...oids].map(([n, o]) => [o, n]));
      for (const send of c.sends) {
        const where = `${send.receiver} ${send.selector}`;
        const run = () => world.lookup(oids.get(send.receiver)!, send.selector);
        const e = send.expect;
        if (!('error' in e)) {
          const r = run();
          expect({ where, holder: nameOf.get(r.holder), slot: r.slot.name, at: nameOf.get(r.at), trait: r.kind === 'method' && r.trait !== undefined ? nameOf.get(r.trait) : undefined }).toEqual({
            where,
            holder: e.holder,
            slot: e.slot,
            at: e.at,
            trait: e.trait,
          });
        } else if (e.error === 'MessageNotUnderstood') {
          expect(run, where).toThrow(MessageNotUnderstood);
        } else if (e.error === 'TraitConflict') {
          const err = (() => {
            try {
              run();
            } catch (x) {
              return x;
            }
            return undefined;
          })();
          expect(err, where).toBeInstanceOf(TraitConflict);
          expect((err as TraitConflict).traits.map((t) => nameOf.get(t)), where).toEqual(expect.arrayContaining(e.traits));
        } else {
          const err = (() => {
            try {
              run();
            } catch (x) {
              return x;
            }
            return undefined;
          })();
          expect(err, where).toBeInstanceOf(AmbiguousSend);
          expect((err as AmbiguousSend).holders.map((h) => nameOf.get(h)).sort(), where).toEqual([...e.holders].sort());
        }
      }
    });
  }
});
