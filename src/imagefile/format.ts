// The `.telos` image file: what is in it, and the schemas every record is checked against.
//
// A `.telos` file is gzip over newline-delimited JSON (one JSON value per line, each line
// ended by "\n", UTF-8). Both directions stream, so a large image never has to sit in
// memory whole.
//
//   line 1      header  {"format":"telos-image","version":1,"createdAt":ISO,"root":0,
//                        "counts":{"obj":n,"blob":n,"tx":n,"disk":n,"vm":n,"hdb"?:n},
//                        "name"?:string,"nextOid"?:n,"lastTid"?:n}
//   lines 2..   records, each an object with a "type":
//     obj    {"type":"obj","oid":n,"serial"?:tid,"state":ObjectState}   one per object
//            (serial: the tid that last wrote it; absent or 0 when never committed)
//     blob   {"type":"blob","id":s,"mediaType":s,"size":n,"offset":n,"data":base64}
//            a blob is cut into chunks of at most BLOB_CHUNK_BYTES; its chunks are
//            consecutive, in order, starting at offset 0 (an empty blob is one empty chunk)
//     tx     {"type":"tx","tid":n,"time":ms,"note":s,"origin":s,"undoOf"?:tid,
//             "changes":[{"oid":n,"beforeSerial":tid,"before":ObjectState|null}]}
//            history, optional at export, in tid order; as in the store's txlog only
//            before-images are kept (after-images follow from the next revision)
//     disk   {"type":"disk","offset":n,"size":n,"data":base64}   kernel disk chunks (reserved)
//     vm     {"type":"vm","offset":n,"size":n,"data":base64}     saved VM state chunks (reserved)
//     hdb    {"type":"hdb","offset":n,"size":n,"data":base64}    the Machine's file-system disk,
//            sparse: only chunks that are not all zeros are written (a file system is mostly
//            empty), in rising offsets that do not overlap, each inside `size`; the bytes
//            between them are zeros. A blank disk is one empty chunk at offset 0. `size` is
//            whole 512-byte sectors, at most MAX_HDB_FILE_BYTES. Files without an hdb
//            leave its count out.
//   last       {"type":"end","records":n,"sha256":hex}
//            records = number of lines between header and end; sha256 is over every
//            uncompressed byte before the end line (header and records with their "\n").
//
// counts: obj, tx, disk, vm and hdb count records; blob counts blobs (not chunks).
//
// An ObjectState is the World's object without its OID: {"name","slots","traits","meta"},
// slots and trait uses ordered. A trait use's alias map is written as sorted
// [newSelector, existingSelector] pairs, so no selector is ever a JSON key and every key in
// a valid file is one of this format's own field names. Values are null, booleans, finite
// numbers, strings, {"ref":oid}, lists of values, and {"blob":id,"size":n,"type":mediaType}.
// OIDs are integers in [0, 2^53).
//
// Canonical form: the writer puts every object's keys in one fixed order and leaves absent
// optionals (and a 0 serial) out, so the same image always gives the same bytes; together
// with a fixed createdAt, the same gzip bytes.
//
// The reader trusts nothing: see reader.ts for the limits and checks, validate.ts for the
// cross-record rules (references, duplicates, parent cycles).
import * as v from 'valibot';

export const IMAGE_FORMAT = 'telos-image';
/** The newest file version this code writes and reads. */
export const IMAGE_FORMAT_VERSION = 1;
/** Blobs, disk and VM state are written in chunks of this many bytes (before base64). */
export const BLOB_CHUNK_BYTES = 1024 * 1024;
/** Largest file-system disk a file may describe (the reader allocates it whole). */
export const MAX_HDB_FILE_BYTES = 1024 * 1024 * 1024;

export type OID = number;

export type FileValue =
  | null
  | boolean
  | number
  | string
  | { ref: OID }
  | { blob: string; size: number; type: string }
  | FileValue[];

