// The host side of the VM: the functions the prelude calls (as `__host`) on a cache miss, a
// write, a method compile, a primitive, a Transcript line or a mirror operation. Each answers
// JSON text; World errors go back as data (faults are noted for the evaluation to report).

import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';
import {
  ObjectFault,
  SandboxLimit,
  TelosError,
  workCheckpoint,
  instrumentMethod,
  usesResend,
  type ErrorData,
  type Insertion,
  type LookupResult,
  type OID,
  type World,
} from '../world';
import { methodFileName } from './errors';
import { mirrorOperation } from './mirror';

interface MethodEntry {
  id: number;
  holder: OID;
  selector: string;
  source: string;
  /** Text the compiled form adds (async bodies reporting throws), for mapping columns back. */
  insertions: Insertion[];
}

/** Methods handed to the VM, by id (the VM asks to compile an id) and by holder/selector. */
export class MethodTable {
  private readonly byKey = new Map<string, MethodEntry>();
  private readonly byId = new Map<number, MethodEntry>();
  private nextId = 1;

  /** The entry for a method's current source (a changed source gets a new id). */
  entry(holder: OID, selector: string, source: string): MethodEntry {
    const key = `${holder}/${selector}`;
    let m = this.byKey.get(key);
    if (!m || m.source !== source) {
      if (m) this.byId.delete(m.id);
      m = { id: this.nextId++, holder, selector, source, insertions: [] };
      this.byKey.set(key, m);
      this.byId.set(m.id, m);
    }
    return m;
  }

  byIdOf(id: number): MethodEntry | undefined {
    return this.byId.get(id);
  }

  insertionsOf(holder: OID, selector: string): Insertion[] {
    return this.byKey.get(`${holder}/${selector}`)?.insertions ?? [];
  }
}

/** What one evaluation collects from host calls, for the sandbox to report when it ends. */
export interface HostCallLog {
  transcript: string[];
  /** Objects a host call found not loaded (the evaluation faults them in and runs again). */
  faults: OID[];
  /** A fault asked for more OIDs (the World's reserved block ran out). */
  needsOids: boolean;
  /** Characters printed so far (each line counts its length and one for its end). */
  printed: number;
  /** Lines not printed because the evaluation's Transcript allowance was spent. */
  dropped: number;
}

export function newHostCallLog(): HostCallLog {
  return { transcript: [], faults: [], needsOids: false, printed: 0, dropped: 0 };
}

/**
 * What one evaluation may print, in characters (a line counts its length and one for its end)
 * and in lines: the lines after it are dropped and counted, and one note says how many. (The VM
 * cuts each line to 64 Ki characters before it reaches the host, see vm/prelude.js.)
 */
export const TRANSCRIPT_EVALUATION_CHARS = 1 << 20;
export const TRANSCRIPT_EVALUATION_LINES = 10_000;

export interface HostEnvironment {
  world: World;
  methods: MethodTable;
  /** The running evaluation's log. */
  log(): HostCallLog;
  /** Compiles method text under a file name in the VM; throws an Error saying why it does not compile. */
  compileInVm(text: string, file: string): QuickJSHandle;
  /** True when the running evaluation is past its deadline (the VM is told to stop then). */
  overran(): boolean;
  /** The longest answer (JSON text, in characters) a host call may hand to the VM. */
  answerChars: number;
  onPrint?: (line: string) => void;
}

/**
 * JSON text of a host answer (plain data: null, booleans, numbers, strings, lists, records).
 * Its length is estimated first by a walk that counts as work against the evaluation's
 * deadline (see workCheckpoint), and an answer longer than `maxChars` is refused before any
 * text is made: a read of many big slots at once took seconds in one JSON.stringify, and its
 * text, larger than the VM's memory, broke the QuickJS instance as it was copied in.
 */
