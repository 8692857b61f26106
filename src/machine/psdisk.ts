// Reads the Persistence Server's disk in TypeScript, so tests and the IDE can see the
// kernel's objects while the machine is off. The format is defined byte for byte in
// images/telos/include/telos/psdisk.h (read it first): two superblock copies, two regions,
// the active one holding a checkpoint and then transaction records, each authenticated
// with the disk's key and each transaction closed by a commit marker; objects are typed
// objects or blobs (./psobject.ts). PSDISK holds the header's numbers.
//
// The reader never writes: it reports what the kernel's recovery would find, and what
// follows the end of the log. writePsDisk builds disks for tests and tools.
import { crc32 } from './crc32';
import { PSDISK } from './psdisk-constants';
import { decodePsObject, encodePsObject, type PsContent } from './psobject';
import { siphash24 } from './siphash';

export { crc32, PSDISK };

const SECTOR = PSDISK.SECTOR_SIZE;

export interface PsObject {
  oid: number;
  /** Transaction that last wrote it (its serial). */
  tid: number;
  bytes: Uint8Array;
  /** The decoded object, or null when its bytes are malformed (see `problem`). */
  content: PsContent | null;
  problem?: string;
}

/** One committed transaction record of the log. */
export interface PsRecord {
  tid: number;
  /** First sector of the record (absolute). */
  sector: number;
  /** Sector of its commit marker (absolute). */
  commitSector: number;
  /** Oids it wrote, in order. */
  oids: number[];
}

export interface PsSuperblock {
  sequence: number;
  generation: number;
  regionSectors: number;
  activeRegion: number;
  epoch: number;
  lastEpoch: number;
  checkpointSectors: number;
  checkpointTid: number;
  checkpointObjects: number;
  highWaterMark: number;
  flags: number;
  key: Uint8Array;
}

export type PsDiskState =
  /** Both superblock sectors all zero: the PS would format this disk. */
  | { kind: 'empty' }
  /** A disk the PS refuses (and will not format over). */
  | {
      kind: 'damaged';
      reason: 'bad magic' | 'bad checksum' | 'unsupported version' | 'too small' | 'damaged log';
      /** The format version found, for 'unsupported version'. */
      version?: number;
      detail?: string;
    }
  | {
      kind: 'ok';
      version: number;
      generation: number;
      superblock: PsSuperblock;
      /** First sector of the active region. */
      logStart: number;
      checkpoint: { tid: number; sectors: number; objects: number };
      /** The transaction records after the checkpoint, oldest first. */
      records: PsRecord[];
      /** The latest value of each oid. */
      objects: Map<number, PsObject>;
      /** Sector where the next record goes (absolute). */
      logEnd: number;
      /** A record header of this epoch where the log ends: a transaction cut before its marker. */
      tornTail: boolean;
      /** Sectors between the log end and the high-water mark that are not zero (the recovery scrubs them). */
      dirtySectors: number;
      /** Why the log ended there, when something other than zeros follows it. */
      tailProblem?: string;
    };

const u32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const u64 = (b: Uint8Array, at: number): bigint => BigInt(u32(b, at)) | (BigInt(u32(b, at + 4)) << 32n);
const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0);

/** The MAC of the first `n` bytes of `b` under the disk key. */
const macOf = (key: Uint8Array, b: Uint8Array, n: number): bigint => siphash24(key, b.subarray(0, n));

type SuperblockRead = { kind: 'valid'; sb: PsSuperblock } | { kind: 'zero' } | { kind: 'other version'; version: number } | { kind: 'bad magic' | 'bad checksum' };