/** A slot as the World has it (src/world SlotState); the file keeps its fields as they are. */
export interface FileSlot {
  name: string;
  kind: 'data' | 'method' | 'parent';
  /** data and parent slots (a parent's value is a reference). */
  value?: FileValue;
  /** method slots: a JavaScript function expression. */
  source?: string;
  /** data and parent slots: true when not assignable. */
  constant?: boolean;
  category?: string;
  comment?: string;
}

/**
 * A trait use. The World keeps `alias` as a map; the file writes it as a sorted list of
 * [newSelector, existingSelector] pairs, so that no selector ever becomes a JSON key.
 */
export interface FileTraitUse {
  trait: OID;
  exclude: string[];
  alias: Array<[string, string]>;
}

export interface FileObjectMeta {
  createdTid?: number;
}

/** The World's ObjectState without its OID (the record carries the OID). */
export interface FileObjectState {
  name: string;
  slots: FileSlot[];
  traits: FileTraitUse[];
  meta: FileObjectMeta;
}

export interface ImageCounts {
  obj: number;
  blob: number;
  tx: number;
  disk: number;
  vm: number;
  /** hdb records; absent in files without a file-system disk. */
  hdb?: number;
}

export interface ImageHeader {
  format: typeof IMAGE_FORMAT;
  version: number;
  createdAt: string;
  root: OID;
  counts: ImageCounts;
  name?: string;
  nextOid?: number;
  lastTid?: number;
}

export interface ObjRecord {
  type: 'obj';
  oid: OID;
  serial?: number;
  state: FileObjectState;
}

export interface BlobRecord {
  type: 'blob';
  id: string;
  mediaType: string;
  size: number;
  offset: number;
  data: string;
}

/** One object a transaction wrote: its serial and state before (null: it was created). */
export interface TxChange {
  oid: OID;
  beforeSerial: number;
  before: FileObjectState | null;
}

/** A transaction of the history, as the store's txlog keeps it (before-images only). */
export interface TxRecord {
  type: 'tx';
  tid: number;
  time: number;
  note: string;
  origin: string;
  undoOf?: number;
  changes: TxChange[];
}

export interface MachineChunkRecord {
  type: 'disk' | 'vm';
  offset: number;
  size: number;
  data: string;
}

/** A chunk of the sparse file-system disk (see the file layout above). */
export interface HdbChunkRecord {
  type: 'hdb';
  offset: number;
  size: number;
  data: string;
}

export type ChunkRecord = MachineChunkRecord | HdbChunkRecord;

export interface EndRecord {
  type: 'end';
  records: number;
  sha256: string;
}

export type ImageRecord = ObjRecord | BlobRecord | TxRecord | ChunkRecord;

// ---------------------------------------------------------------------------------------
// Schemas. Objects are strict: an unknown key is an error, not something carried along.

/** Keys that would reach a JavaScript prototype if a record were ever merged into an object. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

// The same limits the World applies to what enters it (src/world/validate.ts).
const MAX_NAME = 200;
const MAX_STRING = 1 << 20;
const MAX_LIST = 100_000;
const MAX_SOURCE = 256 * 1024;
const MAX_COMMENT = 64 * 1024;
const MAX_NOTE = 64 * 1024;

/**
 * OIDs and transaction ids stay below 2^52. The World and the store count both up (OIDs in
 * reserved blocks, tids one per commit), and must stay exact integers while they do: a
 * file whose nextOid or lastTid sat at 2^53 - 1 verified, yet no commit could follow it.
 */
export const MAX_ID = 2 ** 52;

