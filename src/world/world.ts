// The World: an in-memory space of prototype objects with Self's lookup, Schärli traits,
// clone, and a transaction boundary. It knows nothing of QuickJS, workers or IndexedDB: a
// store plugs in through `ObjectStore`, a sandbox through `setSyntaxChecker` and `onChange`.
//
// Transactions (ZODB's model):
//  - Any mutation opens a transaction if none is open (`begin(note)` names it explicitly).
//  - The first time a transaction touches an object, the World keeps its before-image and the
//    serial it was read at; that is the dirty set (`pendingWrites()`).
//  - `commit(note)` hands the write set to the store (async) and, when the store acknowledges,
//    stamps the new serials. A refused commit (ConflictError) aborts and rethrows.
//  - `abort()` puts every touched object back exactly as it was and forgets created ones.
// Lazy loading: an object known to the store but not in memory raises ObjectFault from
// synchronous code; `await world.fault(oids)` loads it, then the caller retries.
// OIDs: in memory the World counts them itself. On a shared image (`reserveOids`) it takes
// them from a block the store reserved for it alone, so tabs never pick the same OID; an
// empty block raises ObjectFault (with `needsOids`) and `fault` reserves the next block.

import {
  AmbiguousSend,
  ConflictError,
  InvalidInput,
  MessageNotUnderstood,
  MethodSyntaxError,
  ObjectFault,
  TraitConflict,
  TransactionError,
} from './errors';
import { methodSourceProblem, selfSends } from './source';
import type {
  CommitResult,
  EffectiveMethod,
  LoadedObject,
  LookupResult,
  MethodSlot,
  OID,
  ObjectState,
  ObjectStore,
  Serial,
  SlotState,
  TraitConflictInfo,
  TraitUse,
  Value,
  WorldChange,
  WriteRecord,
  WriteSet,
} from './types';
import { workCheckpoint } from './work';
import { checkObjectName, checkSlot, checkSlotName, checkSource, checkTraitUse, checkValue, isOid } from './validate';

/** A syntax problem in method source; line and column are 1-based within the source. */
export interface SyntaxProblem {
  line: number;
  column: number;
  reason: string;
}
export type SyntaxChecker = (source: string) => SyntaxProblem | null;

export interface WorldOptions {
  /** Where committed states come from and go to; without one, commits succeed in memory. */
  store?: ObjectStore;
  /** First OID to allocate (the store's `nextOid`). */
  nextOid?: OID;
  /**
   * Reserves `count` OIDs for this World alone and answers the first (the store's atomic
   * `reserveOids`). With it, new objects take OIDs from reserved blocks; without it, from
   * `nextOid` counting up.
   */
  reserveOids?: (count: number) => Promise<OID>;
  /** How many OIDs one reservation takes (default 256). */
  oidBlockSize?: number;
  /** Checks method source at save after the World's own parser; the sandbox installs QuickJS's. */
  checkSyntax?: SyntaxChecker;
}

/** A trait table entry: a method contributed by a trait use, or a conflict between uses. */
type TraitEntry =
  | { kind: 'method'; holder: OID; slot: MethodSlot; trait: OID }
  | { kind: 'conflict'; traits: OID[] };

interface Touched {
  before: ObjectState | null;
  serial: Serial;
}

interface Transaction {
  note: string;
  origin: string;
  touched: Map<OID, Touched>;
  nextOidAtBegin: OID;
  oidEndAtBegin: OID;
}

/** A copy of a state deep enough that mutating the original never changes it (values are immutable). */
export function copyState(s: ObjectState): ObjectState {
  return {
    oid: s.oid,
    name: s.name,
    slots: s.slots.map((x) => ({ ...x })),
    traits: s.traits.map((t) => ({ trait: t.trait, exclude: [...t.exclude], alias: { ...t.alias } })),
    meta: { ...s.meta },
  };
}

function oidIsReadOnly(oid: OID): InvalidInput {
  return new InvalidInput(`'oid' is the identity of #${oid}, a read-only pseudo-slot: it cannot be assigned, renamed, moved or removed`);
}