function readSuperblock(s: Uint8Array): SuperblockRead {
  if (isZero(s)) return { kind: 'zero' };
  if (u32(s, 0) !== PSDISK.MAGIC_0 || u32(s, 4) !== PSDISK.MAGIC_1) return { kind: 'bad magic' };
  if (u32(s, 8) !== PSDISK.VERSION) return { kind: 'other version', version: u32(s, 8) };
  if (crc32(s, 0, 124) !== u32(s, 124)) return { kind: 'bad checksum' };
  return {
    kind: 'valid',
    sb: {
      sequence: u32(s, 12),
      generation: u32(s, 16),
      regionSectors: u32(s, 20),
      activeRegion: u32(s, 24),
      epoch: u32(s, 28),
      lastEpoch: u32(s, 32),
      checkpointSectors: u32(s, 36),
      checkpointTid: u32(s, 40),
      checkpointObjects: u32(s, 44),
      highWaterMark: u32(s, 48),
      flags: u32(s, 52),
      key: s.slice(56, 56 + PSDISK.KEY_SIZE),
    },
  };
}

interface Entry {
  oid: number;
  serial: number;
  bytes: Uint8Array;
}

/** Splits a payload into entries; a string says why it does not parse. */
function parseEntries(payload: Uint8Array, count: number): Entry[] | string {
  const out: Entry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + PSDISK.ENTRY_HEADER_SIZE > payload.length) return `entry ${i} of ${count} starts past the payload`;
    const oid = u32(payload, p);
    const len = u32(payload, p + 8);
    if (!oid || len > PSDISK.MAX_OBJECT_SIZE || p + PSDISK.ENTRY_HEADER_SIZE + ((len + 3) & ~3) > payload.length) return `entry ${i} (oid ${oid}) is malformed`;
    out.push({ oid, serial: u32(payload, p + 4), bytes: payload.slice(p + PSDISK.ENTRY_HEADER_SIZE, p + PSDISK.ENTRY_HEADER_SIZE + len) });
    p += PSDISK.ENTRY_HEADER_SIZE + ((len + 3) & ~3);
  }
  return p === payload.length ? out : 'bytes after the last entry';
}

/** Reads one record at `at` (sectors from the region start); why not when it is not whole. */
function readRecord(
  disk: Uint8Array,
  sb: PsSuperblock,
  regionStart: number,
  at: number,
  want: { type: number; tid: number; part: number; limit: number },
): { entries: Entry[]; sectors: number } | { problem: string } {
  const abs = regionStart + at;
  if (at >= want.limit) return { problem: `the log reaches its limit at sector ${abs}` };
  const h = disk.subarray(abs * SECTOR, abs * SECTOR + PSDISK.RECORD_HEADER_SIZE);
  if (u32(h, 0) !== PSDISK.RECORD_MAGIC) return { problem: `sector ${abs}: no record header` };
  if (u64(h, 32) !== macOf(sb.key, h, 32)) return { problem: `sector ${abs}: the record header's MAC is wrong (not written by this disk's PS)` };
  if (u32(h, 8) !== sb.epoch) return { problem: `sector ${abs}: a record of epoch ${u32(h, 8)}, not ${sb.epoch}` };
  if (u32(h, 4) !== want.type) return { problem: `sector ${abs}: a record of type ${u32(h, 4)} where ${want.type} was expected` };
  if (u32(h, 12) !== want.tid || u32(h, 16) !== want.part) return { problem: `sector ${abs}: tid ${u32(h, 12)} part ${u32(h, 16)} where tid ${want.tid} part ${want.part} was expected` };
  const bytes = u32(h, 24);
  if (bytes > PSDISK.MAX_PAYLOAD) return { problem: `sector ${abs}: a payload of ${bytes} bytes` };
  const n = Math.ceil((PSDISK.RECORD_HEADER_SIZE + bytes) / SECTOR);
  const withMarker = n + (want.type === PSDISK.RECORD_TXN ? 1 : 0);
  if (at + withMarker > want.limit) return { problem: `sector ${abs}: the record runs past the end of its region` };
  const payload = disk.subarray(abs * SECTOR + PSDISK.RECORD_HEADER_SIZE, abs * SECTOR + PSDISK.RECORD_HEADER_SIZE + bytes);
  if (crc32(payload) !== u32(h, 28)) return { problem: `sector ${abs}: payload checksum mismatch (tid ${want.tid})` };
  if (want.type === PSDISK.RECORD_TXN) {
    const m = disk.subarray((abs + n) * SECTOR, (abs + n) * SECTOR + PSDISK.MARKER_SIZE);
    if (u32(m, 0) !== PSDISK.MARKER_MAGIC || u32(m, 4) !== sb.epoch || u32(m, 8) !== want.tid || u32(m, 12) !== at || u64(m, 16) !== u64(h, 32) || u64(m, 24) !== macOf(sb.key, m, 24)) {
      return { problem: `sector ${abs + n}: no valid commit marker for tid ${want.tid}` };
    }
  }
  const entries = parseEntries(payload, u32(h, 20));
  if (typeof entries === 'string') return { problem: `sector ${abs}: ${entries}` };
  return { entries, sectors: withMarker };
}

