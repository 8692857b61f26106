// Checks on everything that enters the World from outside (IDE, workspace, image files):
// slot names, values, trait uses. Each refusal says what is wrong, in a user's words.
// Valid input is returned as a fresh copy, so callers cannot alias the World's state.

import { InvalidInput } from './errors';
import type { OID, SlotKind, SlotState, TraitUse, Value } from './types';
import { workCheckpoint } from './work';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const OPERATOR = /^[!%&*+\-/<=>?@^|~]+$/;
/** Names that cannot be slots: the intrinsic OID pseudo-slot and JS's prototype hook. */
const RESERVED = new Set(['oid', '__proto__']);

export const LIMITS = {
  nameLength: 200,
  stringLength: 1 << 20,
  listLength: 100_000,
  depth: 64,
  sourceLength: 256 * 1024,
  categoryLength: 200,
  commentLength: 64 * 1024,
};

export function isOid(n: unknown): n is OID {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER;
}

/** Refuses a malformed selector / slot name; returns it unchanged if fine. */
export function checkSlotName(name: unknown): string {
  if (typeof name !== 'string') throw new InvalidInput(`a slot name must be a string, not ${describe(name)}`);
  if (name.length === 0) throw new InvalidInput('a slot name cannot be empty');
  if (name.length > LIMITS.nameLength) throw new InvalidInput(`slot name is ${name.length} characters long; the limit is ${LIMITS.nameLength}`);
  if (RESERVED.has(name)) throw new InvalidInput(`'${name}' is reserved and cannot be a slot name`);
  if (!IDENTIFIER.test(name) && !OPERATOR.test(name))
    throw new InvalidInput(
      `'${name}' is not a valid slot name: use an identifier (letters, digits, _ or $, not starting with a digit) or an operator such as == or <=`,
    );
  return name;
}

export function checkObjectName(name: unknown): string {
  if (typeof name !== 'string') throw new InvalidInput(`an object name must be a string, not ${describe(name)}`);
  if (name.length > LIMITS.nameLength) throw new InvalidInput(`object name is longer than ${LIMITS.nameLength} characters`);
  return name;
}

/** Validates a Value and returns a deep copy. `exists` decides whether a reference may dangle. */
export function checkValue(v: unknown, exists: (oid: OID) => boolean, depth = 0): Value {
  workCheckpoint();
  if (depth > LIMITS.depth) throw new InvalidInput(`value is nested deeper than ${LIMITS.depth} lists`);
  if (v === null) return null;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      if (!Number.isFinite(v)) throw new InvalidInput(`${v} cannot be stored: numbers must be finite`);
      return Object.is(v, -0) ? 0 : v;
    case 'string':
      if (v.length > LIMITS.stringLength) throw new InvalidInput(`a string of ${v.length} characters is too long for a slot; store it as a blob`);
      return v;
    case 'object': {
      if (Array.isArray(v)) {
        if (v.length > LIMITS.listLength) throw new InvalidInput(`a list of ${v.length} items is longer than the limit of ${LIMITS.listLength}`);
        const out: Value[] = new Array(v.length);
        for (let i = 0; i < v.length; i++) out[i] = checkValue(v[i], exists, depth + 1);
        return out;
      }
      if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null)
        throw new InvalidInput('only plain values can be stored: null, booleans, numbers, strings, lists, {ref} and {blob, size, type}');
      const keys = Object.keys(v as object).sort().join(',');
      const o = v as Record<string, unknown>;
      if (keys === 'ref') {
        if (!isOid(o.ref)) throw new InvalidInput(`reference ${JSON.stringify(o.ref)} is not an OID (an integer from 0 to 2^53-1)`);
        if (!exists(o.ref)) throw new InvalidInput(`reference to #${o.ref} points to no object`);
        return { ref: o.ref };
      }
      if (keys === 'blob,size,type') {
        if (typeof o.blob !== 'string' || o.blob.length === 0) throw new InvalidInput('a blob reference needs a non-empty blob id');
        if (!Number.isInteger(o.size) || (o.size as number) < 0) throw new InvalidInput('a blob reference needs a size in bytes (a non-negative integer)');
        if (typeof o.type !== 'string') throw new InvalidInput('a blob reference needs a MIME type string');
        return { blob: o.blob, size: o.size as number, type: o.type };
      }
      throw new InvalidInput(
        `an object with keys {${keys}} cannot be stored: a value is null, a boolean, a number, a string, a list, {ref: oid} or {blob, size, type}`,
      );
    }
    default:
      throw new InvalidInput(`${describe(v)} cannot be stored in a slot`);
  }
}