export class World {
  private readonly objects = new Map<OID, ObjectState>();
  private readonly serials = new Map<OID, Serial>();
  /** OIDs the store was asked for and did not have (dangling references). */
  private readonly missing = new Set<OID>();
  private readonly listeners = new Set<(c: WorldChange) => void>();
  private slotIndexes = new Map<OID, Map<string, SlotState>>();
  private traitTables = new Map<OID, Map<string, TraitEntry>>();
  private providedByTrait = new Map<OID, Map<string, TraitEntry>>();
  private tx: Transaction | null = null;
  private committing = false;
  private localTid = 0;
  private checkSyntax: SyntaxChecker | null;
  readonly store: ObjectStore | null;
  /** The next OID to hand out (within the reserved block [nextOid, oidEnd) when reserving). */
  nextOid: OID;
  private readonly reserveOids: ((count: number) => Promise<OID>) | null;
  private readonly oidBlockSize: number;
  /** End of the reserved block; Infinity when the World counts OIDs itself. */
  private oidEnd: OID;
  /** Every OID below this may exist in the store (other writers' objects included). */
  private oidHorizon: OID;
  /** How many OIDs the transaction that found the block empty needed (0: none wanted); the
   * next `fault` reserves a block at least twice that, so a large transaction fits on retry. */
  private oidsWanted = 0;

  constructor(options: WorldOptions = {}) {
    this.store = options.store ?? null;
    this.nextOid = options.nextOid ?? 0;
    this.checkSyntax = options.checkSyntax ?? null;
    this.reserveOids = options.reserveOids ?? null;
    this.oidBlockSize = Math.max(1, Math.trunc(options.oidBlockSize ?? 256));
    this.oidEnd = this.reserveOids ? this.nextOid : Infinity;
    this.oidHorizon = this.nextOid;
  }

  /** True when new objects take OIDs from blocks the store reserved for this World. */
  get reservesOids(): boolean {
    return this.reserveOids !== null;
  }

  /**
   * The store's next unallocated OID grew (another writer's commit or reservation): OIDs
   * below it may name stored objects. A World counting OIDs itself also skips past them.
   */
  noteStoreNextOid(next: OID): void {
    this.oidHorizon = Math.max(this.oidHorizon, next);
    if (!this.reserveOids) this.nextOid = Math.max(this.nextOid, next);
  }

  /** Reserves a fresh block of OIDs from the store. Not while a transaction is open. */
  private async refillOids(): Promise<void> {
    if (!this.reserveOids) return;
    if (this.tx || this.committing) throw new TransactionError('OIDs are reserved between transactions; abort or commit first');
    const count = Math.max(this.oidBlockSize, 2 * this.oidsWanted);
    const first = await this.reserveOids(count);
    this.nextOid = first;
    this.oidEnd = first + count;
    this.oidHorizon = Math.max(this.oidHorizon, this.oidEnd);
    this.oidsWanted = 0;
  }

  setSyntaxChecker(check: SyntaxChecker | null): void {
    this.checkSyntax = check;
  }

  // ---------------------------------------------------------------- reading

  /** True when the object's state is in memory. */
  isLoaded(oid: OID): boolean {
    return this.objects.has(oid);
  }

  /** True when the object exists or may exist in the store (a reference to it is allowed). */
  exists = (oid: OID): boolean =>
    this.objects.has(oid) || (this.store !== null && !this.missing.has(oid) && oid < Math.max(this.nextOid, this.oidHorizon));

  /** The live state (read-only for callers). Throws ObjectFault if not loaded, InvalidInput if absent. */
  get(oid: OID): Readonly<ObjectState> {
    const s = this.objects.get(oid);
    if (s) return s;
    if (!isOid(oid)) throw new InvalidInput(`${JSON.stringify(oid)} is not an OID`);
    if (this.store && !this.missing.has(oid)) throw new ObjectFault([oid]);
    throw new InvalidInput(`there is no object #${oid}`);
  }

  /** A copy of the state, safe to keep or send elsewhere. */
  snapshot(oid: OID): ObjectState {
    return copyState(this.get(oid));
  }

  /** OIDs of all objects in memory, ascending. */
  loadedOids(): OID[] {
    return [...this.objects.keys()].sort((a, b) => a - b);
  }

  serialOf(oid: OID): Serial {
    return this.serials.get(oid) ?? 0;
  }

  nameOf(oid: OID): string {
    return this.objects.get(oid)?.name || `#${oid}`;
  }

  slot(oid: OID, name: string): SlotState | undefined {
    return this.slotIndex(oid).get(name);
  }

