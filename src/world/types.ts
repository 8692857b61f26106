// The World's persistent vocabulary: OIDs, values, slots, object states, and the transaction
// boundary a store plugs into. Everything here is plain JSON so `src/store` can write it
// to IndexedDB or a `.telos` file without knowing anything else about the World.

/** Object identifier: an unsigned integer below 2^53. OID 0 is the root (the lobby). */
export type OID = number;
export const ROOT_OID: OID = 0;

/**
 * Transaction id of the last committed write of an object (ZODB's "serial").
 * 0 means "never committed" (a new object, or an image without a store).
 */
export type Serial = number;
export type Tid = number;

/** A reference to another object. */
export interface Ref {
  ref: OID;
}

/** A reference to a blob kept by the store (large strings, binaries). */
export interface BlobRef {
  blob: string;
  size: number;
  type: string;
}

/** What a data slot can hold. Lists are immutable values: change one by assigning a new list. */
export type Value = null | boolean | number | string | Ref | BlobRef | Value[];

export type SlotKind = 'data' | 'method' | 'parent';

interface SlotCommon {
  /** Selector: an identifier (`radius`, `_dispatchMessage`) or an operator (`==`, `<=`). */
  name: string;
  /** Outliner grouping, as in Self ("accessing", "printing"). */
  category?: string;
  comment?: string;
}

/** A data slot; assignable unless `constant`. */
export interface DataSlot extends SlotCommon {
  kind: 'data';
  value: Value;
  constant?: boolean;
}

/** A method slot: `source` is a JavaScript function expression `function (a, b) { ... }`. */
export interface MethodSlot extends SlotCommon {
  kind: 'method';
  source: string;
}

/** A parent (delegation) slot; its value is always a reference. Assignable unless `constant`. */
export interface ParentSlot extends SlotCommon {
  kind: 'parent';
  value: Ref;
  constant?: boolean;
}

export type SlotState = DataSlot | MethodSlot | ParentSlot;

/**
 * One use of an object as a trait. `exclude` drops selectors the trait would contribute;
 * `alias` adds extra names for its methods: `{ newSelector: existingSelector }`
 * (Squeak's `T @ {#circleHash -> #hash}` is `{ circleHash: 'hash' }`).
 */
export interface TraitUse {
  trait: OID;
  exclude: string[];
  alias: Record<string, string>;
}

export interface ObjectMeta {
  /** Transaction that first committed this object (stamped by the store at commit). */
  createdTid?: Tid;
}

/**
 * An object's whole persistent state, as stored. Slots and trait uses are ordered.
 * The OID is intrinsic: it is never a slot and a clone gets a fresh one.
 */
export interface ObjectState {
  oid: OID;
  /** Display name (outliner title); not a slot, not used by lookup. */
  name: string;
  slots: SlotState[];
  traits: TraitUse[];
  meta: ObjectMeta;
}

/** An object as a store hands it over: its state and the serial it was read at. */
export interface LoadedObject {
  state: ObjectState;
  serial: Serial;
}

/**
 * One object written by a transaction. `serial` is the serial the World read the object at
 * (0 for an object created in this transaction): the store refuses the commit with a
 * ConflictError if the stored serial differs (for a new object: if it already exists).
 * `before` is the state at the start of the transaction (null when created), `after` the
 * state to write. The store stamps `after.meta.createdTid` on created objects.
 */
export interface WriteRecord {
  oid: OID;
  serial: Serial;
  before: ObjectState | null;
  after: ObjectState;
}

/** What `World.commit` hands to the store: one atomic transaction. */
export interface WriteSet {
  /** Human-readable transaction note ("Add slot radius to Circle"). */
  note: string;
  /** Who made it (e.g. "workspace", "outliner", a tab id); free-form. */
  origin: string;
  /** Written objects, in the order they were first touched. */
  writes: WriteRecord[];
  /** The World's next unallocated OID after this transaction (the store keeps the max). */
  nextOid: OID;
}

export interface CommitResult {
  /** Transaction id the store assigned; becomes the serial of every written object. */
  tid: Tid;
}

/**
 * Where committed object states come from and go to. `src/store` implements this over
 * IndexedDB; `InMemoryStore` (src/world/memory-store.ts) implements it for tests and the CLI.
 *
 * The World calls `load` only outside a running evaluation: a method that touches an object
 * not yet in memory raises `ObjectFault`; the caller aborts, awaits
 * `world.fault(oids)` (which calls `load`), and runs the evaluation again.
 */
export interface ObjectStore {
  /** Committed states of these objects; absent OIDs are simply missing from the result. */
  load(oids: OID[]): Promise<LoadedObject[]>;
  /**
   * Writes one transaction atomically or not at all. Rejects with a ConflictError
   * (src/world/errors.ts) naming the objects whose serial changed; nothing is written then.
   */
  commit(writes: WriteSet): Promise<CommitResult>;
}

/**
 * Change notifications from a World. Sandboxes and the UI listen; the store's cross-tab
 * invalidation feeds `World.invalidate`, which emits `invalidated`.
 *  - `value`: a data slot's value changed (structure unchanged).
 *  - `structure`: slots, parents, traits or name changed; lookups through it may differ.
 *  - `created`: a new object exists (clone, createObject).
 *  - `committed` / `aborted`: the transaction ended; `oids` are the objects it touched.
 *  - `invalidated`: another writer committed these objects; local copies were dropped.
 *  - `loaded`: committed states came into memory from the store (lazy loading, a fault).
 */
export type WorldChange =
  | { type: 'value'; oid: OID; slot: string }
  | { type: 'structure'; oid: OID }
  | { type: 'created'; oid: OID }
  | { type: 'committed'; tid: Tid; note: string; oids: OID[] }
  | { type: 'aborted'; oids: OID[] }
  | { type: 'invalidated'; oids: OID[] }
  | { type: 'loaded'; oids: OID[] };

/** How a selector resolves on a receiver (see World.lookup). */
/**
 * How a selector resolves on a receiver (see World.lookup). `holder` is the object whose
 * slot answers; `at` is the object in the delegation chain where lookup stopped (differs from
 * `holder` for a trait method: `at` uses the trait, `holder` is the trait). `resend` in that
 * method continues in the parents of `at`. `trait` is the trait use it came through.
 */
export type LookupResult =
  | { kind: 'data'; holder: OID; at: OID; slot: DataSlot }
  | { kind: 'parent'; holder: OID; at: OID; slot: ParentSlot }
  | { kind: 'method'; holder: OID; at: OID; slot: MethodSlot; trait?: OID };

/** An unresolved trait conflict on an object: `selector` is provided by all of `traits`. */
export interface TraitConflictInfo {
  selector: string;
  traits: OID[];
}

/** An entry of an object's effective method table (own methods and composed trait methods). */
export interface EffectiveMethod {
  selector: string;
  /** The object whose slot holds the source (the object itself, or a trait). */
  holder: OID;
  /** The slot's name in the holder (differs from `selector` for an alias). */
  slot: string;
  /** The trait it came through, if any. */
  trait?: OID;
}