const safeCount = v.pipe(v.number(), v.safeInteger('must be an integer below 2^53'), v.minValue(0, 'must not be negative'));
const oid = v.pipe(
  v.number(),
  v.safeInteger('an OID must be an integer below 2^52'),
  v.minValue(0, 'an OID must not be negative'),
  v.maxValue(MAX_ID - 1, 'an OID must be below 2^52'),
);
const tid = v.pipe(
  v.number(),
  v.safeInteger('a transaction id must be an integer below 2^52'),
  v.minValue(0, 'a transaction id must not be negative'),
  v.maxValue(MAX_ID - 1, 'a transaction id must be below 2^52'),
);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const OPERATOR = /^[!%&*+\-/<=>?@^|~]+$/;

/** A slot name or selector, by the World's rule: an identifier or an operator, never `oid` or `__proto__`. */
export const selectorSchema = v.pipe(
  v.string('a slot name must be a string'),
  v.minLength(1, 'a slot name must not be empty'),
  v.maxLength(MAX_NAME, `a slot name must be at most ${MAX_NAME} characters`),
  v.check((s) => IDENTIFIER.test(s) || OPERATOR.test(s), 'a slot name must be an identifier or an operator such as =='),
  v.check((s) => s !== 'oid' && s !== '__proto__', 'a slot name must not be oid or __proto__'),
);

const blobId = v.pipe(
  v.string(),
  v.minLength(1, 'a blob id must not be empty'),
  v.maxLength(MAX_NAME, `a blob id must be at most ${MAX_NAME} characters`),
  v.regex(/^[A-Za-z0-9_.:-]+$/, 'a blob id may hold only letters, digits and _ . : -'),
);
const mediaType = v.pipe(v.string(), v.maxLength(MAX_NAME), v.regex(/^[\x20-\x7e]*$/, 'a media type must be printable ASCII'));
const text = (max: number) => v.pipe(v.string(), v.maxLength(max, `a text of more than ${max} characters`));

const refSchema = v.strictObject({ ref: oid });

const BLOB_ID = /^[A-Za-z0-9_.:-]+$/;
const PRINTABLE = /^[\x20-\x7e]*$/;
const isCount = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isOid = (n: unknown) => isCount(n) && (n as number) < MAX_ID;

/**
 * What is wrong with a value, or null. Hand-written rather than a union of schemas: a value
 * is the commonest thing in a file, and trying each alternative in turn (collecting an issue
 * from every one that fails) made values most of the cost of reading an image.
 */
export function valueProblem(root: unknown): string | null {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    switch (typeof value) {
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(value)) return 'a number must be finite';
        continue;
      case 'string':
        if (value.length > MAX_STRING) return `a text of more than ${MAX_STRING} characters`;
        continue;
      case 'object': {
        if (value === null) continue;
        if (Array.isArray(value)) {
          if (value.length > MAX_LIST) return `a list of more than ${MAX_LIST} items`;
          for (const item of value) stack.push(item);
          continue;
        }
        const o = value as Record<string, unknown>;
        const keys = Object.keys(o);
        if (keys.length === 1 && keys[0] === 'ref') {
          if (!isOid(o.ref)) return 'a reference must name an OID: an integer from 0 below 2^52';
          continue;
        }
        if (keys.length === 3 && 'blob' in o && 'size' in o && 'type' in o) {
          if (typeof o.blob !== 'string' || o.blob.length === 0 || o.blob.length > MAX_NAME || !BLOB_ID.test(o.blob)) return 'a blob id may hold only letters, digits and _ . : -';
          if (!isCount(o.size)) return 'a blob size must be an integer from 0 below 2^53';
          if (typeof o.type !== 'string' || o.type.length > MAX_NAME || !PRINTABLE.test(o.type)) return 'a media type must be printable ASCII';
          continue;
        }
        return `an object with keys {${keys.join(',')}} is not a value: a value is null, a boolean, a finite number, a string, {ref}, {blob,size,type} or a list`;
      }
      default:
        return 'a value must be null, a boolean, a finite number, a string, {ref}, {blob,size,type} or a list';
    }
  }
  return null;
}