  // ---------------------------------------------------------------- loading and invalidation

  /** Puts committed states into memory (the store's open, or a fault). Not a transaction. */
  install(objects: LoadedObject[]): void {
    const loaded: OID[] = [];
    const replaced: OID[] = [];
    for (const { state, serial } of objects) {
      if (this.tx?.touched.has(state.oid)) continue;
      if (this.objects.has(state.oid)) replaced.push(state.oid);
      this.objects.set(state.oid, copyState(state));
      this.serials.set(state.oid, serial);
      this.missing.delete(state.oid);
      if (state.oid >= this.oidHorizon) this.oidHorizon = state.oid + 1;
      if (!this.reserveOids && state.oid >= this.nextOid) this.nextOid = state.oid + 1;
      loaded.push(state.oid);
    }
    this.dropCaches();
    if (loaded.length) this.emit({ type: 'loaded', oids: loaded });
    // A state that replaced one in memory may answer lookups differently: listeners that cache
    // (the sandbox's VM tables) must drop what they hold, as for any structure change.
    for (const oid of replaced) this.emit({ type: 'structure', oid });
  }

  /** Loads objects from the store after an ObjectFault (and reserves OIDs if it asked for them). */
  async fault(oids: OID[]): Promise<void> {
    if (this.oidsWanted) await this.refillOids();
    if (oids.length === 0) return;
    if (!this.store) throw new InvalidInput(`there is no object ${oids.map((o) => `#${o}`).join(', ')}`);
    const want = oids.filter((o) => !this.objects.has(o));
    if (want.length === 0) return;
    const got = await this.store.load(want);
    this.install(got);
    for (const o of want) if (!this.objects.has(o)) this.missing.add(o);
  }

  /** Another writer committed these objects: drop local copies not touched by the open transaction. */
  invalidate(oids: OID[]): void {
    const dropped = oids.filter((o) => this.objects.has(o) && !this.tx?.touched.has(o));
    for (const o of dropped) {
      this.objects.delete(o);
      this.serials.delete(o);
    }
    this.dropCaches();
    if (dropped.length) this.emit({ type: 'invalidated', oids: dropped });
  }

  // ---------------------------------------------------------------- transactions

  get inTransaction(): boolean {
    return this.tx !== null;
  }

  get transactionNote(): string | null {
    return this.tx?.note ?? null;
  }

  /** Opens a named transaction. Refused if one is already open. */
  begin(note = '', origin = 'world'): void {
    if (this.committing) throw new TransactionError('a transaction is being committed; wait for it to finish');
    if (this.tx) throw new TransactionError(`transaction '${this.tx.note}' is still open; commit or abort it first`);
    this.tx = { note, origin, touched: new Map(), nextOidAtBegin: this.nextOid, oidEndAtBegin: this.oidEnd };
  }

  /** OIDs touched (created or modified) by the open transaction, in order. */
  touchedOids(): OID[] {
    return this.tx ? [...this.tx.touched.keys()] : [];
  }

  /** The write set `commit` would hand to the store now. */
  pendingWrites(): WriteRecord[] {
    if (!this.tx) return [];
    return [...this.tx.touched].map(([oid, t]) => ({ oid, serial: t.serial, before: t.before, after: copyState(this.objects.get(oid)!) }));
  }

  /**
   * Commits the open transaction to the store. Resolves once the store acknowledges; null if
   * nothing was open. On refusal the transaction is aborted and the error rethrown.
   */
  async commit(note?: string): Promise<CommitResult | null> {
    const tx = this.tx;
    if (!tx) return null;
    if (this.committing) throw new TransactionError('a commit is already under way');
    const writeSet: WriteSet = { note: note ?? tx.note, origin: tx.origin, writes: this.pendingWrites(), nextOid: this.nextOid };
    if (writeSet.writes.length === 0) {
      this.tx = null;
      return null;
    }
    this.committing = true;
    let result: CommitResult;
    try {
      result = this.store ? await this.store.commit(writeSet) : { tid: ++this.localTid };
    } catch (e) {
      this.committing = false;
      this.abort();
      if (e instanceof ConflictError) {
        // ZODB's rule: a conflict invalidates what conflicted, so the next transaction reads
        // the newer states; OIDs another writer took are skipped.
        for (const w of writeSet.writes) if (w.serial === 0 && e.oids.includes(w.oid)) this.nextOid = Math.max(this.nextOid, w.oid + 1);
        this.invalidate(e.oids);
      }
      throw e;
    }
    this.committing = false;
    for (const w of writeSet.writes) {
      this.serials.set(w.oid, result.tid);
      const s = this.objects.get(w.oid);
      if (s && w.before === null && s.meta.createdTid === undefined) s.meta.createdTid = result.tid;
    }
    this.tx = null;
    this.emit({ type: 'committed', tid: result.tid, note: writeSet.note, oids: writeSet.writes.map((w) => w.oid) });
    return result;
  }

  /** Restores every object the open transaction touched; forgets objects it created. */
  abort(): void {
    const tx = this.tx;
    if (!tx) return;
    if (this.committing) throw new TransactionError('cannot abort while the commit is under way');
    for (const [oid, t] of tx.touched) {
      if (t.before === null) this.objects.delete(oid);
      else this.objects.set(oid, t.before);
    }
    // The OIDs it took are free again, unless a new block replaced the one they came from.
    if (this.oidEnd === tx.oidEndAtBegin) this.nextOid = tx.nextOidAtBegin;
    this.tx = null;
    this.dropCaches();
    this.emit({ type: 'aborted', oids: [...tx.touched.keys()] });
  }

  /** Runs `fn` in a named transaction and commits it; aborts and rethrows if `fn` throws. */
  async transact<T>(note: string, fn: () => T, origin = 'world'): Promise<{ value: T; tid: number | null }> {
    this.begin(note, origin);
    let value: T;
    try {
      value = fn();
    } catch (e) {
      this.abort();
      throw e;
    }
    const r = await this.commit();
    return { value, tid: r?.tid ?? null };
  }

  // ---------------------------------------------------------------- events

  onChange(listener: (c: WorldChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(c: WorldChange): void {
    for (const l of this.listeners) l(c);
  }

  // ---------------------------------------------------------------- mutation plumbing

  /** Returns the live state for writing, recording its before-image once per transaction. */
  private writable(oid: OID): ObjectState {
    if (this.committing) throw new TransactionError('a transaction is being committed; changes must wait');
    const s = this.get(oid) as ObjectState;
    if (!this.tx) this.begin();
    const tx = this.tx!;
    if (!tx.touched.has(oid)) tx.touched.set(oid, { before: copyState(s), serial: this.serialOf(oid) });
    return s;
  }

  private structureChanged(oid: OID): void {
    this.dropCaches();
    this.emit({ type: 'structure', oid });
  }

  private dropCaches(): void {
    this.slotIndexes = new Map();
    this.traitTables = new Map();
    this.providedByTrait = new Map();
  }

  private slotIndex(oid: OID): Map<string, SlotState> {
    let ix = this.slotIndexes.get(oid);
    if (!ix) {
      ix = new Map();
      for (const s of this.get(oid).slots) ix.set(s.name, s);
      this.slotIndexes.set(oid, ix);
    }
    return ix;
  }

  private findSlot(oid: OID, name: string): { state: ObjectState; index: number } {
    const state = this.get(oid) as ObjectState;
    if (name === 'oid') throw oidIsReadOnly(oid);
    const index = state.slots.findIndex((s) => s.name === name);
    if (index < 0) throw new InvalidInput(`${this.nameOf(oid)} (#${oid}) has no slot '${name}'`);
    return { state, index };
  }

  /**
   * The parser's check (exactly one function expression) and then the sandbox's (its engine's
   * own grammar, strict mode). Called before any change, so a refusal keeps the old method.
   */
  private checkMethodSyntax(owner: OID, selector: string, source: string): void {
    const problem = methodSourceProblem(source) ?? this.checkSyntax?.(source);
    if (problem) throw new MethodSyntaxError(owner, selector, problem.line, problem.column, problem.reason);
  }

  /** The OID the next allocation answers; an empty reserved block raises ObjectFault. */
  private peekOid(): OID {
    if (this.nextOid > Number.MAX_SAFE_INTEGER) throw new InvalidInput('no OIDs left');
    if (this.nextOid >= this.oidEnd) {
      this.oidsWanted = Math.max(this.oidsWanted, (this.tx ? this.nextOid - this.tx.nextOidAtBegin : 0) + 1);
      throw new ObjectFault([], true);
    }
    return this.nextOid;
  }

  private allocate(): OID {
    this.peekOid();
    return this.nextOid++;
  }

  // ---------------------------------------------------------------- mutations

  /** Creates an object from a description; slots and trait uses are validated. */
  createObject(init: { name?: string; slots?: unknown[]; traits?: unknown[] } = {}): OID {
    if (this.committing) throw new TransactionError('a transaction is being committed; changes must wait');
    const name = checkObjectName(init.name ?? '');
    const oid = this.peekOid();
    const slots = (init.slots ?? []).map((s) => checkSlot(s, (o) => o === oid || this.exists(o)));
    const seen = new Set<string>();
    for (const s of slots) {
      if (seen.has(s.name)) throw new InvalidInput(`slot '${s.name}' appears twice`);
      seen.add(s.name);
      if (s.kind === 'method') this.checkMethodSyntax(oid, s.name, s.source);
    }
    const traits = (init.traits ?? []).map((u) => checkTraitUse(u, (o) => o === oid || this.exists(o)));
    if (!this.tx) this.begin();
    this.allocate();
    this.objects.set(oid, { oid, name, slots, traits, meta: {} });
    this.tx!.touched.set(oid, { before: null, serial: 0 });
    this.dropCaches();
    this.emit({ type: 'created', oid });
    return oid;
  }

  /** Self's clone: a shallow copy of the object's own slots and trait uses; parents are shared. */
  clone(oid: OID): OID {
    const src = this.get(oid);
    if (this.committing) throw new TransactionError('a transaction is being committed; changes must wait');
    const copyOid = this.allocate();
    if (!this.tx) this.begin();
    const copy = copyState(src);
    copy.oid = copyOid;
    copy.meta = {};
    copy.name = src.name === '' || /^an? /.test(src.name) ? src.name : `${/^[AEIOU]/i.test(src.name) ? 'an' : 'a'} ${src.name}`;
    this.objects.set(copy.oid, copy);
    this.tx!.touched.set(copy.oid, { before: null, serial: 0 });
    this.emit({ type: 'created', oid: copy.oid });
    return copy.oid;
  }

  setName(oid: OID, name: string): void {
    const n = checkObjectName(name);
    this.writable(oid).name = n;
    this.structureChanged(oid);
  }

  /** Adds a slot (at `index`, default the end). Refused if the name is taken. */
  addSlot(oid: OID, slot: unknown, index?: number): void {
    const s = checkSlot(slot, this.exists);
    const state = this.get(oid);
    if (state.slots.some((x) => x.name === s.name)) throw new InvalidInput(`${this.nameOf(oid)} (#${oid}) already has a slot '${s.name}'`);
    if (s.kind === 'method') this.checkMethodSyntax(oid, s.name, s.source);
    const w = this.writable(oid);
    const at = index === undefined ? w.slots.length : Math.max(0, Math.min(w.slots.length, Math.trunc(index)));
    w.slots.splice(at, 0, s);
    this.structureChanged(oid);
  }

  removeSlot(oid: OID, name: string): void {
    const { index } = this.findSlot(oid, name);
    this.writable(oid).slots.splice(index, 1);
    this.structureChanged(oid);
  }

  renameSlot(oid: OID, oldName: string, newName: string): void {
    const { state, index } = this.findSlot(oid, oldName);
    checkSlotName(newName);
    if (oldName === newName) return;
    if (state.slots.some((x) => x.name === newName)) throw new InvalidInput(`${this.nameOf(oid)} (#${oid}) already has a slot '${newName}'`);
    const w = this.writable(oid);
    w.slots[index] = { ...w.slots[index]!, name: newName };
    this.structureChanged(oid);
  }

  /** Moves a slot to a new position among the object's slots (outliner order). */
  moveSlot(oid: OID, name: string, toIndex: number): void {
    const { index } = this.findSlot(oid, name);
    if (!Number.isInteger(toIndex)) throw new InvalidInput('a slot position must be an integer');
    const w = this.writable(oid);
    const [s] = w.slots.splice(index, 1);
    w.slots.splice(Math.max(0, Math.min(w.slots.length, toIndex)), 0, s!);
    this.structureChanged(oid);
  }

  /** Sets (or clears, with undefined or '') a slot's category or comment. */
  setSlotInfo(oid: OID, name: string, info: { category?: string; comment?: string; constant?: boolean }): void {
    const { index } = this.findSlot(oid, name);
    const current = this.get(oid).slots[index]!;
    const merged = { ...current, ...info };
    if (current.kind === 'method') delete (merged as { constant?: boolean }).constant;
    const s = checkSlot(merged, this.exists);
    const w = this.writable(oid);
    w.slots[index] = s;
    this.structureChanged(oid);
  }

  /** Writes a data or parent slot of this very object. */
  setSlotValue(oid: OID, name: string, value: unknown): void {
    const { state, index } = this.findSlot(oid, name);
    const slot = state.slots[index]!;
    if (slot.kind === 'method') throw new InvalidInput(`'${name}' on ${this.nameOf(oid)} (#${oid}) is a method; change it with setMethod`);
    if (slot.constant) throw new InvalidInput(`'${name}' on ${this.nameOf(oid)} (#${oid}) is a constant slot`);
    const v = checkValue(value, this.exists);
    if (slot.kind === 'parent' && (v === null || typeof v !== 'object' || !('ref' in v)))
      throw new InvalidInput(`parent slot '${name}' must hold a reference to an object`);
    const w = this.writable(oid);
    w.slots[index] = { ...slot, value: v } as SlotState;
    if (slot.kind === 'parent') this.structureChanged(oid);
    else {
      this.slotIndexes.delete(oid);
      this.emit({ type: 'value', oid, slot: name });
    }
  }

  /**
   * Assignment as a method does it: `self.x = v` writes the slot wherever lookup finds it
   * (Self semantics: the holder's slot). Returns the holder.
   */
  assign(receiver: OID, selector: string, value: unknown): OID {
    if (selector === 'oid') throw oidIsReadOnly(receiver);
    const r = this.lookup(receiver, selector);
    if (r.kind === 'method') throw new InvalidInput(`'${selector}' on ${this.nameOf(r.holder)} (#${r.holder}) is a method; change it with setMethod`);
    this.setSlotValue(r.holder, selector, value);
    return r.holder;
  }

  /** Creates or replaces a method slot. The source is syntax-checked first; on error the old method stays. */
  setMethod(oid: OID, name: string, source: string, info: { category?: string; comment?: string } = {}): void {
    checkSlotName(name);
    checkSource(source);
    this.get(oid);
    this.checkMethodSyntax(oid, name, source);
    const state = this.get(oid);
    const index = state.slots.findIndex((s) => s.name === name);
    if (index < 0) return this.addSlot(oid, { name, kind: 'method', source, ...info });
    const old = state.slots[index]!;
    const next = checkSlot({ name, kind: 'method', source, category: info.category ?? old.category, comment: info.comment ?? old.comment }, this.exists);
    this.writable(oid).slots[index] = next;
    this.structureChanged(oid);
  }

  /** Adds a trait use, or replaces the existing use of the same trait. */
  useTrait(oid: OID, use: unknown): void {
    const u = checkTraitUse(use, this.exists);
    if (u.trait === oid) throw new InvalidInput('an object cannot use itself as a trait');
    this.get(u.trait);
    if (this.traitReaches(u.trait, oid, new Set())) throw new InvalidInput(`using #${u.trait} as a trait of #${oid} would make a cycle of traits`);
    const w = this.writable(oid);
    const i = w.traits.findIndex((t) => t.trait === u.trait);
    if (i >= 0) w.traits[i] = u;
    else w.traits.push(u);
    this.structureChanged(oid);
  }

  removeTrait(oid: OID, trait: OID): void {
    const i = this.get(oid).traits.findIndex((t) => t.trait === trait);
    if (i < 0) throw new InvalidInput(`${this.nameOf(oid)} (#${oid}) does not use #${trait} as a trait`);
    this.writable(oid).traits.splice(i, 1);
    this.structureChanged(oid);
  }

  private traitReaches(from: OID, target: OID, seen: Set<OID>): boolean {
    if (from === target) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return this.get(from).traits.some((t) => this.traitReaches(t.trait, target, seen));
  }

  // ---------------------------------------------------------------- lookup

  /**
   * Finds what answers `selector` for `receiver`: its own slots, then the methods of its
   * composed traits, then its parents (depth-first, each parent with the same rule).
   * Throws MessageNotUnderstood, TraitConflict or AmbiguousSend.
   */
  lookup(receiver: OID, selector: string): LookupResult {
    const r = this.find(receiver, receiver, selector, new Set());
    if (!r) throw new MessageNotUnderstood(receiver, selector, this.nameOf(receiver));
    return r;
  }

  /** Like lookup, but answers undefined instead of MessageNotUnderstood. */
  tryLookup(receiver: OID, selector: string): LookupResult | undefined {
    return this.find(receiver, receiver, selector, new Set());
  }

  /** `resend` from a method found at `at`: continue the lookup in `at`'s parents. */
  lookupResend(receiver: OID, at: OID, selector: string): LookupResult {
    const r = this.findInParents(receiver, at, selector, new Set([at]));
    if (!r) throw new MessageNotUnderstood(receiver, selector, `resend from ${this.nameOf(at)}`);
    return r;
  }

  private find(receiver: OID, at: OID, selector: string, visited: Set<OID>): LookupResult | undefined {
    if (visited.has(at)) return undefined;
    visited.add(at);
    const own = this.slotIndex(at).get(selector);
    if (own) {
      if (own.kind === 'method') return { kind: 'method', holder: at, at, slot: own };
      if (own.kind === 'parent') return { kind: 'parent', holder: at, at, slot: own };
      return { kind: 'data', holder: at, at, slot: own };
    }
    const t = this.traitTable(at).get(selector);
    if (t) {
      if (t.kind === 'conflict') throw new TraitConflict(receiver, selector, t.traits, t.traits.map((o) => this.nameOf(o)));
      return { kind: 'method', holder: t.holder, at, slot: t.slot, trait: t.trait };
    }
    return this.findInParents(receiver, at, selector, visited);
  }

  private findInParents(receiver: OID, at: OID, selector: string, visited: Set<OID>): LookupResult | undefined {
    let found: LookupResult | undefined;
    let foundVia = '';
    for (const s of this.get(at).slots) {
      if (s.kind !== 'parent') continue;
      const r = this.find(receiver, s.value.ref, selector, visited);
      if (!r) continue;
      if (!found) {
        found = r;
        foundVia = s.name;
      } else if (found.holder !== r.holder || found.slot.name !== r.slot.name) {
        throw new AmbiguousSend(receiver, selector, [foundVia, s.name], [found.holder, r.holder]);
      }
    }
    return found;
  }

  // ---------------------------------------------------------------- traits

  /**
   * What a trait contributes when used: its own methods plus its composed trait methods.
   * Kept with the trait tables (read-only for callers), so every use of one trait shares it.
   */
  private provided(trait: OID, visiting: Set<OID> = new Set()): Map<string, TraitEntry> {
    const cached = this.providedByTrait.get(trait);
    if (cached) return cached;
    const out = new Map<string, TraitEntry>();
    const own = this.slotIndex(trait);
    for (const [sel, e] of this.traitTable(trait, visiting)) if (!own.has(sel)) out.set(sel, e);
    for (const s of this.get(trait).slots) if (s.kind === 'method') out.set(s.name, { kind: 'method', holder: trait, slot: s, trait });
    // Not kept when the trait's table was cut short by a cycle of traits (that table is not kept either).
    if (this.traitTables.has(trait)) this.providedByTrait.set(trait, out);
    return out;
  }

  /** The object's composed trait table: selector → contributing method, or a conflict. */
  private traitTable(oid: OID, visiting: Set<OID> = new Set()): Map<string, TraitEntry> {
    const cached = this.traitTables.get(oid);
    if (cached) return cached;
    const table = new Map<string, TraitEntry>();
    if (visiting.has(oid)) return table; // a cycle of traits: the inner visit contributes nothing (and is not cached)
    visiting.add(oid);
    // Linear in what the uses bring: exclusions are deleted from a copy of what the trait
    // provides (never searched per selector; a plain use takes it as it is), and a conflict
    // entry made here grows in place with a set of its traits beside it (never copied and
    // searched again for each further use).
    const conflictTraits = new Map<TraitEntry, Set<OID>>();
    for (const use of this.get(oid).traits) {
      // `visiting` carries through: useTrait refuses cycles, but an image file or a store may hold one
      const provided = this.provided(use.trait, visiting);
      const aliases = Object.entries(use.alias);
      let contributed = provided;
      if (use.exclude.length || aliases.length) {
        contributed = new Map(provided);
        for (const sel of use.exclude) contributed.delete(sel);
        for (const [alias, original] of aliases) {
          const e = provided.get(original);
          if (e) contributed.set(alias, e);
        }
      }
      for (const [sel, e] of contributed) {
        const prev = table.get(sel);
        if (!prev) {
          table.set(sel, e.kind === 'method' ? { ...e, trait: use.trait } : { kind: 'conflict', traits: [...e.traits] });
          continue;
        }
        if (prev.kind === 'method' && e.kind === 'method' && prev.holder === e.holder && prev.slot.name === e.slot.name) continue;
        // prev is this table's own entry: a conflict is grown in place, a method becomes one
        let conflict: TraitEntry & { kind: 'conflict' };
        let seen: Set<OID> | undefined;
        if (prev.kind === 'conflict') {
          conflict = prev;
          seen = conflictTraits.get(prev);
        } else {
          conflict = { kind: 'conflict', traits: [prev.trait] };
          table.set(sel, conflict);
        }
        if (!seen) conflictTraits.set(conflict, (seen = new Set(conflict.traits)));
        for (const t of e.kind === 'method' ? [use.trait] : e.traits) {
          if (seen.has(t)) continue;
          seen.add(t);
          conflict.traits.push(t);
        }
        if (conflict.traits.length < 2) {
          conflict.traits.push(use.trait);
          seen.add(use.trait);
        }
      }
    }
    visiting.delete(oid);
    this.traitTables.set(oid, table);
    return table;
  }

  /** Own methods and composed trait methods (own slots override traits); conflicts left out. */
  effectiveMethods(oid: OID): EffectiveMethod[] {
    const out: EffectiveMethod[] = [];
    const own = this.slotIndex(oid);
    for (const s of this.get(oid).slots) if (s.kind === 'method') out.push({ selector: s.name, holder: oid, slot: s.name });
    for (const [sel, e] of this.traitTable(oid)) {
      if (own.has(sel) || e.kind === 'conflict') continue;
      out.push({ selector: sel, holder: e.holder, slot: e.slot.name, trait: e.trait });
    }
    return out;
  }

  /** Unresolved conflicts: selectors given by two trait uses and not overridden by an own slot. */
  conflicts(oid: OID): TraitConflictInfo[] {
    const own = this.slotIndex(oid);
    const out: TraitConflictInfo[] = [];
    for (const [sel, e] of this.traitTable(oid)) if (e.kind === 'conflict' && !own.has(sel)) out.push({ selector: sel, traits: e.traits });
    return out;
  }

  /** Selectors a trait's methods send to `self` that the trait itself does not provide. */
  requiredSelectors(trait: OID): string[] {
    const provided = this.provided(trait);
    const needed = new Set<string>();
    for (const e of provided.values()) if (e.kind === 'method') for (const sel of selfSends(e.slot.source)) if (!provided.has(sel)) needed.add(sel);
    return [...needed];
  }

  /** For each trait the object uses: required selectors the object does not understand. */
  requires(oid: OID): { trait: OID; selectors: string[] }[] {
    return this.get(oid).traits.map((u) => ({
      trait: u.trait,
      selectors: this.requiredSelectors(u.trait).filter((sel) => {
        try {
          return this.tryLookup(oid, sel) === undefined;
        } catch {
          return false; // a conflict or ambiguity is reported elsewhere
        }
      }),
    }));
  }

  /** Slots and trait uses (among loaded objects) that refer to `target`. */
  references(target: OID): { oid: OID; slot: string }[] {
    const out: { oid: OID; slot: string }[] = [];
    const refersTo = (v: Value): boolean => {
      workCheckpoint();
      return v !== null && typeof v === 'object' && (Array.isArray(v) ? v.some(refersTo) : 'ref' in v && v.ref === target);
    };
    for (const s of this.objects.values()) {
      for (const slot of s.slots) if (slot.kind !== 'method' && refersTo(slot.value)) out.push({ oid: s.oid, slot: slot.name });
      for (const t of s.traits) if (t.trait === target) out.push({ oid: s.oid, slot: '(trait use)' });
    }
    return out;
  }

  /** The trait uses of an object (copies). */
  traitUses(oid: OID): TraitUse[] {
    return this.get(oid).traits.map((t) => ({ trait: t.trait, exclude: [...t.exclude], alias: { ...t.alias } }));
  }
}
