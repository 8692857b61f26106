// Checks of an image file beyond one record's schema: the shape of parsed JSON (depth,
// prototype keys), and the rules that span records — unique OIDs, blob ids and tids,
// every reference resolved, no cycle through parent slots, chunks in order, counts as
// the header promised. The checker sees records one at a time and keeps only what it
// needs for the end (OIDs seen, references not yet resolved, the parent graph).
import * as v from 'valibot';
import { ImageFileError } from './errors';
import {
  FORBIDDEN_KEYS,
  fastObjRecord,
  MAX_HDB_FILE_BYTES,
  type FileObjectState,
  type FileValue,
  type ImageCounts,
  type ImageHeader,
  type ImageRecord,
  type OID,
  recordSchemas,
  headerSchema,
  IMAGE_FORMAT,
  IMAGE_FORMAT_VERSION,
  type EndRecord,
} from './format';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_LIST = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_LIST = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Counts the nesting of lists and objects in the JSON text of one line on its bytes, as they
 * arrive and before the line is parsed: one linear scan for [ { ] } outside strings. Parsing
 * first let a 14 MB line of 7 million nested lists take 830 MiB and 24 s before its depth was
 * seen; counted, it is refused after its first bytes. Malformed text is the parser's to
 * refuse: this only counts.
 */
export class NestingCounter {
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(readonly maxDepth: number) {}

  /** Takes the next bytes of the line; answers true once it nests deeper than maxDepth. */
  add(bytes: Uint8Array, from = 0, to = bytes.length): boolean {
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    for (let i = from; i < to; i++) {
      const b = bytes[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
      } else if (b === QUOTE) inString = true;
      else if (b === OPEN_LIST || b === OPEN_OBJECT) {
        if (++depth > this.maxDepth) return true;
      } else if (b === CLOSE_LIST || b === CLOSE_OBJECT) depth--;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return false;
  }

  /** A new line begins. */
  reset(): void {
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }
}

/** Whether one whole line's JSON text nests deeper than maxDepth (see NestingCounter). */
export function nestedDeeperThan(bytes: Uint8Array, maxDepth: number): boolean {
  return new NestingCounter(maxDepth).add(bytes);
}

/**
 * Walks parsed JSON without recursion: refuses nesting deeper than maxDepth (a deep list
 * would otherwise overflow a recursive validator's stack) and keys that name a prototype.
 */
export function checkJsonShape(value: unknown, maxDepth: number): string | null {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= maxDepth) return `values are nested deeper than ${maxDepth} levels`;
    if (Array.isArray(node)) {
      for (const item of node) if (item !== null && typeof item === 'object') stack.push([item, depth + 1]);
    } else {
      for (const key of Object.keys(node)) {
        if (FORBIDDEN_KEYS.has(key)) return `the key "${key}" is not allowed`;
        const item = (node as Record<string, unknown>)[key];
        if (item !== null && typeof item === 'object') stack.push([item, depth + 1]);
      }
    }
  }
  return null;
}

/** Stop at the first problem: a report names one reason, and a hostile record costs less. */
const PARSE_CONFIG = { abortEarly: true } as const;

function firstIssue(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0]!;
  const path = v.getDotPath(issue);
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Validates the header line, naming the version when a newer writer made the file. */
export function parseHeader(json: unknown): ImageHeader {
  const where = { line: 1, record: 'header' };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ImageFileError('the first line is not a header object', where);
  }
  const h = json as Record<string, unknown>;
  if (h.format !== IMAGE_FORMAT) {
    throw new ImageFileError(`not a TelOS image (format is ${JSON.stringify(h.format)}, expected "${IMAGE_FORMAT}")`, where);
  }
  if (typeof h.version === 'number' && h.version > IMAGE_FORMAT_VERSION) {
    throw new ImageFileError(
      `written by a newer TelOS Studio: file format version ${h.version}, this reader knows up to version ${IMAGE_FORMAT_VERSION}`,
      where,
    );
  }
  const r = v.safeParse(headerSchema, json, PARSE_CONFIG);
  if (!r.success) throw new ImageFileError(firstIssue(r.issues), where);
  return r.output as ImageHeader;
}

