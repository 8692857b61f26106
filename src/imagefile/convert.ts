// Between the World's ObjectState (src/world) and the file's record form: the file keeps
// the OID on the record rather than in the state, and writes a trait use's alias map as a
// sorted list of pairs (so no selector is ever a JSON key).
import type { ObjectState, SlotState, TraitUse } from '../world';
import type { FileObjectState, FileSlot, OID } from './format';

/** The file form of a state. It shares slots and values with `state` (the writer copies them into canonical order). */
export function stateToFile(state: ObjectState): FileObjectState {
  return {
    name: state.name,
    slots: state.slots as FileSlot[],
    traits: state.traits.map((t) => ({
      trait: t.trait,
      exclude: t.exclude,
      alias: Object.keys(t.alias).map((k): [string, string] => [k, t.alias[k]!]),
    })),
    meta: state.meta,
  };
}

/**
 * The World's form of a state read from a file. Takes ownership of `f`'s slots and values:
 * the reader hands over fresh objects (the schema's output), so they are not copied again.
 */
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
    slots: f.slots as SlotState[],
    traits,
    meta: f.meta.createdTid !== undefined ? { createdTid: f.meta.createdTid } : {},
  };
}