const valueSchema = v.pipe(
  v.unknown(),
  v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed ? valueProblem(dataset.value) : null;
    if (problem) addIssue({ message: problem });
  }),
) as unknown as v.GenericSchema<FileValue>;

const category = v.optional(text(MAX_NAME));
const comment = v.optional(text(MAX_COMMENT));

// Entries in the canonical order (name, kind, value or source, constant, category, comment):
// the schema's output keeps this order, so an imported state is already canonical.
const slotSchema = v.variant(
  'kind',
  [
    v.strictObject({ name: selectorSchema, kind: v.literal('data'), value: valueSchema, constant: v.optional(v.boolean()), category, comment }),
    v.strictObject({ name: selectorSchema, kind: v.literal('method'), source: text(MAX_SOURCE), category, comment }),
    v.strictObject({ name: selectorSchema, kind: v.literal('parent'), value: refSchema, constant: v.optional(v.boolean()), category, comment }),
  ],
  'a slot kind must be data, method or parent',
);

const traitUseSchema = v.pipe(
  v.strictObject({
    trait: oid,
    exclude: v.array(selectorSchema),
    alias: v.array(v.tuple([selectorSchema, selectorSchema])),
  }),
  v.check((t) => new Set(t.alias.map((a) => a[0])).size === t.alias.length, 'a trait use aliases the same selector twice'),
);

export const objectStateSchema = v.pipe(
  v.strictObject({
    name: text(MAX_NAME),
    slots: v.array(slotSchema),
    traits: v.array(traitUseSchema),
    meta: v.strictObject({ createdTid: v.optional(tid) }),
  }),
  v.check((s) => new Set(s.slots.map((x) => x.name)).size === s.slots.length, 'an object has two slots with the same name'),
  v.check((s) => new Set(s.traits.map((t) => t.trait)).size === s.traits.length, 'an object uses the same trait twice'),
);

const countsSchema = v.strictObject({ obj: safeCount, blob: safeCount, tx: safeCount, disk: safeCount, vm: safeCount, hdb: v.optional(safeCount) });

export const headerSchema = v.strictObject({
  format: v.literal(IMAGE_FORMAT),
  version: v.literal(IMAGE_FORMAT_VERSION),
  createdAt: v.pipe(v.string(), v.isoTimestamp('createdAt must be an ISO timestamp')),
  root: oid,
  counts: countsSchema,
  name: v.optional(text(MAX_NAME)),
  nextOid: v.optional(v.pipe(safeCount, v.maxValue(MAX_ID - 1, 'nextOid must be below 2^52'))),
  lastTid: v.optional(tid),
});

const base64 = v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'data must be base64'));

const objSchema = v.strictObject({ type: v.literal('obj'), oid, serial: v.optional(tid), state: objectStateSchema });
const blobSchema = v.strictObject({
  type: v.literal('blob'),
  id: blobId,
  mediaType,
  size: safeCount,
  offset: safeCount,
  data: base64,
});
const txSchema = v.strictObject({
  type: v.literal('tx'),
  tid,
  time: v.pipe(v.number(), v.finite('a time must be finite')),
  note: text(MAX_NOTE),
  origin: text(MAX_NAME),
  undoOf: v.optional(tid),
  changes: v.array(v.strictObject({ oid, beforeSerial: tid, before: v.nullable(objectStateSchema) })),
});
const chunkSchema = (type: 'disk' | 'vm' | 'hdb') =>
  v.strictObject({ type: v.literal(type), offset: safeCount, size: safeCount, data: base64 });
const endSchema = v.strictObject({
  type: v.literal('end'),
  records: safeCount,
  sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits')),
});

// ---------------------------------------------------------------------------------------
// The commonest record, an object without trait uses, checked by hand: the schemas above
// (strict objects, a variant of slots, pipes of checks) were most of the cost of reading an
// image. This accepts only what objSchema accepts, and answers the same output (keys in the
// canonical order, absent optionals left out); anything else (a trait use, any doubt) answers
// null, and the schema decides, with its message.