export function answerJson(value: unknown, maxChars: number): string {
  const refuse = () => new SandboxLimit('memory', `a host answer of more than ${maxChars.toLocaleString('en-US')} characters does not fit in the sandbox's memory`);
  let size = 0;
  let nodes = 0;
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') {
      size += primitiveChars(v);
      return;
    }
    if (++nodes >= 1024) {
      workCheckpoint(nodes);
      nodes = 0;
    }
    if (size > maxChars) throw refuse();
    if (Array.isArray(v)) {
      size += 1 + v.length;
      nodes += v.length;
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x === null || typeof x !== 'object') size += primitiveChars(x);
        else walk(x);
      }
    } else {
      size += 1;
      for (const k in v) {
        const x: unknown = (v as Record<string, unknown>)[k];
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue; // JSON leaves them out
        size += k.length + 4;
        walk(x);
      }
    }
  };
  walk(value);
  if (size > maxChars) throw refuse();
  const text = JSON.stringify(value);
  if (text.length > maxChars) throw refuse();
  return text;
}

/** At most the characters a primitive writes as JSON, so an answer that fits is never refused
 * by the estimate (the exact length is checked once the text is made). */
function primitiveChars(v: unknown): number {
  if (typeof v === 'string') return v.length + 2;
  if (typeof v === 'boolean') return v ? 4 : 5;
  if (typeof v !== 'number') return 4; // null, and undefined in a list
  if (!Number.isFinite(v)) return 4;
  if (Math.abs(v) >= 1e21) return 5; // "1e+21"
  if (!Number.isInteger(v)) return 3; // "0.5", "-0.5", "1e-7": three characters at least
  let digits = v < 0 ? 2 : 1;
  for (let a = Math.abs(v); a >= 10 && digits < 22; a /= 10) digits++;
  return digits;
}

/** The wrapper a method's text is compiled in: `self` and `resend` are its parameters. */
export const METHOD_PREFIX = "(function (self, resend) { 'use strict'; return (\n";
export const METHOD_SUFFIX = '\n); })';

export class HostFunctions {
  /** Set while the VM writes a slot, so its own change does not reset its caches. */
  ownWrite = false;

  constructor(private readonly env: HostEnvironment) {}

  /**
   * Defines `__host` in a fresh context, for the prelude to capture. Host work counts against
   * the evaluation's deadline: a host call made past it does nothing, and one that ends past it
   * answers; either way the VM stops there (see `overran` in vm/prelude.js).
   */
  install(ctx: QuickJSContext): void {
    const host = ctx.newObject();
    const def = (name: string, fn: (...args: QuickJSHandle[]) => QuickJSHandle | undefined) => {
      const h = ctx.newFunction(name, (...args) => {
        if (this.env.overran()) return undefined;
        try {
          return fn(...args);
        } finally {
          this.env.overran();
        }
      });
      ctx.setProp(host, name, h);
      h.dispose();
    };
    def('lookup', (self, at, mode, sel) => ctx.newString(this.lookup(ctx.getNumber(self), ctx.getNumber(at), ctx.getNumber(mode), ctx.getString(sel))));
    def('write', (holder, name, json) => ctx.newString(this.write(ctx.getNumber(holder), ctx.getString(name), ctx.getString(json))));
    def('compile', (id) => this.compile(ctx.getNumber(id)));
    def('prim', (op, oid) => ctx.newString(this.prim(ctx.getString(op), ctx.getNumber(oid))));
    def('print', (line) => {
      // Once the allowance is spent a line is only counted, never copied out of the VM.
      const log = this.env.log();
      if (log.dropped > 0) log.dropped++;
      else this.print(ctx.getString(line));
      return undefined;
    });
    def('mirror', (op, oid, args) => ctx.newString(this.mirror(ctx.getString(op), ctx.getNumber(oid), ctx.getString(args))));
    ctx.setProp(ctx.global, '__host', host);
    host.dispose();
  }

  /** A World error as data for the VM; faults are noted for the evaluation. */
  errorAnswer(e: unknown): ErrorData {
    if (e instanceof ObjectFault) {
      const log = this.env.log();
      log.faults.push(...e.oids);
      if (e.needsOids) log.needsOids = true;
    }
    if (e instanceof TelosError) return e.toJSON();
    return { name: 'Error', message: e instanceof Error ? e.message : String(e) };
  }