function toObject(e: Entry, tid: number): PsObject {
  try {
    return { oid: e.oid, tid, bytes: e.bytes, content: decodePsObject(e.bytes) };
  } catch (err) {
    return { oid: e.oid, tid, bytes: e.bytes, content: null, problem: (err as Error).message };
  }
}

/** Reads the PS disk image (the whole disk). */
export function readPsDisk(disk: ArrayBuffer | Uint8Array): PsDiskState {
  const bytes = disk instanceof Uint8Array ? disk : new Uint8Array(disk);
  const sectors = Math.floor(bytes.length / SECTOR);
  if (sectors < PSDISK.REGION_START + 2 * PSDISK.MIN_REGION) return { kind: 'damaged', reason: 'too small' };
  const copies = [readSuperblock(bytes.subarray(0, SECTOR)), readSuperblock(bytes.subarray(SECTOR, 2 * SECTOR))];
  if (copies.every((c) => c.kind === 'zero')) return { kind: 'empty' };
  const valid = copies.flatMap((c) => (c.kind === 'valid' ? [c.sb] : []));
  if (valid.length === 0) {
    const other = copies.find((c) => c.kind === 'other version');
    if (other && other.kind === 'other version') return { kind: 'damaged', reason: 'unsupported version', version: other.version };
    return { kind: 'damaged', reason: copies.some((c) => c.kind === 'bad checksum') ? 'bad checksum' : 'bad magic' };
  }
  const sb = valid.reduce((a, b) => (b.sequence > a.sequence ? b : a));
  const damaged = (detail: string): PsDiskState => ({ kind: 'damaged', reason: 'damaged log', detail });
  if (sb.regionSectors < PSDISK.MIN_REGION || PSDISK.REGION_START + 2 * sb.regionSectors > sectors || sb.activeRegion > 1 || sb.checkpointSectors > sb.regionSectors || sb.highWaterMark > sb.regionSectors || sb.epoch > sb.lastEpoch) {
    return damaged('the superblock describes a log that does not fit this disk');
  }
  const regionStart = PSDISK.REGION_START + sb.activeRegion * sb.regionSectors;
  const objects = new Map<number, PsObject>();
  let at = 0;
  for (let part = 0; at < sb.checkpointSectors; part++) {
    const r = readRecord(bytes, sb, regionStart, at, { type: PSDISK.RECORD_CHECKPOINT, tid: sb.checkpointTid, part, limit: sb.checkpointSectors });
    if ('problem' in r) return damaged(`checkpoint: ${r.problem}`);
    for (const e of r.entries) {
      if (objects.has(e.oid)) return damaged(`checkpoint: oid ${e.oid} twice`);
      objects.set(e.oid, toObject(e, e.serial));
    }
    at += r.sectors;
  }
  if (objects.size !== sb.checkpointObjects) return damaged(`checkpoint: ${objects.size} objects where the superblock says ${sb.checkpointObjects}`);
  const records: PsRecord[] = [];
  let tailProblem: string | undefined;
  for (let tid = sb.checkpointTid + 1; ; tid++) {
    const r = readRecord(bytes, sb, regionStart, at, { type: PSDISK.RECORD_TXN, tid, part: 0, limit: sb.regionSectors });
    if ('problem' in r) {
      tailProblem = r.problem;
      break;
    }
    for (const e of r.entries) objects.set(e.oid, toObject(e, tid));
    records.push({ tid, sector: regionStart + at, commitSector: regionStart + at + r.sectors - 1, oids: r.entries.map((e) => e.oid) });
    at += r.sectors;
  }
  const logEnd = regionStart + at;
  const head = bytes.subarray(logEnd * SECTOR, logEnd * SECTOR + PSDISK.RECORD_HEADER_SIZE);
  const tornTail = at < sb.regionSectors && u32(head, 0) === PSDISK.RECORD_MAGIC && u32(head, 8) === sb.epoch && u64(head, 32) === macOf(sb.key, head, 32);
  let dirtySectors = 0;
  for (let s = logEnd; s < regionStart + sb.highWaterMark; s++) if (!isZero(bytes.subarray(s * SECTOR, (s + 1) * SECTOR))) dirtySectors++;
  return {
    kind: 'ok',
    version: PSDISK.VERSION,
    generation: sb.generation,
    superblock: sb,
    logStart: regionStart,
    checkpoint: { tid: sb.checkpointTid, sectors: sb.checkpointSectors, objects: sb.checkpointObjects },
    records,
    objects,
    logEnd,
    tornTail,
    dirtySectors,
    ...(tornTail || dirtySectors ? { tailProblem } : {}),
  };
}

