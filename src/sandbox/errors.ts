// Error mapping: what the VM reports about a thrown value (plain data read by the prelude's
// errorOf) becomes an EvaluationError or a SandboxLimit with owner, selector, line, column and
// the chain of sends, read from the QuickJS stack text of World code's frames.

import { LIMITS, SandboxLimit, TelosError, isOid, originalColumn, type ErrorData, type Insertion, type LimitName, type OID } from '../world';

/** One step of the chain of sends, innermost first. Line and column are 1-based in the method source. */
export interface SendFrame {
  owner: OID;
  ownerName: string;
  selector: string;
  line: number;
  column: number;
}

/**
 * An error raised by method or workspace code. `name` is the error's own name
 * (MessageNotUnderstood, TraitConflict, AmbiguousSend, TypeError, ...), the location is the
 * innermost frame of World code, `sends` the whole chain.
 */
export class EvaluationError extends TelosError {
  /** The object holding the failing method (the innermost frame of World code). */
  owner?: OID;
  ownerName?: string;
  /** The failing method's selector ('(workspace)' for workspace code). Error-specific fields such
   *  as MessageNotUnderstood's `selector` (the selector not understood) keep their own names. */
  method?: string;
  line?: number;
  column?: number;
  sends: SendFrame[] = [];
  transcript: string[] = [];
  constructor(name: string, message: string) {
    super(name, message);
  }
  /** "in Circle.area, line 2, column 10" (or '' when the location is unknown). */
  get where(): string {
    return this.sends[0] ? `in ${frameText(this.sends[0])}` : '';
  }
}

/** "Circle.area, line 2, column 10" or "the workspace, line 1, column 5". */
export function frameText(f: SendFrame): string {
  const where = f.selector === '(workspace)' ? 'the workspace' : `${f.ownerName}.${f.selector}`;
  return `${where}, line ${f.line}, column ${f.column}`;
}

/** QuickJS's file name for workspace code compiled by the host. */
export const WORKSPACE_FILE = 'workspace';
/** QuickJS's file name for code run by direct eval (the workspace's usual form). */
const EVAL_FILE = '<input>';

/** The file name a method is compiled under: its holder and selector, read back by parseStack. */
export function methodFileName(holder: OID, selector: string): string {
  return `m${holder}.${encodeURIComponent(selector)}`;
}

/** What error mapping needs to know about the sandbox and the evaluation that failed. */
export interface MappingContext {
  /** The object workspace code runs as. */
  workspaceSelf: OID;
  /** Insertions in the workspace code that ran (see instrumentWorkspace). */
  workspaceInsertions: Insertion[];
  /** Insertions in a compiled method, to map columns back to its source. */
  methodInsertions(owner: OID, selector: string): Insertion[];
  nameOf(oid: OID): string;
  /** The limit the sandbox saw tripped during the evaluation, if any. */
  limitHit: LimitName | null;
  deadlineMs: number;
  memoryBytes: number;
  stackBytes: number;
}

/** Bounds on what is read from a thrown value (the VM cuts to these too; the host checks again). */
const NAME_MAX = LIMITS.nameLength;
const TEXT_MAX = 16 * 1024;
const STACK_MAX = 64 * 1024;
const LIST_MAX = 64;
/** How many frames of the chain of sends are kept: the innermost and the outermost. */
const FRAMES_KEPT = 20;

const text = (max: number) => (v: unknown) => (typeof v === 'string' && v.length <= max ? v : undefined);
const oidList = (v: unknown) => (Array.isArray(v) && v.length <= LIST_MAX && v.every(isOid) ? (v as OID[]) : undefined);
const nameList = (v: unknown) => (Array.isArray(v) && v.length <= LIST_MAX && v.every((x) => typeof x === 'string' && x.length <= NAME_MAX) ? (v as string[]) : undefined);
const position = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

/**
 * The detail fields of the World's own errors (MessageNotUnderstood's receiver and selector,
 * TraitConflict's traits, ...), each with the only shape it may have. Nothing else a thrown
 * value carries reaches the host's error: not `where`, `sends`, `toJSON` or anything new.
 */
const KNOWN_DETAILS: Record<string, (v: unknown) => unknown> = {
  receiver: (v) => (isOid(v) ? v : undefined),
  owner: (v) => (isOid(v) ? v : undefined),
  selector: text(NAME_MAX),
  traits: oidList,
  holders: oidList,
  oids: oidList,
  parents: nameList,
  limit: (v) => (v === 'deadline' || v === 'memory' || v === 'stack' ? v : undefined),
  detail: text(TEXT_MAX),
  reason: text(TEXT_MAX),
  needsOids: (v) => (typeof v === 'boolean' ? v : undefined),
  line: position,
  column: position,
};

/**
 * A VM error's data → the error the evaluation throws. Never throws itself: whatever the data
 * holds, the answer is an EvaluationError or a SandboxLimit.
 */
export function mapVmError(data: ErrorData, m: MappingContext): TelosError {
  try {
    return mapChecked(data, m);
  } catch (e) {
    return new EvaluationError('Error', `an error that could not be read (${e instanceof Error ? e.message : String(e)})`);
  }
}