export type ParsedRecord = ImageRecord | EndRecord;

/** Validates one record line's parsed JSON against its type's schema. */
export function parseRecord(json: unknown, line: number): ParsedRecord {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ImageFileError('a record must be a JSON object', { line });
  }
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(recordSchemas, type)) {
    throw new ImageFileError(`unknown record type ${JSON.stringify(type)}`, { line });
  }
  // Most records are objects without trait uses: checked by hand (see fastObjRecord), the schema otherwise.
  if (type === 'obj') {
    const fast = fastObjRecord(json);
    if (fast) return fast;
  }
  return parseRecordBySchema(json, type, line);
}

/** parseRecord through the record type's schema alone (the reference the hand-written check must agree with). */
export function parseRecordBySchema(json: unknown, type: string, line: number): ParsedRecord {
  const schema = recordSchemas[type as keyof typeof recordSchemas];
  const r = v.safeParse(schema, json, PARSE_CONFIG);
  if (!r.success) throw new ImageFileError(firstIssue(r.issues), { line, record: type });
  return r.output as ParsedRecord;
}

/** Bytes a base64 string of valid alphabet decodes to, or -1 when its length is impossible. */
export function base64Length(text: string): number {
  if (text.length % 4 !== 0) return -1;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - pad;
}

interface Pending {
  line: number;
  from: OID;
}

interface OpenChunks {
  key: string;
  size: number;
  next: number;
  line: number;
}

/** Follows one file's records and checks every rule that spans records. */
export class ImageChecker {
  readonly counts: ImageCounts = { obj: 0, blob: 0, tx: 0, disk: 0, vm: 0 };
  records = 0;
  /**
   * Largest OID (of objects and of history) and largest tid (of serials and history) seen,
   * for images without a nextOid or lastTid: OIDs from maxOid + 1 on are free.
   */
  maxOid = -1;
  maxTid = 0;
  private readonly oids = new Set<OID>();
  private readonly danglingRefs = new Map<OID, Pending>();
  private readonly parents = new Map<OID, OID[]>();
  private readonly blobSizes = new Map<string, number>();
  private readonly danglingBlobs = new Map<string, Pending & { size: number }>();
  private readonly tids = new Set<number>();
  private openBlob: (OpenChunks & { mediaType: string }) | null = null;
  private readonly machine: Record<'disk' | 'vm', OpenChunks | null> = { disk: null, vm: null };
  /** The hdb's size and where its last chunk ended (its chunks are sparse). */
  private hdb: { size: number; end: number } | null = null;
  private lastTid = -1;

  constructor(readonly header: ImageHeader) {}

