// Lookup conformance cases: small object graphs and the sends to make in them, with what
// each must find (the holder and slot, the object that answered, the trait it came
// through) or the error it must raise. The World checks them in lookup-cases.test.ts; the
// kernel's object model (lib/psobj.c, answering the PS's LOOKUP) checks the same cases in
// tests/kernel/lookup.test.ts, so both follow one rule: own slots, then the methods of the
// object's trait uses, then its parents; a trait conflict or an ambiguous send is an error.
// Pure data: nothing here depends on either implementation.

export interface LookupCaseSlot {
  name: string;
  kind: 'data' | 'method' | 'parent';
  /** A parent slot's parent: another object of the case, by name. */
  parent?: string;
}

export interface LookupCaseObject {
  slots?: LookupCaseSlot[];
  traits?: { trait: string; exclude?: string[]; alias?: Record<string, string> }[];
}

export type LookupExpectation =
  /** Found: the object holding the slot, the slot's name there (an alias names another), the
   * object whose own slots or trait uses answered, and the trait use it came through. */
  | { holder: string; slot: string; at: string; trait?: string }
  | { error: 'MessageNotUnderstood' }
  /** Two of the traits that give the selector. */
  | { error: 'TraitConflict'; traits: [string, string] }
  /** The two different holders found through different parents. */
  | { error: 'AmbiguousSend'; holders: [string, string] };

export interface LookupCase {
  name: string;
  objects: Record<string, LookupCaseObject>;
  sends: { receiver: string; selector: string; expect: LookupExpectation }[];
}

const data = (name: string): LookupCaseSlot => ({ name, kind: 'data' });
const method = (name: string): LookupCaseSlot => ({ name, kind: 'method' });
const parent = (parentName: string, slot = 'parent'): LookupCaseSlot => ({ name: slot, kind: 'parent', parent: parentName });