const isTid = isOid;
const isSelector = (s: unknown): s is string =>
  typeof s === 'string' && s.length >= 1 && s.length <= MAX_NAME && (IDENTIFIER.test(s) || OPERATOR.test(s)) && s !== 'oid' && s !== '__proto__';
const isText = (s: unknown, max: number) => typeof s === 'string' && s.length <= max;
const isPlainObject = (o: unknown): o is Record<string, unknown> => o !== null && typeof o === 'object' && !Array.isArray(o);
const DATA_KEYS = new Set(['name', 'kind', 'value', 'constant', 'category', 'comment']);
const METHOD_KEYS = new Set(['name', 'kind', 'source', 'category', 'comment']);

function onlyKeys(o: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const k in o) if (!allowed.has(k)) return false;
  return true;
}

function fastSlot(s: unknown): FileSlot | null {
  if (!isPlainObject(s) || !isSelector(s.name)) return null;
  if (s.category !== undefined && !isText(s.category, MAX_NAME)) return null;
  if (s.comment !== undefined && !isText(s.comment, MAX_COMMENT)) return null;
  let out: FileSlot;
  if (s.kind === 'method') {
    if (!onlyKeys(s, METHOD_KEYS) || !isText(s.source, MAX_SOURCE)) return null;
    out = { name: s.name, kind: 'method', source: s.source as string };
  } else if (s.kind === 'data' || s.kind === 'parent') {
    if (!onlyKeys(s, DATA_KEYS) || !('value' in s)) return null;
    if (s.constant !== undefined && typeof s.constant !== 'boolean') return null;
    let value: FileValue;
    if (s.kind === 'data') {
      if (valueProblem(s.value) !== null) return null;
      value = s.value as FileValue;
    } else {
      const ref = s.value;
      if (!isPlainObject(ref) || !onlyKeys(ref, REF_KEYS) || !isOid(ref.ref)) return null;
      value = { ref: ref.ref as number };
    }
    out = { name: s.name, kind: s.kind, value };
    if (s.constant !== undefined) out.constant = s.constant as boolean;
  } else return null;
  if (s.category !== undefined) out.category = s.category as string;
  if (s.comment !== undefined) out.comment = s.comment as string;
  return out;
}
const REF_KEYS = new Set(['ref']);
const OBJ_KEYS = new Set(['type', 'oid', 'serial', 'state']);
const STATE_KEYS = new Set(['name', 'slots', 'traits', 'meta']);
const META_KEYS = new Set(['createdTid']);

/** An `obj` record with no trait uses, checked and copied as objSchema would; null for the schema to decide. */
export function fastObjRecord(json: unknown): ObjRecord | null {
  if (!isPlainObject(json) || json.type !== 'obj' || !onlyKeys(json, OBJ_KEYS) || !isOid(json.oid)) return null;
  if (json.serial !== undefined && !isTid(json.serial)) return null;
  const st = json.state;
  if (!isPlainObject(st) || !onlyKeys(st, STATE_KEYS) || !isText(st.name, MAX_NAME)) return null;
  if (!Array.isArray(st.slots) || !Array.isArray(st.traits) || st.traits.length !== 0) return null;
  const m = st.meta;
  if (!isPlainObject(m) || !onlyKeys(m, META_KEYS) || (m.createdTid !== undefined && !isTid(m.createdTid))) return null;
  const slots: FileSlot[] = new Array(st.slots.length);
  const names = new Set<string>();
  for (let i = 0; i < st.slots.length; i++) {
    const slot = fastSlot(st.slots[i]);
    if (slot === null || names.has(slot.name)) return null;
    names.add(slot.name);
    slots[i] = slot;
  }
  const meta: FileObjectMeta = {};
  if (m.createdTid !== undefined) meta.createdTid = m.createdTid as number;
  const state: FileObjectState = { name: st.name as string, slots, traits: [], meta };
  return json.serial !== undefined ? { type: 'obj', oid: json.oid as number, serial: json.serial as number, state } : { type: 'obj', oid: json.oid as number, state };
}