  check(record: ImageRecord, line: number): void {
    this.records++;
    const where = { line, record: record.type };
    if (record.type !== 'blob' && this.openBlob) {
      throw new ImageFileError(`blob "${this.openBlob.key}" ends early: ${this.openBlob.next} of ${this.openBlob.size} bytes`, where);
    }
    switch (record.type) {
      case 'obj': {
        if (this.oids.has(record.oid)) throw new ImageFileError(`duplicate OID ${record.oid}`, where);
        this.oids.add(record.oid);
        if (record.oid > this.maxOid) this.maxOid = record.oid;
        if (record.serial !== undefined && record.serial > this.maxTid) this.maxTid = record.serial;
        const lastTid = this.header.lastTid;
        if (record.serial !== undefined && lastTid !== undefined && record.serial > lastTid) {
          throw new ImageFileError(
            `object ${record.oid} has serial ${record.serial}, above the header's lastTid ${lastTid}: a later commit would reuse that transaction id`,
            where,
          );
        }
        this.danglingRefs.delete(record.oid);
        this.counts.obj++;
        this.checkState(record.oid, record.state, line, true);
        return;
      }
      case 'blob':
        return this.checkBlobChunk(record, line);
      case 'tx': {
        if (this.tids.has(record.tid)) throw new ImageFileError(`duplicate transaction id ${record.tid}`, where);
        if (record.tid <= this.lastTid) throw new ImageFileError(`transactions out of order: ${record.tid} after ${this.lastTid}`, where);
        if (this.header.lastTid !== undefined && record.tid > this.header.lastTid) {
          throw new ImageFileError(
            `transaction ${record.tid} is above the header's lastTid ${this.header.lastTid}: a later commit would reuse its id`,
            where,
          );
        }
        // History is followed back from each object's serial through previous revisions: one
        // not strictly before its own record would go round (or forward) forever, and an undo
        // of a later transaction is no undo. Refused here, so such a file never reaches a store.
        if (record.undoOf !== undefined && !(record.undoOf < record.tid)) {
          throw new ImageFileError(`transaction ${record.tid} says it undid transaction ${record.undoOf}, which is not before it`, where);
        }
        for (const c of record.changes) {
          if (!(c.beforeSerial < record.tid)) {
            throw new ImageFileError(`transaction ${record.tid} says object ${c.oid}'s previous revision is transaction ${c.beforeSerial}, which is not before it`, where);
          }
        }
        this.tids.add(record.tid);
        this.lastTid = record.tid;
        if (record.tid > this.maxTid) this.maxTid = record.tid;
        this.counts.tx++;
        const changed = new Set<OID>();
        for (const c of record.changes) {
          if (changed.has(c.oid)) throw new ImageFileError(`transaction ${record.tid} changes OID ${c.oid} twice`, where);
          changed.add(c.oid);
          // An undo brings such an object back: its OID must be one a commit never hands out again.
          if (this.header.nextOid !== undefined && c.oid >= this.header.nextOid) {
            throw new ImageFileError(`transaction ${record.tid} changes OID ${c.oid}, which is not below the header's nextOid ${this.header.nextOid}`, where);
          }
          if (c.oid > this.maxOid) this.maxOid = c.oid;
          // History may name objects that no longer exist: its states are checked for
          // shape only, not for references.
          if (c.before) this.checkState(c.oid, c.before, line, false);
        }
        return;
      }
      case 'hdb':
        return this.checkHdbChunk(record, line);
      case 'disk':
      case 'vm': {
        this.counts[record.type]++;
        const open = this.machine[record.type];
        const len = base64Length(record.data);
        if (len < 0) throw new ImageFileError('chunk data is not whole base64', where);
        if (open === null) {
          if (record.offset !== 0) throw new ImageFileError(`${record.type} chunks must start at offset 0, not ${record.offset}`, where);
          this.machine[record.type] = { key: record.type, size: record.size, next: len, line };
        } else {
          if (open.next >= open.size && open.size > 0) throw new ImageFileError(`${record.type} data continues past its size ${open.size}`, where);
          if (record.size !== open.size) throw new ImageFileError(`${record.type} size changes from ${open.size} to ${record.size}`, where);
          if (record.offset !== open.next) throw new ImageFileError(`${record.type} chunk at offset ${record.offset}, expected ${open.next}`, where);
          if (len === 0) throw new ImageFileError(`empty ${record.type} chunk`, where);
          open.next += len;
        }
        const now = this.machine[record.type]!;
        if (now.next > now.size) throw new ImageFileError(`${record.type} data runs past its size ${now.size}`, where);
        return;
      }
    }
  }