// ---------------------------------------------------------------------------- writing

const put32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(at, v >>> 0, true);
const put64 = (b: Uint8Array, at: number, v: bigint) => {
  put32(b, at, Number(v & 0xffffffffn));
  put32(b, at + 4, Number(v >> 32n));
};

export interface SealRecordOptions {
  key: Uint8Array;
  type: number;
  epoch: number;
  tid: number;
  part?: number;
  entries: { oid: number; serial: number; bytes: Uint8Array }[];
}

/** A record's sectors (header, payload, zero padding), sealed with `key`. */
export function sealRecord(o: SealRecordOptions): Uint8Array {
  const length = o.entries.reduce((n, e) => n + PSDISK.ENTRY_HEADER_SIZE + ((e.bytes.length + 3) & ~3), 0);
  const rec = new Uint8Array(Math.ceil((PSDISK.RECORD_HEADER_SIZE + length) / SECTOR) * SECTOR);
  let p = PSDISK.RECORD_HEADER_SIZE;
  for (const e of o.entries) {
    put32(rec, p, e.oid);
    put32(rec, p + 4, e.serial);
    put32(rec, p + 8, e.bytes.length);
    rec.set(e.bytes, p + PSDISK.ENTRY_HEADER_SIZE);
    p += PSDISK.ENTRY_HEADER_SIZE + ((e.bytes.length + 3) & ~3);
  }
  put32(rec, 0, PSDISK.RECORD_MAGIC);
  put32(rec, 4, o.type);
  put32(rec, 8, o.epoch);
  put32(rec, 12, o.tid);
  put32(rec, 16, o.part ?? 0);
  put32(rec, 20, o.entries.length);
  put32(rec, 24, length);
  put32(rec, 28, crc32(rec, PSDISK.RECORD_HEADER_SIZE, PSDISK.RECORD_HEADER_SIZE + length));
  put64(rec, 32, macOf(o.key, rec, 32));
  return rec;
}

/** A commit marker sector for the record sealed at `firstSector` (relative to its region). */
export function sealMarker(o: { key: Uint8Array; epoch: number; tid: number; firstSector: number; record: Uint8Array }): Uint8Array {
  const m = new Uint8Array(SECTOR);
  put32(m, 0, PSDISK.MARKER_MAGIC);
  put32(m, 4, o.epoch);
  put32(m, 8, o.tid);
  put32(m, 12, o.firstSector);
  put64(m, 16, u64(o.record, 32));
  put64(m, 24, macOf(o.key, m, 24));
  return m;
}

/** A superblock sector with these fields. */
export function sealSuperblock(sb: PsSuperblock): Uint8Array {
  const s = new Uint8Array(SECTOR);
  put32(s, 0, PSDISK.MAGIC_0);
  put32(s, 4, PSDISK.MAGIC_1);
  put32(s, 8, PSDISK.VERSION);
  const fields = [sb.sequence, sb.generation, sb.regionSectors, sb.activeRegion, sb.epoch, sb.lastEpoch, sb.checkpointSectors, sb.checkpointTid, sb.checkpointObjects, sb.highWaterMark, sb.flags];
  fields.forEach((v, i) => put32(s, 12 + 4 * i, v));
  s.set(sb.key, 56);
  put32(s, 124, crc32(s, 0, 124));
  return s;
}