export const lookupCases: LookupCase[] = [
  {
    name: 'own slots first, then parents, then not understood',
    objects: {
      base: { slots: [method('describe'), data('size')] },
      obj: { slots: [parent('base'), data('x'), method('size')] },
    },
    sends: [
      { receiver: 'obj', selector: 'x', expect: { holder: 'obj', slot: 'x', at: 'obj' } },
      { receiver: 'obj', selector: 'size', expect: { holder: 'obj', slot: 'size', at: 'obj' } },
      { receiver: 'obj', selector: 'describe', expect: { holder: 'base', slot: 'describe', at: 'base' } },
      { receiver: 'obj', selector: 'parent', expect: { holder: 'obj', slot: 'parent', at: 'obj' } },
      { receiver: 'obj', selector: 'nothing', expect: { error: 'MessageNotUnderstood' } },
      { receiver: 'base', selector: 'x', expect: { error: 'MessageNotUnderstood' } },
    ],
  },
  {
    name: 'a long parent chain and a cycle of parents',
    objects: {
      a: { slots: [parent('b'), data('fromA')] },
      b: { slots: [parent('c')] },
      c: { slots: [parent('d')] },
      d: { slots: [method('deep'), parent('a')] },
    },
    sends: [
      { receiver: 'a', selector: 'deep', expect: { holder: 'd', slot: 'deep', at: 'd' } },
      { receiver: 'c', selector: 'fromA', expect: { holder: 'a', slot: 'fromA', at: 'a' } },
      { receiver: 'a', selector: 'missing', expect: { error: 'MessageNotUnderstood' } },
    ],
  },
  {
    name: 'trait methods after own slots and before parents',
    objects: {
      TGreet: { slots: [method('greet'), method('wave'), data('mood')] },
      base: { slots: [method('greet'), method('mood'), method('sit')] },
      obj: { slots: [parent('base'), method('wave')], traits: [{ trait: 'TGreet' }] },
    },
    sends: [
      { receiver: 'obj', selector: 'greet', expect: { holder: 'TGreet', slot: 'greet', at: 'obj', trait: 'TGreet' } },
      { receiver: 'obj', selector: 'wave', expect: { holder: 'obj', slot: 'wave', at: 'obj' } },
      // A trait contributes only its methods: its data slot is not seen, the parent answers.
      { receiver: 'obj', selector: 'mood', expect: { holder: 'base', slot: 'mood', at: 'base' } },
      { receiver: 'obj', selector: 'sit', expect: { holder: 'base', slot: 'sit', at: 'base' } },
    ],
  },
  {
    name: 'the classic conflict, and its resolutions by exclusion, an own method and aliases',
    objects: {
      TCircle: { slots: [method('area'), method('equals'), method('hash')] },
      TColor: { slots: [method('red'), method('equals'), method('hash')] },
      conflicted: { traits: [{ trait: 'TCircle' }, { trait: 'TColor' }] },
      excluded: { traits: [{ trait: 'TCircle', exclude: ['equals', 'hash'] }, { trait: 'TColor' }] },
      overridden: { slots: [method('equals')], traits: [{ trait: 'TCircle' }, { trait: 'TColor' }] },
      aliased: {
        slots: [method('equals'), method('hash')],
        traits: [
          { trait: 'TCircle', alias: { circleEquals: 'equals' } },
          { trait: 'TColor', alias: { colorEquals: 'equals' } },
        ],
      },
    },
    sends: [
      { receiver: 'conflicted', selector: 'equals', expect: { error: 'TraitConflict', traits: ['TCircle', 'TColor'] } },
      { receiver: 'conflicted', selector: 'hash', expect: { error: 'TraitConflict', traits: ['TCircle', 'TColor'] } },
      { receiver: 'conflicted', selector: 'area', expect: { holder: 'TCircle', slot: 'area', at: 'conflicted', trait: 'TCircle' } },
      { receiver: 'conflicted', selector: 'red', expect: { holder: 'TColor', slot: 'red', at: 'conflicted', trait: 'TColor' } },
      { receiver: 'excluded', selector: 'equals', expect: { holder: 'TColor', slot: 'equals', at: 'excluded', trait: 'TColor' } },
      { receiver: 'overridden', selector: 'equals', expect: { holder: 'overridden', slot: 'equals', at: 'overridden' } },
      { receiver: 'overridden', selector: 'hash', expect: { error: 'TraitConflict', traits: ['TCircle', 'TColor'] } },
      { receiver: 'aliased', selector: 'circleEquals', expect: { holder: 'TCircle', slot: 'equals', at: 'aliased', trait: 'TCircle' } },
      { receiver: 'aliased', selector: 'colorEquals', expect: { holder: 'TColor', slot: 'equals', at: 'aliased', trait: 'TColor' } },
      { receiver: 'aliased', selector: 'equals', expect: { holder: 'aliased', slot: 'equals', at: 'aliased' } },
    ],
  },
  {
    name: 'an excluded selector falls through to the parents',
    objects: {
      TShape: { slots: [method('draw'), method('move')] },
      base: { slots: [method('draw')] },
      obj: { slots: [parent('base')], traits: [{ trait: 'TShape', exclude: ['draw'] }] },
    },
    sends: [
      { receiver: 'obj', selector: 'draw', expect: { holder: 'base', slot: 'draw', at: 'base' } },
      { receiver: 'obj', selector: 'move', expect: { holder: 'TShape', slot: 'move', at: 'obj', trait: 'TShape' } },
    ],
  },
  {
    name: 'composed traits: a trait contributes what its own traits give, its own methods winning',
    objects: {
      TMagnitude: { slots: [method('max'), method('min'), method('lessEq')] },
      TEquality: { slots: [method('notEquals')] },
      TCircle: { slots: [method('lessEq'), method('area'), data('max')], traits: [{ trait: 'TMagnitude' }, { trait: 'TEquality' }] },
      circle: { traits: [{ trait: 'TCircle' }] },
    },
    sends: [
      { receiver: 'circle', selector: 'min', expect: { holder: 'TMagnitude', slot: 'min', at: 'circle', trait: 'TCircle' } },
      { receiver: 'circle', selector: 'notEquals', expect: { holder: 'TEquality', slot: 'notEquals', at: 'circle', trait: 'TCircle' } },
      { receiver: 'circle', selector: 'lessEq', expect: { holder: 'TCircle', slot: 'lessEq', at: 'circle', trait: 'TCircle' } },
      // TCircle's own data slot `max` hides TMagnitude's method and is not contributed itself.
      { receiver: 'circle', selector: 'max', expect: { error: 'MessageNotUnderstood' } },
    ],
  },
  {
    name: 'one method reached through two trait uses is no conflict; two are',
    objects: {
      TBase: { slots: [method('shared')] },
      TLeft: { slots: [method('left'), method('clash')], traits: [{ trait: 'TBase' }] },
      TRight: { slots: [method('right'), method('clash')], traits: [{ trait: 'TBase' }] },
      diamond: { traits: [{ trait: 'TLeft' }, { trait: 'TRight' }] },
      TBoth: { traits: [{ trait: 'TLeft' }, { trait: 'TRight' }] },
      user: { traits: [{ trait: 'TBoth' }] },
    },
    sends: [
      { receiver: 'diamond', selector: 'shared', expect: { holder: 'TBase', slot: 'shared', at: 'diamond', trait: 'TLeft' } },
      { receiver: 'diamond', selector: 'clash', expect: { error: 'TraitConflict', traits: ['TLeft', 'TRight'] } },
      // A conflict inside a composed trait reaches whoever uses it.
      { receiver: 'user', selector: 'clash', expect: { error: 'TraitConflict', traits: ['TLeft', 'TRight'] } },
      { receiver: 'user', selector: 'right', expect: { holder: 'TRight', slot: 'right', at: 'user', trait: 'TBoth' } },
    ],
  },
  {
    name: 'two parents: one holder through both is fine, two holders are ambiguous',
    objects: {
      root: { slots: [method('common')] },
      left: { slots: [parent('root'), method('onlyLeft'), method('twice')] },
      right: { slots: [parent('root'), method('twice')] },
      obj: { slots: [parent('left', 'leftParent'), parent('right', 'rightParent')] },
    },
    sends: [
      { receiver: 'obj', selector: 'common', expect: { holder: 'root', slot: 'common', at: 'root' } },
      { receiver: 'obj', selector: 'onlyLeft', expect: { holder: 'left', slot: 'onlyLeft', at: 'left' } },
      { receiver: 'obj', selector: 'twice', expect: { error: 'AmbiguousSend', holders: ['left', 'right'] } },
      { receiver: 'obj', selector: 'none', expect: { error: 'MessageNotUnderstood' } },
    ],
  },
  {
    name: 'traits of a parent, and a conflict met on the way up',
    objects: {
      TWalk: { slots: [method('walk'), method('stop')] },
      TRun: { slots: [method('run'), method('stop')] },
      animal: { traits: [{ trait: 'TWalk' }, { trait: 'TRun' }] },
      dog: { slots: [parent('animal'), method('bark')] },
    },
    sends: [
      { receiver: 'dog', selector: 'walk', expect: { holder: 'TWalk', slot: 'walk', at: 'animal', trait: 'TWalk' } },
      { receiver: 'dog', selector: 'bark', expect: { holder: 'dog', slot: 'bark', at: 'dog' } },
      { receiver: 'dog', selector: 'stop', expect: { error: 'TraitConflict', traits: ['TWalk', 'TRun'] } },
    ],
  },
];