  private checkHdbChunk(record: Extract<ImageRecord, { type: 'hdb' }>, line: number): void {
    const where = { line, record: 'hdb' };
    this.counts.hdb = (this.counts.hdb ?? 0) + 1;
    const len = base64Length(record.data);
    if (len < 0) throw new ImageFileError('chunk data is not whole base64', where);
    const open = this.hdb;
    if (open === null) {
      if (len === 0 && record.offset !== 0) throw new ImageFileError('a blank hdb is one empty chunk at offset 0', where);
      if (record.size === 0 || record.size % 512 !== 0 || record.size > MAX_HDB_FILE_BYTES) {
        throw new ImageFileError(`hdb size ${record.size} is not whole 512-byte sectors between 512 bytes and ${MAX_HDB_FILE_BYTES} bytes`, where);
      }
    } else {
      if (record.size !== open.size) throw new ImageFileError(`hdb size changes from ${open.size} to ${record.size}`, where);
      if (len === 0) throw new ImageFileError('empty hdb chunk (only a blank disk has one, alone)', where);
      if (record.offset < open.end) throw new ImageFileError(`hdb chunk at offset ${record.offset} overlaps or precedes the one ending at ${open.end}`, where);
    }
    if (record.offset + len > record.size) throw new ImageFileError(`hdb chunk at offset ${record.offset} (${len} bytes) runs past the disk's size ${record.size}`, where);
    this.hdb = { size: record.size, end: record.offset + len };
  }

  private checkBlobChunk(record: Extract<ImageRecord, { type: 'blob' }>, line: number): void {
    const where = { line, record: 'blob' };
    const len = base64Length(record.data);
    if (len < 0) throw new ImageFileError('blob data is not whole base64', where);
    let open = this.openBlob;
    if (open === null) {
      if (this.blobSizes.has(record.id)) throw new ImageFileError(`duplicate blob id "${record.id}"`, where);
      if (record.offset !== 0) throw new ImageFileError(`blob "${record.id}" must start at offset 0, not ${record.offset}`, where);
      open = this.openBlob = { key: record.id, size: record.size, next: 0, line, mediaType: record.mediaType };
    } else {
      if (record.id !== open.key) {
        throw new ImageFileError(`blob "${open.key}" ends early (${open.next} of ${open.size} bytes) before blob "${record.id}"`, where);
      }
      if (record.size !== open.size || record.mediaType !== open.mediaType) {
        throw new ImageFileError(`blob "${record.id}" changes its size or media type between chunks`, where);
      }
      if (record.offset !== open.next) throw new ImageFileError(`blob "${record.id}" chunk at offset ${record.offset}, expected ${open.next}`, where);
      if (len === 0) throw new ImageFileError(`empty chunk in blob "${record.id}"`, where);
    }
    open.next += len;
    if (open.next > open.size) throw new ImageFileError(`blob "${record.id}" holds more than its size ${open.size}`, where);
    if (open.next === open.size) {
      this.blobSizes.set(open.key, open.size);
      const pending = this.danglingBlobs.get(open.key);
      if (pending && pending.size !== open.size) {
        throw new ImageFileError(`blob "${open.key}" is ${open.size} bytes but object ${pending.from} (line ${pending.line}) says ${pending.size}`, where);
      }
      this.danglingBlobs.delete(open.key);
      this.counts.blob++;
      this.openBlob = null;
    }
  }

  private checkState(owner: OID, state: FileObjectState, line: number, live: boolean): void {
    const where = { line, record: live ? 'obj' : 'tx' };
    const parentRefs: OID[] = [];
    for (const slot of state.slots) {
      if (slot.kind === 'parent') parentRefs.push((slot.value as { ref: OID }).ref);
      if (slot.value !== undefined && live) this.checkValueRefs(owner, slot.value, line);
    }
    const traitIds = state.traits.map((t) => t.trait);
    if (traitIds.includes(owner)) throw new ImageFileError(`object ${owner} uses itself as a trait`, where);
    if (!live) return;
    for (const t of traitIds) this.noteRef(owner, t, line);
    if (parentRefs.length > 0) this.parents.set(owner, parentRefs);
  }