  lookup(self: OID, at: OID, mode: number, selector: string): string {
    try {
      const w = this.env.world;
      const r = mode === 1 ? w.lookupResend(self, at, selector) : w.lookup(self, selector);
      return answerJson(this.lookupAnswer(r), this.env.answerChars);
    } catch (e) {
      return JSON.stringify({ k: 'e', error: this.errorAnswer(e) });
    }
  }

  private lookupAnswer(r: LookupResult): object {
    if (r.kind === 'method') {
      const m = this.env.methods.entry(r.holder, r.slot.name, r.slot.source);
      return { k: 'm', id: m.id, h: r.holder, at: r.at, r: usesResend(r.slot.source) };
    }
    return { k: r.kind === 'data' ? 'd' : 'p', h: r.holder, v: r.slot.value, c: !!r.slot.constant };
  }

  write(holder: OID, name: string, json: string): string {
    this.ownWrite = true;
    try {
      this.env.world.setSlotValue(holder, name, JSON.parse(json));
      return '';
    } catch (e) {
      return JSON.stringify(this.errorAnswer(e));
    } finally {
      this.ownWrite = false;
    }
  }

  compile(id: number): QuickJSHandle {
    const m = this.env.methods.byIdOf(id);
    if (!m) throw new Error(`internal: unknown method id ${id}`);
    // Checked again here: a method may come from an image file or a store, never saved through
    // setMethod. Only the function's own text is placed in the wrapper (see methodCompileText).
    let text: string;
    try {
      const compiled = instrumentMethod(m.source);
      text = compiled.text;
      m.insertions = compiled.insertions;
    } catch (e) {
      throw new Error(`method ${m.selector} of ${this.env.world.nameOf(m.holder)} (#${m.holder}) is refused: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      return this.env.compileInVm(METHOD_PREFIX + text + METHOD_SUFFIX, methodFileName(m.holder, m.selector));
    } catch (e) {
      throw new Error(`method ${m.selector} of #${m.holder} does not compile: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  prim(op: string, oid: OID): string {
    switch (op) {
      case 'clone':
        try {
          return JSON.stringify(this.env.world.clone(oid));
        } catch (e) {
          throw this.hostThrow(e);
        }
      case 'describe': {
        const name = this.env.world.nameOf(oid);
        return name.startsWith('#') ? `an object (#${oid})` : `${name} (#${oid})`;
      }
      default:
        throw new Error(`unknown primitive ${op}`);
    }
  }

  /** An Error for QuickJS to raise inside the VM (quickjs-emscripten converts host throws). */
  private hostThrow(e: unknown): Error {
    const data = this.errorAnswer(e);
    const err = new Error(data.message);
    err.name = data.name;
    return err;
  }

  /** One Transcript line of the running evaluation, within its allowance. */
  print(line: string): void {
    const log = this.env.log();
    if (log.dropped > 0 || log.printed + line.length + 1 > TRANSCRIPT_EVALUATION_CHARS || log.transcript.length >= TRANSCRIPT_EVALUATION_LINES) {
      log.dropped++;
      return;
    }
    log.printed += line.length + 1;
    log.transcript.push(line);
    this.env.onPrint?.(line);
  }

  /** Ends the running evaluation's Transcript: a note of the lines dropped, if any. */
  endTranscript(): void {
    const log = this.env.log();
    if (log.dropped === 0) return;
    const n = (x: number) => x.toLocaleString('en-US');
    const note = `… ${n(log.dropped)} further line${log.dropped === 1 ? '' : 's'} dropped: one evaluation prints at most ${n(TRANSCRIPT_EVALUATION_CHARS)} characters and ${n(TRANSCRIPT_EVALUATION_LINES)} lines`;
    log.dropped = 0;
    log.printed = TRANSCRIPT_EVALUATION_CHARS;
    log.transcript.push(note);
    this.env.onPrint?.(note);
  }

  mirror(op: string, oid: OID, json: string): string {
    try {
      const args = JSON.parse(json) as unknown[];
      return answerJson({ result: mirrorOperation(this.env.world, op, oid, args) ?? null }, this.env.answerChars);
    } catch (e) {
      return JSON.stringify({ error: this.errorAnswer(e) });
    }
  }
}
