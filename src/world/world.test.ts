import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AmbiguousSend,
  ConflictError,
  InMemoryStore,
  InvalidInput,
  MessageNotUnderstood,
  ObjectFault,
  World,
  createGenesisWorld,
  type OID,
  type WorldChange,
} from './index';

const data = (name: string, value: unknown) => ({ name, kind: 'data', value });
const method = (name: string, source: string) => ({ name, kind: 'method', source });
const parent = (name: string, oid: OID) => ({ name, kind: 'parent', value: { ref: oid } });

function twoLevelWorld() {
  const w = new World();
  const base = w.createObject({ name: 'base', slots: [data('count', 0), method('greet', 'function () { return 1; }')] });
  const child = w.createObject({ name: 'child', slots: [parent('parent', base), data('own', 'x')] });
  return { w, base, child };
}

describe('slots and values', () => {
  it('adds, renames, moves, recategorizes and removes slots in order', () => {
    const w = new World();
    const o = w.createObject({ name: 'o' });
    w.addSlot(o, data('a', 1));
    w.addSlot(o, data('b', 2));
    w.addSlot(o, data('c', 3), 0);
    expect(w.get(o).slots.map((s) => s.name)).toEqual(['c', 'a', 'b']);
    w.renameSlot(o, 'c', 'z');
    w.moveSlot(o, 'z', 2);
    w.setSlotInfo(o, 'a', { category: 'numbers', comment: 'the first' });
    expect(w.get(o).slots.map((s) => s.name)).toEqual(['a', 'b', 'z']);
    expect(w.slot(o, 'a')).toMatchObject({ category: 'numbers', comment: 'the first' });
    w.removeSlot(o, 'b');
    expect(w.get(o).slots.map((s) => s.name)).toEqual(['a', 'z']);
  });

  it('stores every kind of value and refuses what is not one, with a reason', () => {
    const w = new World();
    const o = w.createObject({ name: 'o', slots: [data('v', null)] });
    for (const v of [null, true, 3.5, 'text', { ref: o }, [1, [2, 'x']], { blob: 'b1', size: 10, type: 'text/plain' }]) {
      w.setSlotValue(o, 'v', v);
      expect(w.slot(o, 'v')).toMatchObject({ value: v });
    }
    const bad: [unknown, RegExp][] = [
      [undefined, /undefined cannot be stored/],
      [NaN, /finite/],
      [Infinity, /finite/],
      [{ ref: 999 }, /points to no object/],
      [{ ref: -1 }, /not an OID/],
      [{ a: 1 }, /keys \{a\}/],
      [() => 1, /function/],
      [new Date(), /only plain values/],
      [{ blob: '', size: 1, type: 'x' }, /blob id/],
    ];
    for (const [v, reason] of bad) expect(() => w.setSlotValue(o, 'v', v)).toThrow(reason);
  });

  it('refuses malformed slot names with a reason', () => {
    const w = new World();
    const o = w.createObject({ name: 'o' });
    const bad: [unknown, RegExp][] = [
      ['', /empty/],
      ['two words', /not a valid slot name/],
      ['1st', /not a valid slot name/],
      ['oid', /reserved/],
      ['__proto__', /reserved/],
      [42, /must be a string/],
      ['x'.repeat(300), /limit is 200/],
    ];
    for (const [name, reason] of bad) expect(() => w.addSlot(o, data(name as string, 1))).toThrow(reason);
    w.addSlot(o, data('==', 1));
    w.addSlot(o, data('_private$1', 1));
    expect(() => w.addSlot(o, data('==', 2))).toThrow(/already has a slot '=='/);
  });

  it('a parent slot must hold a reference, a constant slot refuses assignment', () => {
    const w = new World();
    const o = w.createObject({ name: 'o', slots: [{ name: 'k', kind: 'data', value: 1, constant: true }] });
    expect(() => w.addSlot(o, { name: 'p', kind: 'parent', value: 3 })).toThrow(/must hold a reference/);
    expect(() => w.setSlotValue(o, 'k', 2)).toThrow(/constant/);
  });

  it('validates any value by round trip (property)', () => {
    const w = new World();
    const o = w.createObject({ name: 'o', slots: [data('v', null)] });
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.array(tie('v'), { maxLength: 4 })),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        w.setSlotValue(o, 'v', v);
        expect(w.slot(o, 'v')).toEqual({ name: 'v', kind: 'data', value: JSON.parse(JSON.stringify(v)) });
      }),
      { numRuns: 200 },
    );
  });
});