  private checkValueRefs(owner: OID, root: FileValue, line: number): void {
    const stack: FileValue[] = [root];
    while (stack.length > 0) {
      const value = stack.pop()!;
      if (Array.isArray(value)) {
        for (const item of value) stack.push(item);
      }
      else if (value !== null && typeof value === 'object') {
        if ('ref' in value) this.noteRef(owner, value.ref, line);
        else {
          const size = this.blobSizes.get(value.blob);
          if (size === undefined) {
            if (!this.danglingBlobs.has(value.blob)) this.danglingBlobs.set(value.blob, { line, from: owner, size: value.size });
          } else if (size !== value.size) {
            throw new ImageFileError(`object ${owner} says blob "${value.blob}" is ${value.size} bytes, but it is ${size}`, { line, record: 'obj' });
          }
        }
      }
    }
  }

  private noteRef(from: OID, to: OID, line: number): void {
    if (!this.oids.has(to) && !this.danglingRefs.has(to)) this.danglingRefs.set(to, { line, from });
  }

  /** The rules that need the whole file; line is the end record's line. */
  finish(end: EndRecord, line: number): void {
    const where = { line, record: 'end' };
    if (this.openBlob) throw new ImageFileError(`blob "${this.openBlob.key}" ends early: ${this.openBlob.next} of ${this.openBlob.size} bytes`, where);
    for (const kind of ['disk', 'vm'] as const) {
      const m = this.machine[kind];
      if (m && m.next !== m.size) throw new ImageFileError(`${kind} data ends early: ${m.next} of ${m.size} bytes`, where);
    }
    if (end.records !== this.records) throw new ImageFileError(`the end record counts ${end.records} records, the file has ${this.records}`, where);
    for (const k of ['obj', 'blob', 'tx', 'disk', 'vm', 'hdb'] as const) {
      if ((this.counts[k] ?? 0) !== (this.header.counts[k] ?? 0)) {
        throw new ImageFileError(`the header promises ${this.header.counts[k] ?? 0} ${k} but the file has ${this.counts[k] ?? 0}`, where);
      }
    }
    if (!this.oids.has(this.header.root)) throw new ImageFileError(`the root object ${this.header.root} is missing`, where);
    for (const [oid, p] of this.danglingRefs) {
      throw new ImageFileError(`object ${p.from} refers to OID ${oid}, which is not in the file`, { line: p.line, record: 'obj' });
    }
    for (const [id, p] of this.danglingBlobs) {
      throw new ImageFileError(`object ${p.from} refers to blob "${id}", which is not in the file`, { line: p.line, record: 'obj' });
    }
    const cycle = findParentCycle(this.parents);
    if (cycle) throw new ImageFileError(`parent slots form a cycle: ${cycle.join(' → ')}`, where);
    if (this.header.nextOid !== undefined) {
      for (const oid of this.oids) {
        if (oid >= this.header.nextOid) throw new ImageFileError(`OID ${oid} is not below the header's nextOid ${this.header.nextOid}`, where);
      }
    }
  }
}

/** A cycle through parent slots (as a list of OIDs, first repeated last), or null. */
export function findParentCycle(parents: ReadonlyMap<OID, readonly OID[]>): OID[] | null {
  const DONE = 2;
  const ACTIVE = 1;
  const state = new Map<OID, number>();
  for (const start of parents.keys()) {
    if (state.get(start) === DONE) continue;
    // Iterative depth-first search; path holds the OIDs on the active path.
    const path: OID[] = [start];
    const nextChild: number[] = [0];
    state.set(start, ACTIVE);
    while (path.length > 0) {
      const top = path[path.length - 1]!;
      const kids = parents.get(top) ?? [];
      const i = nextChild[nextChild.length - 1]!;
      if (i < kids.length) {
        nextChild[nextChild.length - 1] = i + 1;
        const kid = kids[i]!;
        const s = state.get(kid);
        if (s === ACTIVE) return [...path.slice(path.indexOf(kid)), kid];
        if (s === undefined) {
          state.set(kid, ACTIVE);
          path.push(kid);
          nextChild.push(0);
        }
      } else {
        state.set(top, DONE);
        path.pop();
        nextChild.pop();
      }
    }
  }
  return null;
}