export const recordSchemas = {
  obj: objSchema,
  blob: blobSchema,
  tx: txSchema,
  disk: chunkSchema('disk'),
  vm: chunkSchema('vm'),
  hdb: chunkSchema('hdb'),
  end: endSchema,
} as const;

export type RecordType = keyof typeof recordSchemas;

// ---------------------------------------------------------------------------------------
// Canonical records: keys in one fixed order and absent optionals left out, so the same
// image always serializes to the same bytes (export → import → export is byte-identical).

export function canonicalValue(value: FileValue): FileValue {
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (value !== null && typeof value === 'object') {
    if ('ref' in value) return { ref: value.ref };
    return { blob: value.blob, size: value.size, type: value.type };
  }
  return value;
}

export function canonicalSlot(slot: FileSlot): FileSlot {
  const out: FileSlot = { name: slot.name, kind: slot.kind };
  if (slot.value !== undefined) out.value = canonicalValue(slot.value);
  if (slot.source !== undefined) out.source = slot.source;
  if (slot.constant !== undefined) out.constant = slot.constant;
  if (slot.category !== undefined) out.category = slot.category;
  if (slot.comment !== undefined) out.comment = slot.comment;
  return out;
}

export function canonicalState(state: FileObjectState): FileObjectState {
  const meta: FileObjectMeta = {};
  if (state.meta.createdTid !== undefined) meta.createdTid = state.meta.createdTid;
  return {
    name: state.name,
    slots: state.slots.map(canonicalSlot),
    traits: state.traits.map((t) => ({
      trait: t.trait,
      exclude: [...t.exclude],
      alias: t.alias.map(([a, b]): [string, string] => [a, b]).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)),
    })),
    meta,
  };
}

export function canonicalRecord(record: ImageRecord): ImageRecord {
  switch (record.type) {
    case 'obj': {
      const state = canonicalState(record.state);
      // Serial 0 means "never committed" and is the same as no serial.
      return record.serial
        ? { type: 'obj', oid: record.oid, serial: record.serial, state }
        : { type: 'obj', oid: record.oid, state };
    }
    case 'blob':
      return { type: 'blob', id: record.id, mediaType: record.mediaType, size: record.size, offset: record.offset, data: record.data };
    case 'tx': {
      const changes = record.changes.map((c) => ({ oid: c.oid, beforeSerial: c.beforeSerial, before: c.before && canonicalState(c.before) }));
      return record.undoOf !== undefined
        ? { type: 'tx', tid: record.tid, time: record.time, note: record.note, origin: record.origin, undoOf: record.undoOf, changes }
        : { type: 'tx', tid: record.tid, time: record.time, note: record.note, origin: record.origin, changes };
    }
    case 'disk':
    case 'vm':
      return { type: record.type, offset: record.offset, size: record.size, data: record.data };
    case 'hdb':
      return { type: 'hdb', offset: record.offset, size: record.size, data: record.data };
  }
}

export function canonicalHeader(h: ImageHeader): ImageHeader {
  const out: ImageHeader = {
    format: IMAGE_FORMAT,
    version: h.version,
    createdAt: h.createdAt,
    root: h.root,
    counts: { obj: h.counts.obj, blob: h.counts.blob, tx: h.counts.tx, disk: h.counts.disk, vm: h.counts.vm },
  };
  // Left out when 0, so files without a file-system disk stay as they were.
  if (h.counts.hdb) out.counts.hdb = h.counts.hdb;
  if (h.name !== undefined) out.name = h.name;
  if (h.nextOid !== undefined) out.nextOid = h.nextOid;
  if (h.lastTid !== undefined) out.lastTid = h.lastTid;
  return out;
}