describe('clone', () => {
  it('copies own slots shallowly, shares parents, and gets a fresh OID', () => {
    const { w, base, child } = twoLevelWorld();
    w.setSlotValue(child, 'own', [1, 2]);
    const copy = w.clone(child);
    expect(copy).not.toBe(child);
    expect(w.get(copy).slots).toEqual(w.get(child).slots);
    expect(w.get(copy).name).toBe('a child');
    w.setSlotValue(copy, 'own', 'changed');
    expect(w.slot(child, 'own')).toMatchObject({ value: [1, 2] });
    expect(w.lookup(copy, 'greet').holder).toBe(base);
  });

  it('the oid pseudo-slot is never copied and never changed: every operation on it says it is read-only', () => {
    const { w, child } = twoLevelWorld();
    const copy = w.clone(child);
    expect(w.get(copy).slots.map((s) => s.name)).not.toContain('oid');
    const before = w.snapshot(child);
    for (const change of [
      () => w.assign(child, 'oid', 5),
      () => w.setSlotValue(child, 'oid', 5),
      () => w.renameSlot(child, 'oid', 'id'),
      () => w.removeSlot(child, 'oid'),
      () => w.moveSlot(child, 'oid', 0),
      () => w.setSlotInfo(child, 'oid', { comment: 'x' }),
    ])
      expect(change).toThrow(/'oid' is the identity of #\d+, a read-only pseudo-slot/);
    expect(() => w.addSlot(child, data('oid', 5))).toThrow(/reserved/);
    expect(w.snapshot(child)).toEqual(before);
  });
});

describe('lookup', () => {
  it('finds own slots first, then parents', () => {
    const { w, base, child } = twoLevelWorld();
    expect(w.lookup(child, 'own')).toMatchObject({ kind: 'data', holder: child });
    expect(w.lookup(child, 'greet')).toMatchObject({ kind: 'method', holder: base });
    w.addSlot(child, method('greet', 'function () { return 2; }'));
    expect(w.lookup(child, 'greet').holder).toBe(child);
  });

  it('raises MessageNotUnderstood naming receiver and selector', () => {
    const { w, child } = twoLevelWorld();
    expect(() => w.lookup(child, 'nothing')).toThrow(MessageNotUnderstood);
    expect(() => w.lookup(child, 'nothing')).toThrow(/child \(#1\) does not understand 'nothing'/);
  });

  it('raises AmbiguousSend naming both parents when two holders answer', () => {
    const w = new World();
    const a = w.createObject({ name: 'a', slots: [method('m', 'function () { return 1; }')] });
    const b = w.createObject({ name: 'b', slots: [method('m', 'function () { return 2; }')] });
    const o = w.createObject({ name: 'o', slots: [parent('left', a), parent('right', b)] });
    let err: unknown;
    try {
      w.lookup(o, 'm');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AmbiguousSend);
    expect((err as AmbiguousSend).parents).toEqual(['left', 'right']);
    expect(String(err)).toMatch(/through parent 'left'.*through parent 'right'/);
  });

  it('the same holder reached by two paths is not ambiguous', () => {
    const w = new World();
    const top = w.createObject({ name: 'top', slots: [method('m', 'function () { return 1; }')] });
    const a = w.createObject({ name: 'a', slots: [parent('parent', top)] });
    const b = w.createObject({ name: 'b', slots: [parent('parent', top)] });
    const o = w.createObject({ name: 'o', slots: [parent('left', a), parent('right', b)] });
    expect(w.lookup(o, 'm').holder).toBe(top);
  });

  it('survives a cycle of parents', () => {
    const w = new World();
    const a = w.createObject({ name: 'a' });
    const b = w.createObject({ name: 'b', slots: [parent('parent', a)] });
    w.addSlot(a, parent('parent', b));
    expect(() => w.lookup(a, 'x')).toThrow(MessageNotUnderstood);
  });

  it('assignment through a parent writes the holder slot (Self semantics)', () => {
    const { w, base, child } = twoLevelWorld();
    expect(w.assign(child, 'count', 5)).toBe(base);
    expect(w.slot(base, 'count')).toMatchObject({ value: 5 });
    expect(w.slot(child, 'count')).toBeUndefined();
  });

  it('resend continues in the parents of the object where the method was found', () => {
    const { w, base, child } = twoLevelWorld();
    w.addSlot(child, method('greet', 'function () { return resend.greet() + 1; }'));
    expect(w.lookupResend(child, child, 'greet').holder).toBe(base);
    expect(() => w.lookupResend(child, base, 'greet')).toThrow(MessageNotUnderstood);
  });
});

describe('transactions', () => {
  it('abort restores every touched object exactly and forgets created ones', async () => {
    const { w, base, child } = twoLevelWorld();
    await w.commit('setup');
    const before = [w.snapshot(base), w.snapshot(child)];
    w.begin('edits');
    w.setSlotValue(base, 'count', 9);
    w.addSlot(child, data('extra', 1));
    w.renameSlot(child, 'own', 'mine');
    w.useTrait(child, { trait: base, exclude: [], alias: {} });
    const made = w.clone(child);
    w.abort();
    expect(w.isLoaded(made)).toBe(false);
    expect([w.snapshot(base), w.snapshot(child)]).toEqual(before);
    expect(w.loadedOids()).toEqual([base, child]);
    expect(w.clone(child)).toBe(made); // the OID is free again
  });

  it('with reserveOids, new objects take OIDs from reserved blocks; an empty block faults, and a large transaction gets a larger block', async () => {
    const store = new InMemoryStore();
    let high = 100;
    const reservations: number[] = [];
    const reserveOids = async (count: number) => {
      reservations.push(count);
      high += count;
      return high - count;
    };
    const w = new World({ store, nextOid: 100, reserveOids, oidBlockSize: 2 });
    expect(w.reservesOids).toBe(true);
    let fault: unknown = null;
    try {
      w.createObject({ name: 'a' });
    } catch (e) {
      fault = e;
    }
    expect(fault).toBeInstanceOf(ObjectFault);
    expect(fault).toMatchObject({ oids: [], needsOids: true });
    await w.fault([]);
    // Three objects in one transaction do not fit a block of two: the retry gets twice what the first try needed.
    const make = () => [w.createObject({ name: 'a' }), w.createObject({ name: 'b' }), w.createObject({ name: 'c' })];
    w.begin('three');
    expect(make).toThrow(ObjectFault);
    w.abort();
    await w.fault([]);
    w.begin('three');
    const oids = make();
    await w.commit();
    expect(reservations).toEqual([2, 6]);
    expect(oids).toEqual([102, 103, 104]);
    // Another World on the same reservations never picks those OIDs.
    const other = new World({ store, nextOid: 100, reserveOids, oidBlockSize: 2 });
    expect(() => other.createObject({ name: 'x' })).toThrow(ObjectFault);
    await other.fault([]);
    expect(await other.transact('x', () => other.createObject({ name: 'x' }))).toMatchObject({ value: 108 });
  });

  it('without reserveOids, a World counts OIDs itself as before', async () => {
    const w = new World({ store: new InMemoryStore(), nextOid: 7 });
    expect(w.reservesOids).toBe(false);
    expect((await w.transact('one', () => w.createObject({ name: 'o' }))).value).toBe(7);
    expect(w.nextOid).toBe(8);
  });

  it('hands the store one write set with before-images and read serials', async () => {
    const store = new InMemoryStore();
    const w = new World({ store });
    const o = await w.transact('make', () => w.createObject({ name: 'o', slots: [data('v', 1)] }));
    expect(o.tid).toBe(1);
    w.begin('change v');
    w.setSlotValue(o.value, 'v', 2);
    const writes = w.pendingWrites();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ oid: o.value, serial: 1, before: { slots: [{ value: 1 }] }, after: { slots: [{ value: 2 }] } });
    const r = await w.commit();
    expect(r!.tid).toBe(2);
    expect(w.serialOf(o.value)).toBe(2);
    expect(store.log.map((t) => t.note)).toEqual(['make', 'change v']);
    expect(store.peek(o.value)!.state.meta.createdTid).toBe(1);
  });

  it('a refused commit aborts, and invalidates what conflicted so the next read is fresh', async () => {
    const store = new InMemoryStore();
    const w1 = new World({ store });
    const { value: o } = await w1.transact('make', () => w1.createObject({ name: 'o', slots: [data('v', 1)] }));
    const w2 = new World({ store, nextOid: 1 });
    await w2.fault([o]);
    await w2.transact('other tab', () => w2.setSlotValue(o, 'v', 'theirs'));
    w1.begin('mine');
    w1.setSlotValue(o, 'v', 'mine');
    await expect(w1.commit()).rejects.toBeInstanceOf(ConflictError);
    expect(w1.inTransaction).toBe(false);
    expect(() => w1.get(o)).toThrow(ObjectFault);
    await w1.fault([o]);
    expect(w1.slot(o, 'v')).toMatchObject({ value: 'theirs' });
  });

  it('loads objects lazily: an unloaded object faults, then is there', async () => {
    const store = new InMemoryStore();
    const w1 = new World({ store });
    const { value: o } = await w1.transact('make', () => w1.createObject({ name: 'o' }));
    const w2 = new World({ store, nextOid: store.nextOid });
    expect(() => w2.get(o)).toThrow(ObjectFault);
    await w2.fault([o]);
    expect(w2.get(o).name).toBe('o');
  });

  it('publishes change events', async () => {
    const w = new World();
    const seen: WorldChange['type'][] = [];
    w.onChange((c) => seen.push(c.type));
    const o = w.createObject({ name: 'o', slots: [data('v', 1)] });
    w.setSlotValue(o, 'v', 2);
    w.addSlot(o, data('w', 1));
    await w.commit('first');
    w.setName(o, 'renamed');
    w.abort();
    expect(seen).toEqual(['created', 'value', 'structure', 'committed', 'structure', 'aborted']);
  });

  it('refuses a second begin while a transaction is open', () => {
    const w = new World();
    w.begin('one');
    expect(() => w.begin('two')).toThrow(/still open/);
  });
});

describe('genesis', () => {
  it('names its prototypes and traits on the lobby', async () => {
    const { world, oids } = await createGenesisWorld();
    expect(oids.lobby).toBe(0);
    for (const name of ['defaultBehavior', 'BaseObject', 'Process', 'Server', 'MemoryRegion', 'PS', 'MMS', 'PMS', 'Point', 'Circle', 'ColoredCircle', 'traits'])
      expect(world.lookup(0, name).kind).toBe('data');
    const traits = world.get(oids.traits).slots.map((s) => s.name);
    expect(traits).toEqual(expect.arrayContaining(['Callable', 'Transactional', 'Schedulable', 'TCircle', 'TColor']));
    for (const server of [oids.PS, oids.MMS, oids.PMS]) {
      expect(world.traitUses(server).map((u) => u.trait)).toEqual([oids.Callable, oids.Transactional]);
      expect(world.lookup(server, 'mainLoop').holder).toBe(server);
      expect(world.lookup(server, 'clone').holder).toBe(oids.defaultBehavior);
    }
    expect(world.conflicts(oids.ColoredCircle).map((c) => c.selector)).toEqual(['equals', 'hash']);
    expect(world.conflicts(oids.Circle)).toEqual([]);
  });

  it('is the same every time', async () => {
    const a = await createGenesisWorld();
    const b = await createGenesisWorld();
    expect(a.world.loadedOids().map((o) => a.world.snapshot(o))).toEqual(b.world.loadedOids().map((o) => b.world.snapshot(o)));
  });

  it('refuses a reference to a missing object in createObject', () => {
    const w = new World();
    expect(() => w.createObject({ slots: [data('x', { ref: 5 })] })).toThrow(InvalidInput);
  });
});
