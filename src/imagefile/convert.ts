// Between the World's ObjectState (src/world) and the file's record form: the file keeps
// the OID on the record rather than in the state, and writes a trait use's alias map as a
// sorted list of pairs (so no selector is ever a JSON key).
import type { ObjectState, SlotState, TraitUse, Value } from '../world';
import { canonicalState, type FileObjectState, type FileSlot, type FileValue, type OID } from './format';

export function stateToFile(state: ObjectState): FileObjectState {
  return canonicalState({
    name: state.name,
    slots: state.slots as FileSlot[],
    traits: state.traits.map((t) => ({
      trait: t.trait,
      exclude: t.exclude,
      alias: Object.keys(t.alias).map((k): [string, string] => [k, t.alias[k]!]),
    })),
    meta: state.meta.createdTid !== undefined ? { createdTid: state.meta.createdTid } : {},
  });
}

function copyValue(v: FileValue): Value {
  if (Array.isArray(v)) return v.map(copyValue);
  if (v !== null && typeof v === 'object') return 'ref' in v ? { ref: v.ref } : { blob: v.blob, size: v.size, type: v.type };
  return v;
}

function slotFromFile(s: FileSlot): SlotState {
  const common: { name: string; category?: string; comment?: string } = { name: s.name };
  if (s.category !== undefined) common.category = s.category;
  if (s.comment !== undefined) common.comment = s.comment;
  switch (s.kind) {
    case 'method':
      return { ...common, kind: 'method', source: s.source! };
    case 'parent': {
      const slot: SlotState = { ...common, kind: 'parent', value: { ref: (s.value as { ref: OID }).ref } };
      if (s.constant !== undefined) slot.constant = s.constant;
      return slot;
    }
    case 'data': {
      const slot: SlotState = { ...common, kind: 'data', value: copyValue(s.value!) };
      if (s.constant !== undefined) slot.constant = s.constant;
      return slot;
    }
  }
}

export function stateFromFile(oid: OID, f: FileObjectState): ObjectState {
  const traits: TraitUse[] = f.traits.map((t) => {
    // A map without a prototype would surprise the World's code; the keys are selectors the
    // schema already refused to be __proto__, so a plain object is safe here.
    const alias: Record<string, string> = {};
    for (const [k, v] of t.alias) alias[k] = v;
    return { trait: t.trait, exclude: [...t.exclude], alias };
  });
  return {
    oid,
    name: f.name,
    slots: f.slots.map(slotFromFile),
    traits,
    meta: f.meta.createdTid !== undefined ? { createdTid: f.meta.createdTid } : {},
  };
}
