// The host side of `reflect(o)`: each mirror operation of the workspace language as a World
// call. Arguments arrive as JSON from the VM and are checked here; results are plain records
// whose {ref} leaves the VM turns back into receivers.

import { InvalidInput, checkSlotName, isOid, type OID, type SlotState, type World } from '../world';

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new InvalidInput(`${what} must be a string`);
  return v;
}

function oidArg(v: unknown): OID {
  if (!isOid(v)) throw new InvalidInput('expected an object of the World');
  return v;
}

function describeSlot(s: SlotState) {
  return {
    name: s.name,
    kind: s.kind,
    ...(s.kind === 'method' ? { source: s.source } : { value: s.value }),
    constant: s.kind !== 'method' && !!s.constant,
    category: s.category ?? null,
    comment: s.comment ?? null,
  };
}

/** Runs mirror operation `op` on object `oid` with the VM's arguments `a`. */
export function mirrorOperation(w: World, op: string, oid: OID, a: unknown[]): unknown {
  const opts = (a[2] ?? a[1] ?? {}) as Record<string, unknown>;
  switch (op) {
    case 'name':
      return w.get(oid).name;
    case 'setName':
      return w.setName(oid, str(a[0], 'the name'));
    case 'slots':
      return w.get(oid).slots.map(describeSlot);
    case 'slot': {
      const s = w.slot(oid, str(a[0], 'the slot name'));
      return s ? describeSlot(s) : null;
    }
    case 'addSlot': {
      const name = checkSlotName(a[0]);
      const kind = (opts.kind ?? 'data') as string;
      const slot: Record<string, unknown> = { name, kind, category: opts.category, comment: opts.comment, constant: opts.constant };
      if (kind === 'method') slot.source = a[1];
      else slot.value = a[1];
      return w.addSlot(oid, slot);
    }
    case 'removeSlot':
      return w.removeSlot(oid, str(a[0], 'the slot name'));
    case 'renameSlot':
      return w.renameSlot(oid, str(a[0], 'the old name'), str(a[1], 'the new name'));
    case 'moveSlot':
      return w.moveSlot(oid, str(a[0], 'the slot name'), a[1] as number);
    case 'setCategory':
      return w.setSlotInfo(oid, str(a[0], 'the slot name'), { category: (a[1] ?? '') as string });
    case 'setComment':
      return w.setSlotInfo(oid, str(a[0], 'the slot name'), { comment: (a[1] ?? '') as string });
    case 'setMethod':
      return w.setMethod(oid, checkSlotName(a[0]), str(a[1], 'the method source'));
    case 'addParent':
      return w.addSlot(oid, { name: a[0], kind: 'parent', value: { ref: oidArg(a[1]) }, category: 'parents' });
    default:
      return traitOrQuery(w, op, oid, a, opts);
  }
}

/** The trait and query half of mirrorOperation. */
function traitOrQuery(w: World, op: string, oid: OID, a: unknown[], opts: Record<string, unknown>): unknown {
  switch (op) {
    case 'useTrait':
      return w.useTrait(oid, { trait: oidArg(a[0]), exclude: opts.exclude ?? [], alias: opts.alias ?? {} });
    case 'removeTrait':
      return w.removeTrait(oid, oidArg(a[0]));
    case 'traits':
      return w.traitUses(oid).map((u) => ({ trait: { ref: u.trait }, exclude: u.exclude, alias: u.alias }));
    case 'conflicts':
      return w.conflicts(oid).map((c) => ({ selector: c.selector, traits: c.traits.map((t) => ({ ref: t })) }));
    case 'requires':
      return w.requires(oid).map((r) => ({ trait: { ref: r.trait }, selectors: r.selectors }));
    case 'references':
      return w.references(oid).map((r) => ({ object: { ref: r.oid }, slot: r.slot }));
    case 'methods':
      return w.effectiveMethods(oid).map((m) => ({ selector: m.selector, holder: { ref: m.holder }, slot: m.slot, trait: m.trait === undefined ? null : { ref: m.trait } }));
    case 'lookup': {
      const r = w.lookup(oid, str(a[0], 'the selector'));
      return { kind: r.kind, holder: { ref: r.holder }, slot: r.slot.name };
    }
    default:
      throw new InvalidInput(`mirrors do not understand '${op}'`);
  }
}
