// The host side of the COM2 bridge (frames of images/telos/include/telos/bridge.h):
// encoding, a streaming decoder that resynchronises on garbage, and a client that
// matches responses to requests by id. Host-neutral: it needs only a way to send bytes
// and a stream of received bytes, which the Machine's COM2 provides.
import { crc32 } from './psdisk';

/** Constants of bridge.h (a test checks they match the header). */
export const BRIDGE = {
  MAGIC_0: 0x54,
  MAGIC_1: 0x42,
  HEADER_SIZE: 8,
  MAX_PAYLOAD: 8192,
  LIST_OBJECTS: 1,
  GET_OBJECT: 2,
  LIST_PROCESSES: 3,
  SPAWN: 4,
  SHUTDOWN: 5,
  GET_OBJECTS: 6,
  TX_BEGIN: 7,
  TX_PUT: 8,
  TX_COMMIT: 9,
  TX_ABORT: 10,
  SEND: 11,
  TERMINATE: 12,
  PROCESS_STATE: 13,
  FS_LIST: 14,
  FS_READ: 15,
  FS_WRITE: 16,
  FS_MKDIR: 17,
  FS_REMOVE: 18,
  EVENT: 0x7e,
  RESPONSE: 0x80,
  ERROR: 0x7f,
  EBAD_CRC: 1,
  ETOO_LONG: 2,
  EUNKNOWN_TYPE: 3,
  EBAD_PAYLOAD: 4,
  ENOT_FOUND: 5,
  EFAILED: 6,
  EREFUSED: 7,
  EREAD_ONLY: 8,
  MORE: 1,
  FS_CREATE: 1,
  FS_TRUNCATE: 2,
  FS_LAST: 4,
  MAX_WORDS: 100,
  MAX_BATCH: 255,
  EVENT_PROCESS_STARTED: 1,
  EVENT_PROCESS_EXITED: 2,
  EVENT_TX_COMMITTED: 3,
} as const;

/** What the bridge reports without being asked (BRIDGE.EVENT frames). */
export type BridgeEvent =
  | { kind: 'processStarted'; oid: number }
  | { kind: 'processExited'; oid: number }
  | { kind: 'transactionCommitted'; tid: number };

/** One entry of a TelOS directory as FS_LIST answers it. */
export interface BridgeFileEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
}

const FILE_TYPES = ['other', 'file', 'directory', 'symlink', 'other'] as const;

/** Why `path` cannot be sent as a TelOS path, or null (the bridge refuses the same). */
function pathProblem(path: string, bytes: Uint8Array): string | null {
  if (!path.startsWith('/')) return `“${path}” is not an absolute TelOS path`;
  if (bytes.length > 255) return `the path “${path}” is longer than 255 bytes`;
  if (path.includes('\0')) return 'a TelOS path holds no NUL';
  return null;
}

/** A kernel process's state as PROCESS_STATE answers it. */
export interface KernelProcessState {
  oid: number;
  state: 'running' | 'ended';
  name: string;
}

export interface BridgeFrame {
  type: number;
  status: number;
  id: number;
  payload: Uint8Array;
}

export function encodeFrame(frame: BridgeFrame): Uint8Array {
  const n = frame.payload.length;
  if (n > BRIDGE.MAX_PAYLOAD) throw new Error(`bridge payload of ${n} bytes exceeds ${BRIDGE.MAX_PAYLOAD}`);
  const out = new Uint8Array(BRIDGE.HEADER_SIZE + n + 4);
  const view = new DataView(out.buffer);
  out[0] = BRIDGE.MAGIC_0;
  out[1] = BRIDGE.MAGIC_1;
  view.setUint16(2, n, true);
  out[4] = frame.type;
  out[5] = frame.status;
  view.setUint16(6, frame.id, true);
  out.set(frame.payload, BRIDGE.HEADER_SIZE);
  view.setUint32(BRIDGE.HEADER_SIZE + n, crc32(out.subarray(0, BRIDGE.HEADER_SIZE + n)), true);
  return out;
}

/** Collects bytes and yields whole, checksummed frames; anything else is skipped. */
export class FrameDecoder {
  // Bytes arrive one at a time from a UART: they are appended to a buffer that grows by
  // doubling, and the bytes before `start` are dropped only when a frame or garbage is
  // consumed, so a full frame costs linear time, not a copy of itself per byte.
  private buf = new Uint8Array(256);
  private start = 0;
  private end = 0;

