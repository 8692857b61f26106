// Selector lookup in the kernel's object model (lib/psobj.c, answering the PS's LOOKUP)
// against the World's conformance cases (src/world/lookup-cases.ts): the host writes every
// case's objects to a PS disk as typed objects, the sends as query objects, boots
// `test=ps-lookup`, and compares each answer with what the case expects, which the World
// meets too (src/world/lookup-cases.test.ts).
import { describe, expect, it } from 'vitest';
import { lookupCases, type LookupExpectation } from '../../src/world';
import { encodePsObject, writePsDisk, type PsContent, type PsSlot } from '../../src/machine';
import { bootMachine } from '../../src/machine/node';

const QUERY_FIRST = 1990;

interface Answer {
  result: string;
  holder: number;
  slot: string;
  at: number;
  trait: number;
  other: number;
}

/** The disk: each case's objects at their own oids, and the sends in query objects. */
function lookupDisk(): { disk: Uint8Array; names: Map<number, string>; sends: Map<string, { where: string; expect: LookupExpectation; oids: Map<string, number> }> } {
  const objects: { oid: number; content: PsContent }[] = [];
  const names = new Map<number, string>();
  const sends = new Map<string, { where: string; expect: LookupExpectation; oids: Map<string, number> }>();
  const queries: PsSlot[] = [];
  lookupCases.forEach((c, ci) => {
    const oids = new Map(Object.keys(c.objects).map((n, i) => [n, 100 + ci * 20 + i]));
    for (const [n, oid] of oids) names.set(oid, n);
    for (const [n, o] of Object.entries(c.objects)) {
      const slots: PsSlot[] = (o.slots ?? []).map((s) =>
        s.kind === 'parent' ? { kind: 'parent', name: s.name, ref: oids.get(s.parent!)! }
        : s.kind === 'method' ? { kind: 'method', name: s.name, label: 0, source: 'function () { return 1; }' }
        : { kind: 'data', name: s.name, value: 0 },
      );
      const traits = (o.traits ?? []).map((t) => ({ trait: oids.get(t.trait)!, exclude: t.exclude ?? [], alias: t.alias ?? {} }));
      objects.push({ oid: oids.get(n)!, content: { kind: 'object', name: n, slots, traits } });
    }
    c.sends.forEach((s, si) => {
      const key = `c${ci}s${si}`;
      sends.set(key, { where: `${c.name}: ${s.receiver} ${s.selector}`, expect: s.expect, oids });
      queries.push({ kind: 'data', name: key, value: [{ ref: oids.get(s.receiver)! }, s.selector] });
    });
  });
  // As many sends per query object as fit in one object.
  let q = 0;
  for (let i = 0; i < queries.length; q++) {
    let n = queries.length - i;
    while (encodeSize(queries.slice(i, i + n)) > 4000) n--;
    objects.push({ oid: QUERY_FIRST + q, content: { kind: 'object', name: `queries ${q}`, slots: queries.slice(i, i + n), traits: [] } });
    i += n;
  }
  return { disk: writePsDisk(4 << 20, [objects]), names, sends };
}

function encodeSize(slots: PsSlot[]): number {
  return encodePsObject({ kind: 'object', name: 'queries', slots, traits: [] }).length;
}

describe('selector lookup in the kernel object model (ps-lookup)', () => {
  // Catches: a kernel lookup that finds another holder, slot or trait than the World, or misses a conflict or
  // ambiguity.
  it('answers every conformance case as the World does', async () => {
    const { disk, names, sends } = lookupDisk();
    const m = await bootMachine({ cmdline: 'test=ps-lookup', disk: disk.buffer as ArrayBuffer });
    let text: string;
    try {
      text = await m.waitForText(0, /ps-lookup: \d+ sends looked up/, 60_000);
    } finally {
      await m.powerOff();
    }
    const answers = new Map<string, Answer>();
    for (const [, key, result, holder, slot, at, trait, other] of text.matchAll(/ps-lookup (c\d+s\d+): (\S+) holder (\d+) slot (\S+) at (\d+) trait (\d+) other (\d+)/g)) {
      answers.set(key!, { result: result!, holder: Number(holder), slot: slot!, at: Number(at), trait: Number(trait), other: Number(other) });
    }
    expect(answers.size).toBe(sends.size);
    const name = (oid: number) => (oid ? names.get(oid) : undefined);
    for (const [key, { where, expect: e }] of sends) {
      const a = answers.get(key)!;
      if (!('error' in e)) {
        expect({ where, result: a.result, holder: name(a.holder), slot: a.slot, at: name(a.at), trait: name(a.trait) }).toEqual({ where, result: 'found', holder: e.holder, slot: e.slot, at: e.at, trait: e.trait });
      } else if (e.error === 'TraitConflict') {
        expect({ where, result: a.result, traits: [name(a.trait), name(a.other)].sort() }).toEqual({ where, result: 'TraitConflict', traits: [...e.traits].sort() });
      } else if (e.error === 'AmbiguousSend') {
        expect({ where, result: a.result, holders: [name(a.holder), name(a.other)].sort() }).toEqual({ where, result: 'AmbiguousSend', holders: [...e.holders].sort() });
      } else {
        expect({ where, result: a.result }).toEqual({ where, result: 'MessageNotUnderstood' });
      }
    }
    console.log(`lookup conformance: ${answers.size} sends in ${lookupCases.length} cases answered as the World answers them`);
  });
});