/** Refuses method source that is not a string or is too long. */
export function checkSource(source: unknown): string {
  if (typeof source !== 'string') throw new InvalidInput(`method source must be a string, not ${describe(source)}`);
  if (source.length > LIMITS.sourceLength) throw new InvalidInput(`method source is longer than ${LIMITS.sourceLength} characters`);
  // Its shape (exactly one function expression) is the parser's to judge: World.setMethod and
  // addSlot report it as a MethodSyntaxError with line and column (see source.ts).
  return source;
}

function optionalText(v: unknown, what: string, max: number): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InvalidInput(`${what} must be a string`);
  if (v.length > max) throw new InvalidInput(`${what} is longer than ${max} characters`);
  return v;
}

/** Validates a complete slot description (as the IDE or a mirror hands it in). */
export function checkSlot(s: unknown, exists: (oid: OID) => boolean): SlotState {
  if (typeof s !== 'object' || s === null) throw new InvalidInput('a slot must be an object {name, kind, ...}');
  const o = s as Record<string, unknown>;
  const name = checkSlotName(o.name);
  const kind = o.kind as SlotKind;
  const category = optionalText(o.category, 'category', LIMITS.categoryLength);
  const comment = optionalText(o.comment, 'comment', LIMITS.commentLength);
  const extra = (x: SlotState): SlotState => {
    if (category !== undefined && category !== '') x.category = category;
    if (comment !== undefined && comment !== '') x.comment = comment;
    return x;
  };
  if (o.constant !== undefined && typeof o.constant !== 'boolean') throw new InvalidInput('constant must be true or false');
  switch (kind) {
    case 'data': {
      const x: SlotState = { name, kind, value: checkValue(o.value ?? null, exists) };
      if (o.constant) x.constant = true;
      return extra(x);
    }
    case 'parent': {
      const v = checkValue(o.value, exists);
      if (v === null || typeof v !== 'object' || !('ref' in v)) throw new InvalidInput(`parent slot '${name}' must hold a reference to an object`);
      const x: SlotState = { name, kind, value: { ref: v.ref } };
      if (o.constant) x.constant = true;
      return extra(x);
    }
    case 'method':
      return extra({ name, kind, source: checkSource(o.source) });
    default:
      throw new InvalidInput(`slot kind must be 'data', 'method' or 'parent', not ${describe(kind)}`);
  }
}

export function checkTraitUse(u: unknown, exists: (oid: OID) => boolean): TraitUse {
  if (typeof u !== 'object' || u === null) throw new InvalidInput('a trait use must be {trait, exclude, alias}');
  const o = u as Record<string, unknown>;
  if (!isOid(o.trait) || !exists(o.trait)) throw new InvalidInput(`trait ${JSON.stringify(o.trait)} is not an existing object`);
  const exclude = o.exclude ?? [];
  if (!Array.isArray(exclude)) throw new InvalidInput('exclude must be a list of selectors');
  const alias = o.alias ?? {};
  if (typeof alias !== 'object' || alias === null || Array.isArray(alias)) throw new InvalidInput('alias must map new selectors to existing ones');
  const cleanAlias: Record<string, string> = {};
  for (const [k, v] of Object.entries(alias)) cleanAlias[checkSlotName(k)] = checkSlotName(v);
  return { trait: o.trait, exclude: [...new Set(exclude.map(checkSlotName))], alias: cleanAlias };
}

export function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object') return Array.isArray(v) ? 'a list' : 'an object';
  return `${typeof v} ${String(v).slice(0, 40)}`;
}