  push(bytes: Uint8Array): BridgeFrame[] {
    if (this.end + bytes.length > this.buf.length) {
      // No room at the end: move what is left to the front, in a bigger buffer if need be.
      const live = this.end - this.start;
      let size = this.buf.length;
      while (live + bytes.length > size) size *= 2;
      if (size === this.buf.length) this.buf.copyWithin(0, this.start, this.end);
      else {
        const grown = new Uint8Array(size);
        grown.set(this.buf.subarray(this.start, this.end));
        this.buf = grown;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
    return this.scan();
  }

  private scan(): BridgeFrame[] {
    const joined = this.buf.subarray(this.start, this.end);
    const frames: BridgeFrame[] = [];
    let at = 0;
    while (at < joined.length) {
      if (joined[at] !== BRIDGE.MAGIC_0) { at++; continue; }
      if (at + 1 >= joined.length) break;
      if (joined[at + 1] !== BRIDGE.MAGIC_1) { at++; continue; }
      if (joined.length - at < BRIDGE.HEADER_SIZE) break;
      const view = new DataView(joined.buffer, joined.byteOffset + at);
      const n = view.getUint16(2, true);
      if (n > BRIDGE.MAX_PAYLOAD) { at++; continue; }
      const total = BRIDGE.HEADER_SIZE + n + 4;
      if (joined.length - at < total) break;
      const crc = view.getUint32(BRIDGE.HEADER_SIZE + n, true);
      if (crc !== crc32(joined.subarray(at, at + BRIDGE.HEADER_SIZE + n))) { at++; continue; }
      frames.push({
        type: joined[at + 4]!,
        status: joined[at + 5]!,
        id: view.getUint16(6, true),
        payload: joined.slice(at + BRIDGE.HEADER_SIZE, at + BRIDGE.HEADER_SIZE + n),
      });
      at += total;
    }
    this.start += at;
    if (this.start === this.end) this.start = this.end = 0;
    return frames;
  }
}

export class BridgeError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'BridgeError';
  }

  /** For a refusal by the PS (EREFUSED): its status name, e.g. PS_ECONFLICT. */
  get refusal(): string | undefined {
    return this.code === BRIDGE.EREFUSED ? this.message.split(/\s/)[0] : undefined;
  }
}

/** A file bigger than the reader was willing to take: `size` says how big it is. */
export class FileTooLargeError extends BridgeError {
  constructor(path: string, readonly size: number, readonly maxBytes: number) {
    super(BRIDGE.EREFUSED, `${path} is ${size} bytes, more than the ${maxBytes} this reads`);
    this.name = 'FileTooLarge';
  }
}

/** An upload ended by its caller between frames; the partial file was removed. */
export class WriteCancelledError extends Error {
  constructor(readonly path: string, readonly written: number) {
    super(`writing ${path} was cancelled after ${written} bytes; the partial file was removed`);
    this.name = 'WriteCancelled';
  }
}

export interface WriteFileOptions {
  /** After each frame the bridge took: bytes written so far of the whole. */
  onProgress?: (written: number, size: number) => void;
  /** Ends the write before its next frame (it then rejects with WriteCancelledError). */
  signal?: AbortSignal;
}

export interface KernelProcess {
  oid: number;
  running: boolean;
  name: string;
}

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);
const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};
const le = (...values: number[]) => {
  const out = new Uint8Array(values.length * 4);
  values.forEach((v, i) => new DataView(out.buffer).setUint32(i * 4, v, true));
  return out;
};

/** Requests over the bridge; `send` writes bytes to COM2, `feed` is given what COM2 receives. */
export class BridgeClient {
  private nextId = 1;
  private readonly decoder = new FrameDecoder();
  private readonly pending = new Map<
    number,
    { resolve: (f: BridgeFrame) => void; reject: (e: Error) => void; more?: (f: BridgeFrame) => boolean }
  >();
  private readonly listeners = new Set<(e: BridgeEvent) => void>();
  /** Error frames that answered no pending request (e.g. garbage the host sent). */
  readonly strayErrors: BridgeFrame[] = [];

  constructor(private readonly send: (bytes: Uint8Array) => void, private readonly timeoutMs = 10_000) {}

