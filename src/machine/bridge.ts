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
  MAX_PAYLOAD: 1024,
  LIST_OBJECTS: 1,
  GET_OBJECT: 2,
  LIST_PROCESSES: 3,
  SPAWN: 4,
  SHUTDOWN: 5,
  RESPONSE: 0x80,
  ERROR: 0x7f,
  EBAD_CRC: 1,
  ETOO_LONG: 2,
  EUNKNOWN_TYPE: 3,
  EBAD_PAYLOAD: 4,
  ENOT_FOUND: 5,
  EFAILED: 6,
} as const;

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
  private buf = new Uint8Array(0);

  push(bytes: Uint8Array): BridgeFrame[] {
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf);
    joined.set(bytes, this.buf.length);
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
    this.buf = joined.slice(at);
    return frames;
  }
}

export class BridgeError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'BridgeError';
  }
}

export interface KernelProcess {
  oid: number;
  running: boolean;
  name: string;
}

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);
const le = (...values: number[]) => {
  const out = new Uint8Array(values.length * 4);
  values.forEach((v, i) => new DataView(out.buffer).setUint32(i * 4, v, true));
  return out;
};

/** Requests over the bridge; `send` writes bytes to COM2, `feed` is given what COM2 receives. */
export class BridgeClient {
  private nextId = 1;
  private readonly decoder = new FrameDecoder();
  private readonly pending = new Map<number, { resolve: (f: BridgeFrame) => void; reject: (e: Error) => void }>();
  /** Error frames that answered no pending request (e.g. garbage the host sent). */
  readonly strayErrors: BridgeFrame[] = [];

  constructor(private readonly send: (bytes: Uint8Array) => void, private readonly timeoutMs = 10_000) {}

  feed(bytes: Uint8Array): void {
    for (const frame of this.decoder.push(bytes)) {
      const waiter = this.pending.get(frame.id);
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

  request(type: number, payload: Uint8Array = new Uint8Array(0)): Promise<BridgeFrame> {
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
}
