// Reads the Persistence Server's disk in TypeScript, so tests and the IDE can see the
// kernel's objects while the machine is off. The format is defined byte for byte in
// images/telos/include/telos/psdisk.h (superblock in sector 0, then an append-only log of
// checksummed transaction records, each closed by a commit marker); PSDISK below holds
// that header's numbers and tests/kernel/psdisk-format.test.ts keeps the two in step.
//
// Recovery here is the kernel's: records are read while each is whole (magics, tids in
// sequence, every CRC, marker present); the first that is not ends the log. The reader
// never writes: it reports what the kernel would recover, and whether a torn tail follows.
import { crc32 } from './crc32';

export { crc32 };

/** The `#define PSDISK_*` numbers of include/telos/psdisk.h, without the prefix. */
export const PSDISK = {
  SECTOR_SIZE: 512,
  MAGIC_0: 0x5350544c,
  MAGIC_1: 0x4b534944,
  VERSION: 1,
  LOG_START: 1,
  TXN_MAGIC: 0x314e5854,
  COMMIT_MAGIC: 0x31544d43,
  TXN_HEADER_SIZE: 24,
  MAX_OBJECT_SIZE: 4096,
  MAX_PAYLOAD: 1056768,
} as const;

const SECTOR = PSDISK.SECTOR_SIZE;

export interface PsObject {
  oid: number;
  /** Transaction that last wrote it. */
  tid: number;
  bytes: Uint8Array;
  /** The `key=value` lines of its contents (genesis: name, parent, kind, image). */
  fields: Record<string, string>;
}

/** One committed transaction record of the log. */
export interface PsRecord {
  tid: number;
  /** First sector of the record. */
  sector: number;
  /** Sector of its commit marker. */
  commitSector: number;
  /** Oids it wrote, in order. */
  oids: number[];
}

export type PsDiskState =
  /** Sector 0 all zero: the PS would format this disk. */
  | { kind: 'empty' }
  /** A superblock the PS refuses (and will not format over). */
  | { kind: 'damaged'; reason: 'bad magic' | 'bad checksum' | 'bad version' | 'too small' }
  | {
      kind: 'ok';
      version: number;
      generation: number;
      logStart: number;
      /** The committed records, oldest first. */
      records: PsRecord[];
      /** Latest value of each oid over the records. */
      objects: Map<number, PsObject>;
      /** Sector where the next record goes (the end of the recovered log). */
      logEnd: number;
      /** Something other than zeros follows the last committed record: a torn transaction. */
      tornTail: boolean;
      /** Why the log ended there, when it did not end at zeros. */
      tailProblem?: string;
    };

const u32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0);

/** Parses an object's contents as UTF-8 `key=value` lines (other lines are ignored). */
export function parseObjectFields(bytes: Uint8Array): Record<string, string> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/\0+$/, '');
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return fields;
}

/** Reads a record starting at `sector`; answers why not when it is not whole. */
function readRecord(
  bytes: Uint8Array,
  sector: number,
  expectedTid: number,
): { record: PsRecord; objects: PsObject[]; next: number } | { problem: string } {
  const totalSectors = Math.floor(bytes.length / SECTOR);
  if (sector >= totalSectors) return { problem: 'the log reaches the end of the disk' };
  const at = sector * SECTOR;
  const head = bytes.subarray(at, at + PSDISK.TXN_HEADER_SIZE);
  if (u32(head, 0) !== PSDISK.TXN_MAGIC) return { problem: `sector ${sector}: no TXN1 magic` };
  const tid = u32(head, 4);
  const count = u32(head, 8);
  const length = u32(head, 12);
  const headerCrc = u32(head, 20);
  if (crc32(head, 0, 20) !== headerCrc) return { problem: `sector ${sector}: record header checksum mismatch` };
  if (tid !== expectedTid) return { problem: `sector ${sector}: tid ${tid} where ${expectedTid} was expected` };
  if (length > PSDISK.MAX_PAYLOAD) return { problem: `sector ${sector}: payload of ${length} bytes exceeds ${PSDISK.MAX_PAYLOAD}` };
  const commitSector = sector + Math.ceil((PSDISK.TXN_HEADER_SIZE + length) / SECTOR);
  if (commitSector >= totalSectors) return { problem: `sector ${sector}: record runs past the end of the disk` };
  const payload = bytes.subarray(at + PSDISK.TXN_HEADER_SIZE, at + PSDISK.TXN_HEADER_SIZE + length);
  if (crc32(payload) !== u32(head, 16)) return { problem: `sector ${sector}: payload checksum mismatch (tid ${tid})` };
  const marker = bytes.subarray(commitSector * SECTOR, commitSector * SECTOR + 16);
  if (u32(marker, 0) !== PSDISK.COMMIT_MAGIC || u32(marker, 4) !== tid || u32(marker, 8) !== headerCrc || crc32(marker, 0, 12) !== u32(marker, 12)) {
    return { problem: `sector ${commitSector}: no valid commit marker for tid ${tid}` };
  }
  const objects: PsObject[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 8 > payload.length) return { problem: `sector ${sector}: object ${i} of ${count} starts past the payload (tid ${tid})` };
    const oid = u32(payload, p);
    const len = u32(payload, p + 4);
    if (p + 8 + len > payload.length) return { problem: `sector ${sector}: object ${oid} of ${len} bytes runs past the payload (tid ${tid})` };
    const data = payload.slice(p + 8, p + 8 + len);
    objects.push({ oid, tid, bytes: data, fields: parseObjectFields(data) });
    p += 8 + ((len + 3) & ~3);
  }
  return { record: { tid, sector, commitSector, oids: objects.map((o) => o.oid) }, objects, next: commitSector + 1 };
}