  feed(bytes: Uint8Array): void {
    for (const frame of this.decoder.push(bytes)) {
      if (frame.type === BRIDGE.EVENT && frame.id === 0 && frame.payload.length >= 8) {
        this.emit(frame.payload);
        continue;
      }
      const waiter = this.pending.get(frame.id);
      if (waiter?.more && frame.type !== BRIDGE.ERROR && waiter.more(frame)) continue;
      if (!waiter) {
        if (frame.type === BRIDGE.ERROR) this.strayErrors.push(frame);
        continue;
      }
      this.pending.delete(frame.id);
      if (frame.type === BRIDGE.ERROR) {
        waiter.reject(new BridgeError(frame.status, new TextDecoder().decode(frame.payload)));
      } else {
        waiter.resolve(frame);
      }
    }
  }

  /** Calls `listener` with every event the bridge reports; returns its removal. */
  onEvent(listener: (e: BridgeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(payload: Uint8Array): void {
    const kind = u32(payload, 0), value = u32(payload, 4);
    const event: BridgeEvent | undefined =
      kind === BRIDGE.EVENT_PROCESS_STARTED ? { kind: 'processStarted', oid: value }
      : kind === BRIDGE.EVENT_PROCESS_EXITED ? { kind: 'processExited', oid: value }
      : kind === BRIDGE.EVENT_TX_COMMITTED ? { kind: 'transactionCommitted', tid: value }
      : undefined;
    if (event) for (const l of this.listeners) l(event);
  }

  /**
   * One request; `more`, when given, sees every response frame first and answers true for
   * one that is not the last (the request stays pending), false for the last.
   */
  request(type: number, payload: Uint8Array = new Uint8Array(0), more?: (f: BridgeFrame) => boolean): Promise<BridgeFrame> {
    const id = this.nextId;
    this.nextId = (this.nextId % 0xfffe) + 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`bridge request ${type} (id ${id}) had no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, {
        resolve: (f) => { clearTimeout(timer); resolve(f); },
        reject: (e) => { clearTimeout(timer); reject(e); },
        more,
      });
      this.send(encodeFrame({ type, status: 0, id, payload }));
    });
  }

  async listObjects(): Promise<number[]> {
    const f = await this.request(BRIDGE.LIST_OBJECTS);
    return Array.from({ length: u32(f.payload, 0) }, (_, i) => u32(f.payload, 4 + 4 * i));
  }

  /** An object's bytes (at most the first 1016 of a larger one; `length` is the whole). */
  async getObject(oid: number): Promise<Uint8Array> {
    const f = await this.request(BRIDGE.GET_OBJECT, le(oid));
    return f.payload.slice(8);
  }

  async listProcesses(): Promise<KernelProcess[]> {
    const f = await this.request(BRIDGE.LIST_PROCESSES);
    return Array.from({ length: u32(f.payload, 0) }, (_, i) => {
      const at = 4 + 24 * i;
      const name = new TextDecoder().decode(f.payload.subarray(at + 8, at + 24)).replace(/\0.*$/s, '');
      return { oid: u32(f.payload, at), running: u32(f.payload, at + 4) === 1, name };
    });
  }

  /** Asks the PS to quiesce (open transaction aborted, no new ones); then power can go. */
  async shutdown(): Promise<{ lastTid: number; generation: number }> {
    const f = await this.request(BRIDGE.SHUTDOWN);
    return { lastTid: u32(f.payload, 0), generation: u32(f.payload, 4) };
  }

  async spawn(imageOid: number, processOid: number): Promise<number> {
    const f = await this.request(BRIDGE.SPAWN, le(imageOid, processOid));
    return u32(f.payload, 0);
  }

  /**
   * Many objects in one request (GET_OBJECTS): each oid's whole bytes, or undefined when
   * the PS has no such object. At most BRIDGE.MAX_BATCH oids per request; more are sent
   * as several requests.
   */
  async getObjects(oids: readonly number[]): Promise<Map<number, Uint8Array | undefined>> {
    const result = new Map<number, Uint8Array | undefined>();
    for (let first = 0; first < oids.length; first += BRIDGE.MAX_BATCH) {
      const batch = oids.slice(first, first + BRIDGE.MAX_BATCH);
      const parts = new Map<number, Uint8Array | undefined>();
      const take = (f: BridgeFrame): boolean => {
        const entries = u32(f.payload, 4);
        let at = 8;
        for (let i = 0; i < entries; i++) {
          const oid = u32(f.payload, at), status = u32(f.payload, at + 4), length = u32(f.payload, at + 8);
          const offset = u32(f.payload, at + 12), n = u32(f.payload, at + 16);
          if (status !== 0) parts.set(oid, undefined);
          else {
            let bytes = parts.get(oid);
            if (!bytes || offset === 0) parts.set(oid, (bytes = new Uint8Array(length)));
            bytes.set(f.payload.subarray(at + 20, at + 20 + n), offset);
          }
          at += 20 + ((n + 3) & ~3);
        }
        return (u32(f.payload, 0) & BRIDGE.MORE) !== 0;
      };
      // Every response frame, the last included, goes through `take` before the request resolves.
      await this.request(BRIDGE.GET_OBJECTS, le(batch.length, ...batch), take);
      for (const oid of batch) result.set(oid, parts.get(oid));
    }
    return result;
  }

  /** Begins a PS transaction on the IDE's behalf: its id and the tid it sees. */
  async begin(): Promise<{ txid: number; snapshot: number }> {
    const f = await this.request(BRIDGE.TX_BEGIN);
    return { txid: u32(f.payload, 0), snapshot: u32(f.payload, 4) };
  }

  /** Stages one object (psdisk.h encoding) in transaction `txid`, in frames of up to MAX_PAYLOAD - 16 bytes. */
  async put(txid: number, oid: number, bytes: Uint8Array): Promise<void> {
    const room = BRIDGE.MAX_PAYLOAD - 16;
    for (let offset = 0; offset < bytes.length || offset === 0; offset += room) {
      const part = bytes.subarray(offset, offset + room);
      const payload = new Uint8Array(16 + part.length);
      payload.set(le(txid, oid, bytes.length, offset));
      payload.set(part, 16);
      await this.request(BRIDGE.TX_PUT, payload);
      if (!bytes.length) break;
    }
  }

  /** Commits: the tid written. A refusal is a BridgeError with code EREFUSED. */
  async commit(txid: number): Promise<number> {
    const f = await this.request(BRIDGE.TX_COMMIT, le(txid));
    return u32(f.payload, 0);
  }

  async abort(txid: number): Promise<void> {
    await this.request(BRIDGE.TX_ABORT, le(txid));
  }

  /** A message to a server object (GENESIS_PS or GENESIS_PMS): its reply label and words. */
  async message(serverOid: number, label: number, words: readonly number[] = []): Promise<{ label: number; words: number[] }> {
    const f = await this.request(BRIDGE.SEND, le(serverOid, label, ...words));
    const n = u32(f.payload, 4);
    return { label: u32(f.payload, 0), words: Array.from({ length: n }, (_, i) => u32(f.payload, 8 + 4 * i)) };
  }

  async terminate(processOid: number): Promise<void> {
    await this.request(BRIDGE.TERMINATE, le(processOid));
  }

  /** The entries of a directory of TelOS's file tree (the bridge's file-system session). */
  async listDirectory(path: string): Promise<BridgeFileEntry[]> {
    const name = new TextEncoder().encode(path);
    const problem = pathProblem(path, name);
    if (problem) throw new BridgeError(BRIDGE.EBAD_PAYLOAD, problem);
    const entries: BridgeFileEntry[] = [];
    let cookie = [0, 0];
    for (;;) {
      const f = await this.request(BRIDGE.FS_LIST, concat(le(cookie[0]!, cookie[1]!), name));
      const count = u32(f.payload, 12);
      let at = 16;
      for (let i = 0; i < count; i++) {
        const type = u32(f.payload, at), size = u32(f.payload, at + 4) + u32(f.payload, at + 8) * 2 ** 32, n = u32(f.payload, at + 12);
        entries.push({ name: new TextDecoder().decode(f.payload.subarray(at + 16, at + 16 + n)), type: FILE_TYPES[type] ?? 'other', size });
        at += 16 + ((n + 3) & ~3);
      }
      if (!(u32(f.payload, 0) & BRIDGE.MORE)) return entries;
      const next = [u32(f.payload, 4), u32(f.payload, 8)];
      // A server that does not move on would loop here for ever.
      if (count === 0 && next[0] === cookie[0] && next[1] === cookie[1]) throw new BridgeError(BRIDGE.EFAILED, `listing ${path} made no progress`);
      cookie = next;
    }
  }

  /** A whole file of TelOS's tree, read a frame at a time; `progress` after each (a
   * `progress` that throws ends the read there, between frames). */
  async readFile(path: string, progress?: (read: number, size: number) => void, maxBytes = 64 << 20): Promise<Uint8Array> {
    const name = new TextEncoder().encode(path);
    const problem = pathProblem(path, name);
    if (problem) throw new BridgeError(BRIDGE.EBAD_PAYLOAD, problem);
    const parts: Uint8Array[] = [];
    let read = 0;
    let size = 0;
    do {
      const f = await this.request(BRIDGE.FS_READ, concat(le(read % 2 ** 32, Math.floor(read / 2 ** 32)), name));
      size = u32(f.payload, 0) + u32(f.payload, 4) * 2 ** 32;
      if (size > maxBytes) throw new FileTooLargeError(path, size, maxBytes);
      const data = f.payload.slice(8);
      // The file shrank under us: what was read is all there is.
      if (data.length === 0) break;
      parts.push(data);
      read += data.length;
      progress?.(read, size);
    } while (read < size);
    const out = new Uint8Array(read);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /**
   * Writes `bytes` as the file `path` of TelOS's tree (under /tmp or /disk), created or
   * emptied first, in as many FS_WRITE frames as it takes; the last one closes it, so its
   * bytes are on the medium when this resolves. A refusal rejects with the BridgeError
   * (EREAD_ONLY under /image, ENOT_FOUND for a missing directory or /disk without a file
   * disk). Cancelled (`signal`) or refused after the first frame, the partial file is
   * removed before the promise settles: a write never leaves half a file behind.
   */
  async writeFile(path: string, bytes: Uint8Array, { onProgress, signal }: WriteFileOptions = {}): Promise<void> {
    const name = new TextEncoder().encode(path);
    const problem = pathProblem(path, name);
    if (problem) throw new BridgeError(BRIDGE.EBAD_PAYLOAD, problem);
    signal?.throwIfAborted();
    const room = BRIDGE.MAX_PAYLOAD - 16 - name.length;
    let written = 0;
    try {
      do {
        if (signal?.aborted) throw new WriteCancelledError(path, written);
        const part = bytes.subarray(written, written + room);
        const last = written + part.length >= bytes.length;
        const flags = (written === 0 ? BRIDGE.FS_CREATE | BRIDGE.FS_TRUNCATE : 0) | (last ? BRIDGE.FS_LAST : 0);
        const payload = new Uint8Array(16 + name.length + part.length);
        payload.set(le(written % 2 ** 32, Math.floor(written / 2 ** 32), flags, name.length));
        payload.set(name, 16);
        payload.set(part, 16 + name.length);
        await this.request(BRIDGE.FS_WRITE, payload);
        written += part.length;
        onProgress?.(written, bytes.length);
      } while (written < bytes.length);
    } catch (e) {
      // The first frame made (or emptied) the file; what follows failed: take it away again.
      if (written > 0) await this.remove(path).catch(() => {});
      throw e;
    }
  }

  /** A new, empty directory of TelOS's tree (under /tmp or /disk). */
  async makeDirectory(path: string): Promise<void> {
    await this.request(BRIDGE.FS_MKDIR, this.pathPayload(path));
  }

  /** Removes a file or an empty directory of TelOS's tree (under /tmp or /disk). */
  async remove(path: string): Promise<void> {
    await this.request(BRIDGE.FS_REMOVE, this.pathPayload(path));
  }

  private pathPayload(path: string): Uint8Array {
    const name = new TextEncoder().encode(path);
    const problem = pathProblem(path, name);
    if (problem) throw new BridgeError(BRIDGE.EBAD_PAYLOAD, problem);
    return name;
  }

  async processState(processOid: number): Promise<KernelProcessState> {
    const f = await this.request(BRIDGE.PROCESS_STATE, le(processOid));
    const name = new TextDecoder().decode(f.payload.subarray(8, 24)).replace(/\0.*$/s, '');
    return { oid: u32(f.payload, 0), state: u32(f.payload, 4) === 1 ? 'running' : 'ended', name };
  }
}
