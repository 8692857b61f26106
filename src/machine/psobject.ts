// The PS's typed objects in TypeScript: decoding and encoding the bytes the kernel's
// lib/psobj.c reads and writes (include/telos/psdisk.h, "OBJECTS"). A typed object has a
// name, slots (data, parent, method, capability) and trait uses; a blob holds raw bytes.
import { PSDISK } from './psdisk-constants';

/** A data slot's value. Integers that fit in 32 bits travel as INT, other numbers as NUMBER. */
export type PsValue = null | boolean | number | string | Uint8Array | { ref: number } | PsValue[];

/** A capability descriptor: what a capability slot says of the cap it stands for. */
export interface PsCap {
  /** TELOS_OBJ_* or TELOS_CAP_* of abi.h; 0 when the slot holds no capability. */
  kind: number;
  rights: number;
  badge: number;
  /** Oid of the process object whose CSpace holds it (0: the root task). */
  holder: number;
  /** The CSpace slot it lives in while the system runs (0: not held). */
  slot: number;
}

export type PsSlot =
  | { kind: 'data'; name: string; value: PsValue }
  | { kind: 'parent'; name: string; ref: number }
  | { kind: 'method'; name: string; label: number; source: string }
  | { kind: 'cap'; name: string; cap: PsCap };

export interface PsTraitUse {
  trait: number;
  exclude: string[];
  alias: Record<string, string>;
}

export type PsContent =
  | { kind: 'object'; name: string; slots: PsSlot[]; traits: PsTraitUse[] }
  | { kind: 'blob'; data: Uint8Array };

/** Bytes that are neither a typed object nor a blob, and why. */
export class PsObjectFormatError extends Error {
  override name = 'PsObjectFormatError';
}

const SLOT_KINDS = ['', 'data', 'parent', 'method', 'cap'] as const;
const CAP_NAMES = ['none', 'Untyped', 'TCB', 'Endpoint', 'Notification', 'CNode', 'Frame', 'PageTable', 'PageDirectory', 'IOPort', 'IRQControl', 'IRQHandler'];

const pad4 = (n: number) => (n + 3) & ~3;
const latin = (b: Uint8Array) => String.fromCharCode(...b);
const selectorOk = (b: Uint8Array) => b.length >= 1 && b.length <= PSDISK.MAX_NAME && b.every((c) => c > 0x20 && c <= 0x7e);