function mapChecked(data: ErrorData, m: MappingContext): TelosError {
  const message = cut(typeof data.message === 'string' ? data.message : '', TEXT_MAX);
  const sends = parseStack(typeof data.stack === 'string' ? data.stack : '', m);
  const limit: LimitName | null =
    m.limitHit ?? (/out of memory/i.test(message) ? 'memory' : /stack overflow|maximum call stack/i.test(message) ? 'stack' : /interrupted/i.test(message) ? 'deadline' : null);
  if (limit) {
    const detail =
      limit === 'deadline'
        ? `ran longer than ${m.deadlineMs} ms`
        : limit === 'memory'
          ? `allocated more than ${Math.round(m.memoryBytes / 1048576)} MiB`
          : `recursed deeper than the ${Math.round(m.stackBytes / 1024)} KiB stack allows`;
    const e = new SandboxLimit(limit, detail + (sends[0] ? ` (in ${frameText(sends[0])})` : ''));
    (e as unknown as { sends: SendFrame[] }).sends = sends.slice(0, 20);
    return e;
  }
  const name = typeof data.name === 'string' && data.name !== '' ? cut(data.name, NAME_MAX) : 'Error';
  const e = new EvaluationError(name, message);
  for (const [k, check] of Object.entries(KNOWN_DETAILS)) {
    const v = Object.hasOwn(data, k) ? check(data[k]) : undefined;
    if (v !== undefined) (e as unknown as Record<string, unknown>)[k] = v;
  }
  e.sends = sends;
  const top = sends[0];
  if (top) Object.assign(e, { owner: top.owner, ownerName: top.ownerName, method: top.selector, line: top.line, column: top.column });
  return e;
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/**
 * QuickJS stack lines → frames of World code (method files and the workspace), innermost
 * first. The text is cut first and each line read by position, not by a backtracking pattern,
 * so the cost is linear in a bounded length; only the first and last FRAMES_KEPT are kept.
 */
export function parseStack(stack: string, m: MappingContext): SendFrame[] {
  const text = stack.length <= STACK_MAX ? stack : `${stack.slice(0, STACK_MAX / 2)}\n${stack.slice(-STACK_MAX / 2)}`;
  const first: SendFrame[] = [];
  const last: SendFrame[] = [];
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const frame = frameOf(text.slice(start, end), m);
    start = end + 1;
    if (!frame) continue;
    if (first.length < FRAMES_KEPT) first.push(frame);
    else {
      last.push(frame);
      if (last.length > FRAMES_KEPT) last.shift();
    }
  }
  return [...first, ...last];
}

/** One stack line ("    at name (file:line:col)" or "    at file:line:col") → a frame of World code, or null. */
function frameOf(line: string, m: MappingContext): SendFrame | null {
  const loc = locationOf(line);
  if (!loc) return null;
  const { file, l, c } = loc;
  const lineNo = Math.max(1, l - 1);
  if (file === WORKSPACE_FILE && l === 1) return null; // the wrapper around workspace code
  if (file === WORKSPACE_FILE || file === EVAL_FILE) {
    const exact = file === EVAL_FILE ? l : lineNo;
    return { owner: m.workspaceSelf, ownerName: 'workspace', selector: '(workspace)', line: exact, column: originalColumn(m.workspaceInsertions, exact, c) };
  }
  const method = methodOfFile(file);
  if (!method) return null;
  const { owner, selector } = method;
  return { owner, ownerName: m.nameOf(owner), selector, line: lineNo, column: originalColumn(m.methodInsertions(owner, selector), lineNo, c) };
}

/** "file:line:col" at the end of a stack line (inside the last parentheses, if any). */
function locationOf(line: string): { file: string; l: number; c: number } | null {
  const at = line.indexOf('at ');
  if (at < 0) return null;
  let loc = line.slice(at + 3).trimEnd();
  if (loc.endsWith(')')) {
    const open = loc.lastIndexOf('(');
    if (open < 0) return null;
    loc = loc.slice(open + 1, -1);
  }
  const colAt = loc.lastIndexOf(':');
  const lineAt = colAt > 0 ? loc.lastIndexOf(':', colAt - 1) : -1;
  if (lineAt <= 0) return null;
  const file = loc.slice(0, lineAt);
  const l = loc.slice(lineAt + 1, colAt);
  const c = loc.slice(colAt + 1);
  if (!/^\d{1,9}$/.test(l) || !/^\d{1,9}$/.test(c) || /[\s()]/.test(file)) return null;
  return { file, l: Number(l), c: Number(c) };
}

/** "m12.area" → holder 12, selector "area"; null for any other file (or a malformed escape). */
function methodOfFile(file: string): { owner: OID; selector: string } | null {
  const dot = file.indexOf('.');
  if (file[0] !== 'm' || dot < 2 || !/^\d+$/.test(file.slice(1, dot))) return null;
  const owner = Number(file.slice(1, dot));
  if (!isOid(owner)) return null;
  try {
    return { owner, selector: decodeURIComponent(file.slice(dot + 1)) };
  } catch {
    return null;
  }
}