/** Reads the PS disk image (the whole disk, or at least its used part). */
export function readPsDisk(disk: ArrayBuffer | Uint8Array): PsDiskState {
  const bytes = disk instanceof Uint8Array ? disk : new Uint8Array(disk);
  if (bytes.length < 2 * SECTOR) return { kind: 'damaged', reason: 'too small' };
  const sb = bytes.subarray(0, SECTOR);
  if (isZero(sb)) return { kind: 'empty' };
  if (u32(sb, 0) !== PSDISK.MAGIC_0 || u32(sb, 4) !== PSDISK.MAGIC_1) return { kind: 'damaged', reason: 'bad magic' };
  if (crc32(sb, 0, 20) !== u32(sb, 20)) return { kind: 'damaged', reason: 'bad checksum' };
  if (u32(sb, 8) !== PSDISK.VERSION) return { kind: 'damaged', reason: 'bad version' };
  const logStart = u32(sb, 16);

  const records: PsRecord[] = [];
  const objects = new Map<number, PsObject>();
  let sector = logStart;
  let tailProblem: string | undefined;
  for (;;) {
    const r = readRecord(bytes, sector, records.length + 1);
    if ('problem' in r) {
      tailProblem = r.problem;
      break;
    }
    records.push(r.record);
    for (const o of r.objects) objects.set(o.oid, o);
    sector = r.next;
  }
  const endSector = bytes.subarray(sector * SECTOR, sector * SECTOR + SECTOR);
  const tornTail = endSector.length > 0 && !isZero(endSector);
  return {
    kind: 'ok',
    version: u32(sb, 8),
    generation: u32(sb, 12),
    logStart,
    records,
    objects,
    logEnd: sector,
    tornTail,
    ...(tornTail && tailProblem ? { tailProblem } : {}),
  };
}

/**
 * Writes a PS disk in the kernel's format (superblock and committed records). For tests
 * and tools: the IDE never writes the kernel's disk.
 */
export function writePsDisk(size: number, transactions: { oid: number; text: string }[][], generation = 1): Uint8Array {
  const disk = new Uint8Array(size);
  const view = new DataView(disk.buffer);
  const put = (at: number, v: number) => view.setUint32(at, v >>> 0, true);
  put(0, PSDISK.MAGIC_0);
  put(4, PSDISK.MAGIC_1);
  put(8, PSDISK.VERSION);
  put(12, generation);
  put(16, PSDISK.LOG_START);
  put(20, crc32(disk, 0, 20));
  let sector: number = PSDISK.LOG_START;
  let tid = 1;
  for (const txn of transactions) {
    const enc = txn.map((o) => ({ oid: o.oid, bytes: new TextEncoder().encode(o.text) }));
    const length = enc.reduce((n, o) => n + 8 + ((o.bytes.length + 3) & ~3), 0);
    const at = sector * SECTOR;
    let p = at + PSDISK.TXN_HEADER_SIZE;
    for (const o of enc) {
      put(p, o.oid);
      put(p + 4, o.bytes.length);
      disk.set(o.bytes, p + 8);
      p += 8 + ((o.bytes.length + 3) & ~3);
    }
    put(at, PSDISK.TXN_MAGIC);
    put(at + 4, tid);
    put(at + 8, enc.length);
    put(at + 12, length);
    put(at + 16, crc32(disk, at + PSDISK.TXN_HEADER_SIZE, at + PSDISK.TXN_HEADER_SIZE + length));
    const headerCrc = crc32(disk, at, at + 20);
    put(at + 20, headerCrc);
    const marker = (sector + Math.ceil((PSDISK.TXN_HEADER_SIZE + length) / SECTOR)) * SECTOR;
    put(marker, PSDISK.COMMIT_MAGIC);
    put(marker + 4, tid);
    put(marker + 8, headerCrc);
    put(marker + 12, crc32(disk, marker, marker + 12));
    sector = marker / SECTOR + 1;
    tid++;
  }
  return disk;
}