/** What one object of a transaction given to writePsDisk holds. */
export type PsObjectInput = { oid: number } & ({ content: PsContent } | { bytes: Uint8Array });

/**
 * Writes a PS disk in the kernel's format: a fresh format (region 0 active, epoch 1) and
 * the given transactions as committed records, tids from 1. For tests and tools: the IDE
 * never writes the kernel's disk.
 */
export function writePsDisk(size: number, transactions: PsObjectInput[][], options: { generation?: number; key?: Uint8Array } = {}): Uint8Array {
  const disk = new Uint8Array(size);
  const key = options.key ?? crypto.getRandomValues(new Uint8Array(PSDISK.KEY_SIZE));
  const regionSectors = Math.floor((size / SECTOR - PSDISK.REGION_START) / 2);
  if (regionSectors < PSDISK.MIN_REGION) throw new Error(`a PS disk needs at least ${(PSDISK.REGION_START + 2 * PSDISK.MIN_REGION) * SECTOR} bytes`);
  let at = 0;
  transactions.forEach((txn, i) => {
    const tid = i + 1;
    const rec = sealRecord({
      key,
      type: PSDISK.RECORD_TXN,
      epoch: 1,
      tid,
      entries: txn.map((o) => ({ oid: o.oid, serial: tid, bytes: 'content' in o ? encodePsObject(o.content) : o.bytes })),
    });
    disk.set(rec, (PSDISK.REGION_START + at) * SECTOR);
    disk.set(sealMarker({ key, epoch: 1, tid, firstSector: at, record: rec }), (PSDISK.REGION_START + at + rec.length / SECTOR) * SECTOR);
    at += rec.length / SECTOR + 1;
  });
  const sb: PsSuperblock = {
    sequence: 1,
    generation: options.generation ?? 1,
    regionSectors,
    activeRegion: 0,
    epoch: 1,
    lastEpoch: 1,
    checkpointSectors: 0,
    checkpointTid: 0,
    checkpointObjects: 0,
    highWaterMark: Math.min(regionSectors, at + PSDISK.HWM_STEP),
    flags: 0,
    key,
  };
  disk.set(sealSuperblock(sb), SECTOR);
  return disk;
}

/**
 * Appends a committed transaction to a PS disk as the PS would write it (record, marker,
 * the high-water mark raised): for tests and tools that need a disk the kernel wrote in
 * a given state. Answers the new tid; throws when the disk is not a readable format-2
 * disk or the log has no room (the PS would compact first).
 */
export function appendPsTransaction(disk: Uint8Array, objects: PsObjectInput[]): number {
  const state = readPsDisk(disk);
  if (state.kind !== 'ok') throw new Error(`not a PS disk this reader can extend (${state.kind})`);
  const sb = state.superblock;
  const tid = (state.records.at(-1)?.tid ?? state.checkpoint.tid) + 1;
  const at = state.logEnd - state.logStart;
  const rec = sealRecord({
    key: sb.key,
    type: PSDISK.RECORD_TXN,
    epoch: sb.epoch,
    tid,
    entries: objects.map((o) => ({ oid: o.oid, serial: tid, bytes: 'content' in o ? encodePsObject(o.content) : o.bytes })),
  });
  const n = rec.length / SECTOR;
  if (at + n + 1 > sb.regionSectors) throw new Error('the log has no room for this transaction');
  disk.set(rec, state.logEnd * SECTOR);
  disk.set(sealMarker({ key: sb.key, epoch: sb.epoch, tid, firstSector: at, record: rec }), (state.logEnd + n) * SECTOR);
  const next = { ...sb, sequence: sb.sequence + 1, highWaterMark: Math.min(sb.regionSectors, Math.max(sb.highWaterMark, at + n + 1 + PSDISK.HWM_STEP)) };
  disk.set(sealSuperblock(next), (next.sequence & 1) * SECTOR);
  return tid;
}
