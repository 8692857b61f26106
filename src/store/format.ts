// The living image's on-disk format: one IndexedDB database per image, four tables.
//
//   objects  oid → { oid, serial, state }
//            The current revision of every stored object. `serial` is the tid of the
//            transaction that last wrote it. `state` is the World's ObjectState (plain JSON;
//            references are `{ref: oid}` values and trait uses `{trait: oid}`, blob
//            references `{blob: id, size, type}`).
//            Objects are never deleted by a commit: persistence is by reachability, and
//            pack removes what the root no longer reaches.
//   txlog    tid → { tid, time, note, origin, undoOf?, changes: [{ oid, beforeSerial, before }] }
//            One record per committed transaction, appended in the same IndexedDB
//            transaction as the states it wrote. Only before-images are stored: as in ZODB,
//            each revision is written once, and the after-image of (tid, oid) is the current
//            state when its serial is still `tid`, or else the before-image of the next
//            revision, found by following `beforeSerial` pointers back from the current
//            state. `beforeSerial` 0 with `before` null means the transaction created it.
//   blobs    id → { id, data: Blob, size, type }
//            Large values, written before the commit that refers to them; pack removes the
//            ones no reachable object refers to.
//   meta     'image' → { key, formatVersion, root, nextOid, lastTid, packedTid, createdAt }
//            `nextOid` is the first oid never handed out (oids are reserved in blocks, so
//            two tabs never make the same oid); `lastTid` the newest committed tid (the truth
//            other tabs check); `packedTid` the oldest tid whose history is kept.
//
// Every commit is one read-write IndexedDB transaction over objects, txlog and meta: serial
// checks, new states, the log record and the meta bump land together or not at all.
// The format version lives in meta; migrations (migrations.ts) move an image forward at open.
import * as v from 'valibot';
import type { ObjectState, OID } from '../world';

export type Oid = OID;
export type Tid = number;

/** The World's object state (src/world/types.ts), stored as the plain JSON it is. */
export type StoredState = ObjectState;

/** The newest image format this code reads and writes. */
export const FORMAT_VERSION = 1;

/** Largest oid or tid: integers stay exact in JSON and IndexedDB keys below 2^53. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

/** Dexie table schemas by IndexedDB schema version. Only primary keys: every index is
 * written on every commit, and the store needs none. */
export const TABLES = {
  objects: 'oid',
  txlog: 'tid',
  blobs: 'id',
  meta: 'key',
} as const;

export interface ObjectRecord {
  oid: Oid;
  serial: Tid;
  state: StoredState;
}

export interface ChangeRecord {
  oid: Oid;
  beforeSerial: Tid;
  before: StoredState | null;
}

export interface TxRecord {
  tid: Tid;
  time: number;
  note: string;
  origin: string;
  undoOf?: Tid;
  changes: ChangeRecord[];
}

export interface BlobRecord {
  id: string;
  data: Blob;
  size: number;
  type: string;
}

export interface MetaRecord {
  key: 'image';
  formatVersion: number;
  root: Oid;
  nextOid: Oid;
  lastTid: Tid;
  packedTid: Tid;
  createdAt: number;
}

const id = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

type ValueShape = null | boolean | number | string | { ref: number } | { blob: string; size: number; type: string } | ValueShape[];
const ValueSchema: v.GenericSchema<ValueShape> = v.union([
  v.null(),
  v.boolean(),
  v.pipe(v.number(), v.finite()),
  v.string(),
  v.strictObject({ ref: id }),
  v.strictObject({ blob: v.pipe(v.string(), v.minLength(1)), size: id, type: v.string() }),
  v.array(v.lazy(() => ValueSchema)),
]);

const slotCommon = { name: v.pipe(v.string(), v.minLength(1)), category: v.optional(v.string()), comment: v.optional(v.string()) };

/** The shape of the World's ObjectState, checked when an image is verified. */
export const ObjectStateSchema = v.object({
  oid: id,
  name: v.string(),
  slots: v.array(
    v.variant('kind', [
      v.object({ ...slotCommon, kind: v.literal('data'), value: ValueSchema, constant: v.optional(v.boolean()) }),
      v.object({ ...slotCommon, kind: v.literal('method'), source: v.string() }),
      v.object({ ...slotCommon, kind: v.literal('parent'), value: v.strictObject({ ref: id }), constant: v.optional(v.boolean()) }),
    ]),
  ),
  traits: v.array(v.object({ trait: id, exclude: v.array(v.string()), alias: v.record(v.string(), v.string()) })),
  meta: v.object({ createdTid: v.optional(id) }),
});
const state = v.nullable(v.record(v.string(), v.unknown()));

export const MetaSchema = v.object({
  key: v.literal('image'),
  formatVersion: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  root: id,
  nextOid: id,
  lastTid: id,
  packedTid: id,
  createdAt: v.number(),
});

export const ObjectRecordSchema = v.object({ oid: id, serial: id, state: ObjectStateSchema });

export const TxRecordSchema = v.object({
  tid: id,
  time: v.number(),
  note: v.string(),
  origin: v.string(),
  undoOf: v.optional(id),
  changes: v.array(v.object({ oid: id, beforeSerial: id, before: state })),
});

/**
 * Why a transaction record breaks the order history relies on (undefined if it does not):
 * an object's revisions are followed back through `beforeSerial`, and an undo names the
 * transaction it undid, so both must lie strictly before the record's own tid.
 */
export function txOrderProblem(rec: Pick<TxRecord, 'tid' | 'undoOf' | 'changes'>): string | undefined {
  if (rec.undoOf !== undefined && !(rec.undoOf < rec.tid)) return `it says it undid transaction ${rec.undoOf}, which is not before it`;
  for (const c of rec.changes) {
    if (!(c.beforeSerial < rec.tid)) return `object ${c.oid}'s previous revision is transaction ${c.beforeSerial}, which is not before it`;
  }
  return undefined;
}

/** Says in a few words why a record does not fit its schema, or undefined when it does. */
export function recordProblem(schema: v.GenericSchema, record: unknown): string | undefined {
  const r = v.safeParse(schema, record);
  if (r.success) return undefined;
  const issue = r.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return `${path ? path + ': ' : ''}${issue.message}`;
}

/** Is this value a reference `{ref: oid}`? */
function isRef(x: object): x is { ref: number } {
  return typeof (x as { ref?: unknown }).ref === 'number';
}

/** Is this value a blob reference `{blob: id, size, type}`? */
function isBlobRef(x: object): x is { blob: string } {
  return typeof (x as { blob?: unknown }).blob === 'string';
}

/** Is this value a trait use `{trait: oid, exclude, alias}` (it refers to the trait)? */
function isTraitUse(x: object): x is { trait: number } {
  return typeof (x as { trait?: unknown }).trait === 'number' && Array.isArray((x as { exclude?: unknown }).exclude);
}

/** Calls `onRef` for every object a state refers to (`{ref}` values, parent slots, and the
 * traits it uses) and `onBlob` for every `{blob}`, anywhere in it. */
export function visitReferences(
  value: unknown,
  onRef: (oid: Oid) => void,
  onBlob?: (id: string) => void,
): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) visitReferences(item, onRef, onBlob);
    return;
  }
  if (isRef(value)) onRef(value.ref);
  else if (isBlobRef(value)) onBlob?.(value.blob);
  else if (isTraitUse(value)) onRef(value.trait);
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== null && typeof item === 'object') visitReferences(item, onRef, onBlob);
  }
}