/** Decodes an object's bytes; throws PsObjectFormatError naming what is wrong. */
export function decodePsObject(bytes: Uint8Array): PsContent {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => {
    throw new PsObjectFormatError(why);
  };
  if (bytes.length < 4 || bytes.length > PSDISK.MAX_OBJECT_SIZE) fail(`${bytes.length} bytes is not an object size`);
  const magic = view.getUint32(0, true);
  if (magic === PSDISK.BLOB_MAGIC) return { kind: 'blob', data: bytes.slice(4) };
  if (magic !== PSDISK.OBJ_MAGIC || bytes.length < 9) fail('neither a typed object nor a blob (bad magic)');
  const slotCount = view.getUint16(4, true);
  const traitCount = view.getUint16(6, true);
  const nameLength = bytes[8]!;
  if (nameLength > PSDISK.MAX_NAME || 9 + nameLength > bytes.length) fail('the name runs past the object');
  const nameBytes = bytes.subarray(9, 9 + nameLength);
  if (!nameBytes.every((c) => c >= 0x20 && c <= 0x7e)) fail('the name is not printable ASCII');
  let at = pad4(9 + nameLength);
  const zeros = (from: number, to: number) => {
    if (to > bytes.length || !bytes.subarray(from, to).every((b) => b === 0)) fail(`padding at ${from} is not zero`);
  };
  zeros(9 + nameLength, at);

  const value = (from: number, end: number, depth: number): [PsValue, number] => {
    if (from >= end || depth > PSDISK.MAX_DEPTH) fail('a value runs past its slot');
    const type = bytes[from]!;
    const need = (n: number) => {
      if (from + n > end) fail('a value runs past its slot');
    };
    switch (type) {
      case PSDISK.VAL_NIL:
        return [null, 1];
      case PSDISK.VAL_FALSE:
        return [false, 1];
      case PSDISK.VAL_TRUE:
        return [true, 1];
      case PSDISK.VAL_INT:
        need(5);
        return [view.getInt32(from + 1, true), 5];
      case PSDISK.VAL_NUMBER:
        need(9);
        return [view.getFloat64(from + 1, true), 9];
      case PSDISK.VAL_STRING:
      case PSDISK.VAL_BYTES: {
        need(3);
        const n = view.getUint16(from + 1, true);
        need(3 + n);
        const b = bytes.slice(from + 3, from + 3 + n);
        return [type === PSDISK.VAL_STRING ? new TextDecoder('utf-8', { fatal: false }).decode(b) : b, 3 + n];
      }
      case PSDISK.VAL_REF: {
        need(5);
        const ref = view.getUint32(from + 1, true);
        if (!ref) fail('a reference to oid 0');
        return [{ ref }, 5];
      }
      case PSDISK.VAL_LIST: {
        need(3);
        const count = view.getUint16(from + 1, true);
        const items: PsValue[] = [];
        let p = from + 3;
        for (let i = 0; i < count; i++) {
          const [v, size] = value(p, end, depth + 1);
          items.push(v);
          p += size;
        }
        return [items, p - from];
      }
      default:
        return fail(`unknown value type ${type}`);
    }
  };

  const slots: PsSlot[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < slotCount; i++) {
    if (at + 4 > bytes.length) fail(`slot ${i} of ${slotCount} starts past the object`);
    const kind = SLOT_KINDS[bytes[at]!];
    const n = bytes[at + 1]!;
    const v = view.getUint16(at + 2, true);
    const end = at + 4 + n + v;
    if (end > bytes.length) fail(`slot ${i} runs past the object`);
    const nameB = bytes.subarray(at + 4, at + 4 + n);
    if (!selectorOk(nameB)) fail(`slot ${i} has no valid selector`);
    const name = latin(nameB);
    if (seen.has(name)) fail(`two slots named ${name}`);
    seen.add(name);
    const vs = at + 4 + n;
    switch (kind) {
      case 'data': {
        const [val, size] = value(vs, end, 0);
        if (size !== v) fail(`slot ${name}: the value is ${size} bytes, the slot says ${v}`);
        slots.push({ kind, name, value: val });
        break;
      }
      case 'parent': {
        if (v !== 4 || view.getUint32(vs, true) === 0) fail(`parent slot ${name} holds no oid`);
        slots.push({ kind, name, ref: view.getUint32(vs, true) });
        break;
      }
      case 'method':
        if (v < 4) fail(`method slot ${name} has no label`);
        slots.push({ kind, name, label: view.getUint32(vs, true), source: new TextDecoder().decode(bytes.subarray(vs + 4, end)) });
        break;
      case 'cap':
        if (v !== PSDISK.CAP_SIZE || bytes[vs]! > 11 || bytes[vs + 1]! > 15 || view.getUint16(vs + 2, true) !== 0) fail(`capability slot ${name} is malformed`);
        slots.push({
          kind,
          name,
          cap: { kind: bytes[vs]!, rights: bytes[vs + 1]!, badge: view.getUint32(vs + 4, true), holder: view.getUint32(vs + 8, true), slot: view.getUint32(vs + 12, true) },
        });
        break;
      default:
        fail(`slot ${name} has unknown kind ${bytes[at]}`);
    }
    zeros(end, pad4(end));
    at = pad4(end);
  }
  const traits: PsTraitUse[] = [];
  for (let i = 0; i < traitCount; i++) {
    if (at + 8 > bytes.length) fail(`trait use ${i} starts past the object`);
    const trait = view.getUint32(at, true);
    if (!trait) fail(`trait use ${i} names oid 0`);
    const excludes = bytes[at + 4]!;
    const aliases = bytes[at + 5]!;
    const end = at + 8 + view.getUint16(at + 6, true);
    if (end > bytes.length) fail(`trait use ${i} runs past the object`);
    const names: string[] = [];
    let p = at + 8;
    for (let k = 0; k < excludes + 2 * aliases; k++) {
      const n = bytes[p] ?? 0;
      if (p >= end || p + 1 + n > end || !selectorOk(bytes.subarray(p + 1, p + 1 + n))) fail(`trait use ${i} has a malformed selector`);
      names.push(latin(bytes.subarray(p + 1, p + 1 + n)));
      p += 1 + n;
    }
    if (p !== end) fail(`trait use ${i} has bytes after its selectors`);
    const alias: Record<string, string> = {};
    for (let k = 0; k < aliases; k++) alias[names[excludes + 2 * k]!] = names[excludes + 2 * k + 1]!;
    traits.push({ trait, exclude: names.slice(0, excludes), alias });
    zeros(end, pad4(end));
    at = pad4(end);
  }
  if (at !== bytes.length) fail(`${bytes.length - at} bytes after the last trait use`);
  return { kind: 'object', name: latin(nameBytes), slots, traits };
}

class Writer {
  bytes: number[] = [];
  u8(v: number) {
    this.bytes.push(v & 0xff);
  }
  u16(v: number) {
    this.u8(v);
    this.u8(v >> 8);
  }
  u32(v: number) {
    this.u16(v & 0xffff);
    this.u16(v >>> 16);
  }
  raw(b: ArrayLike<number>) {
    for (let i = 0; i < b.length; i++) this.bytes.push(b[i]!);
  }
  align() {
    while (this.bytes.length % 4) this.bytes.push(0);
  }
}

function ascii(s: string, what: string, allowSpace: boolean): number[] {
  const out = [...s].map((c) => c.charCodeAt(0));
  if (out.length > PSDISK.MAX_NAME || out.some((c) => c < (allowSpace ? 0x20 : 0x21) || c > 0x7e) || (!allowSpace && out.length === 0)) {
    throw new PsObjectFormatError(`${what} “${s}” is not 1 to ${PSDISK.MAX_NAME} printable ASCII characters`);
  }
  return out;
}

function writeValue(w: Writer, v: PsValue, depth = 0): void {
  if (depth > PSDISK.MAX_DEPTH) throw new PsObjectFormatError('a list nested too deeply');
  if (v === null) w.u8(PSDISK.VAL_NIL);
  else if (v === false) w.u8(PSDISK.VAL_FALSE);
  else if (v === true) w.u8(PSDISK.VAL_TRUE);
  else if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31 && !Object.is(v, -0)) {
      w.u8(PSDISK.VAL_INT);
      w.u32(v >>> 0);
    } else {
      w.u8(PSDISK.VAL_NUMBER);
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v, true);
      w.raw(b);
    }
  } else if (typeof v === 'string' || v instanceof Uint8Array) {
    const b = typeof v === 'string' ? new TextEncoder().encode(v) : v;
    if (b.length > 0xffff) throw new PsObjectFormatError('a string or bytes value longer than 65535 bytes');
    w.u8(typeof v === 'string' ? PSDISK.VAL_STRING : PSDISK.VAL_BYTES);
    w.u16(b.length);
    w.raw(b);
  } else if (Array.isArray(v)) {
    w.u8(PSDISK.VAL_LIST);
    w.u16(v.length);
    for (const item of v) writeValue(w, item, depth + 1);
  } else {
    if (!Number.isInteger(v.ref) || v.ref <= 0 || v.ref > 0xffffffff) throw new PsObjectFormatError(`reference to oid ${v.ref}`);
    w.u8(PSDISK.VAL_REF);
    w.u32(v.ref);
  }
}

/** Encodes an object; throws PsObjectFormatError when it cannot be (too long, bad names). */
export function encodePsObject(content: PsContent): Uint8Array {
  const w = new Writer();
  if (content.kind === 'blob') {
    w.u32(PSDISK.BLOB_MAGIC);
    w.raw(content.data);
  } else {
    w.u32(PSDISK.OBJ_MAGIC);
    w.u16(content.slots.length);
    w.u16(content.traits.length);
    const name = ascii(content.name, 'the object name', true);
    w.u8(name.length);
    w.raw(name);
    w.align();
    for (const s of content.slots) {
      const start = w.bytes.length;
      const sel = ascii(s.name, 'the selector', false);
      w.u8(SLOT_KINDS.indexOf(s.kind));
      w.u8(sel.length);
      w.u16(0);
      w.raw(sel);
      const valueStart = w.bytes.length;
      if (s.kind === 'data') writeValue(w, s.value);
      else if (s.kind === 'parent') w.u32(s.ref);
      else if (s.kind === 'method') {
        w.u32(s.label);
        w.raw(new TextEncoder().encode(s.source));
      } else {
        w.u8(s.cap.kind);
        w.u8(s.cap.rights);
        w.u16(0);
        w.u32(s.cap.badge);
        w.u32(s.cap.holder);
        w.u32(s.cap.slot);
      }
      const length = w.bytes.length - valueStart;
      w.bytes[start + 2] = length & 0xff;
      w.bytes[start + 3] = length >> 8;
      w.align();
    }
    for (const t of content.traits) {
      w.u32(t.trait);
      const aliases = Object.entries(t.alias);
      w.u8(t.exclude.length);
      w.u8(aliases.length);
      const lengthAt = w.bytes.length;
      w.u16(0);
      const start = w.bytes.length;
      for (const name of [...t.exclude, ...aliases.flat()]) {
        const b = ascii(name, 'the selector', false);
        w.u8(b.length);
        w.raw(b);
      }
      const length = w.bytes.length - start;
      w.bytes[lengthAt] = length & 0xff;
      w.bytes[lengthAt + 1] = length >> 8;
      w.align();
    }
  }
  if (w.bytes.length > PSDISK.MAX_OBJECT_SIZE) throw new PsObjectFormatError(`the object takes ${w.bytes.length} bytes; at most ${PSDISK.MAX_OBJECT_SIZE} fit`);
  const out = Uint8Array.from(w.bytes);
  decodePsObject(out); // the same checks the kernel makes
  return out;
}

/** The oids an object refers to (parents, refs, trait uses), as the PS's pack follows them. */
export function psReferences(content: PsContent): number[] {
  if (content.kind === 'blob') return [];
  const out: number[] = [];
  const walk = (v: PsValue) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) out.push(v.ref);
  };
  for (const s of content.slots) {
    if (s.kind === 'parent') out.push(s.ref);
    else if (s.kind === 'data') walk(s.value);
  }
  for (const t of content.traits) out.push(t.trait);
  return out;
}

/** A capability descriptor as a person reads it. */
export function describeCap(cap: PsCap, holderName?: string): string {
  if (!cap.kind) return 'no capability';
  const kind = CAP_NAMES[cap.kind] ?? `kind ${cap.kind}`;
  const rights = ['R', 'W', 'G', 'g'].filter((_, i) => cap.rights & (1 << i)).join('') || 'none';
  const where = cap.slot ? `slot ${cap.slot} of ${cap.holder ? (holderName ?? `#${cap.holder}`) : 'the root task'}` : 'not held';
  return `${kind} cap, rights ${rights}${cap.badge ? `, badge ${cap.badge.toString(16)}` : ''}, ${where}`;
}
