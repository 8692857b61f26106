// Method execution: one QuickJS runtime (its own heap, no host globals) attached to a World.
// Lookup and dispatch run inside the VM (see prelude.ts); this host side answers misses,
// validates writes, compiles methods with a file name that records owner and selector, and
// turns VM errors into TelosErrors with owner, selector, line, column and the chain of sends.
// Limits per top-level evaluation: a deadline (interrupt), a memory limit, a stack limit.
// A promise rejection nobody handled by the time the evaluation's jobs have run is the
// evaluation's error ("unhandled promise rejection: ...", located where it was thrown) and
// aborts its transaction, as any other failure does: the code failed, and committing the
// half of its work done before the rejection would leave the image in a state nobody asked
// for. (A Transcript line alone would be easy to miss and would still commit that half.)
// Not seen: a promise made by `new Promise` whose executor rejects and that nobody touches.

import { RELEASE_SYNC, newQuickJSWASMModuleFromVariant, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSWASMModule } from 'quickjs-emscripten';
import {
  InvalidInput,
  ObjectFault,
  SandboxLimit,
  TelosError,
  checkSlotName,
  checkValue,
  instrumentMethod,
  instrumentWorkspace,
  isOid,
  methodCompileText,
  originalColumn,
  parseMethodSource,
  usesResend,
  type ErrorData,
  type Insertion,
  type LimitName,
  type LookupResult,
  type OID,
  type SlotState,
  type SyntaxProblem,
  type Value,
  type World,
  type WorldChange,
} from '../world';
import { PRELUDE } from './prelude';

export interface SandboxOptions {
  /** Wall-clock limit of one top-level evaluation or send, in ms (default 1000). */
  deadlineMs?: number;
  /** Heap limit of the QuickJS runtime, in bytes (default 64 MiB). */
  memoryBytes?: number;
  /** Native stack limit of the QuickJS runtime, in bytes (default 128 KiB, at most 4 MiB): bounds recursion depth. */
  stackBytes?: number;
  /** Called for every line `print` writes (the Transcript). */
  onPrint?: (line: string) => void;
  /** The object workspace code runs as (default the lobby, OID 0). */
  workspaceSelf?: OID;
}

/** Per-evaluation overrides of the sandbox's limits. */
export interface RunLimits {
  /** Wall-clock limit of this evaluation, in ms (default: the sandbox's deadlineMs). */
  deadlineMs?: number;
}

/** The outcome of an evaluation or a send: the value if it is storable, and how it prints. */
export interface EvalResult {
  /** The result as a World value (null if it is not storable, e.g. undefined or a function). */
  value: Value;
  /** How the result prints (printString for objects). */
  display: string;
  /** JS type of the result: 'object' (a World object), 'list', 'number', 'string', 'undefined'... */
  type: string;
  /** Lines printed during the evaluation. */
  transcript: string[];
}

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

const WORKSPACE_FILE = 'workspace';
/** Time and extra memory allowed for reading a thrown value into an error report. */
const DESCRIBE_MS = 100;
const DESCRIBE_HEADROOM_BYTES = 8 * 1024 * 1024;
/** QuickJS's file name for code run by direct eval (the workspace's usual form). */
const EVAL_FILE = '<input>';
const RUNTIME_FILE = 'telos-runtime';
const METHOD_PREFIX = '(function (self, resend) { \'use strict\'; return (\n';
const METHOD_SUFFIX = '\n); })';
let quickjs: Promise<QuickJSWASMModule> | null = null;
let quickjsLoader: () => Promise<QuickJSWASMModule> = () => newQuickJSWASMModuleFromVariant(RELEASE_SYNC);

/**
 * Replaces how a QuickJS module instance is made (a browser worker passes the wasm file's
 * bundled URL); call before the first Sandbox.create. Each call must give a new instance.
 */
export function setQuickJSLoader(load: () => Promise<QuickJSWASMModule>): void {
  quickjsLoader = load;
  quickjs = null;
}

/** Loads the QuickJS WebAssembly module once per process or worker. */
export function loadQuickJS(): Promise<QuickJSWASMModule> {
  return (quickjs ??= quickjsLoader());
}

interface MethodEntry {
  id: number;
  holder: OID;
  selector: string;
  source: string;
  /** Text the compiled form adds (async bodies reporting throws), for mapping columns back. */
  insertions: Insertion[];
}

interface VmEntryPoints {
  reset: QuickJSHandle;
  drop: QuickJSHandle;
  setSelf: QuickJSHandle;
  runFactory: QuickJSHandle;
  send: QuickJSHandle;
  resultOf: QuickJSHandle;
  errorOf: QuickJSHandle;
  rejections: QuickJSHandle;
}

export class Sandbox {
  readonly deadlineMs: number;
  readonly memoryBytes: number;
  readonly stackBytes: number;
  private runtime!: QuickJSRuntime;
  private ctx!: QuickJSContext;
  private vm!: VmEntryPoints;
  private readonly methodsByKey = new Map<string, MethodEntry>();
  private readonly methodsById = new Map<number, MethodEntry>();
  private nextMethodId = 1;
  private deadline = Infinity;
  /** The deadline of the evaluation running now, for its error message. */
  private runDeadlineMs = 0;
  private limitHit: LimitName | null = null;
  /** > 0 while VM code runs (host callbacks may re-enter). */
  private depth = 0;
  /** The VM's caches no longer match the World. */
  private stale = false;
  /** Set while the VM writes a slot, so its own change does not reset its caches. */
  private ownWrite = false;
  private faults: OID[] = [];
  /** A fault during this run asked for more OIDs (the World's reserved block ran out). */
  private needsOids = false;
  /** Insertions in the workspace code being run (see instrumentWorkspace). */
  private workspaceInsertions: Insertion[] = [];
  private transcript: string[] = [];
  private readonly unsubscribe: () => void;
  private disposed = false;

  /** Set while a fresh QuickJS module replaces one the host's own stack overflow broke. */
  private replacing: Promise<void> | null = null;

  private constructor(
    readonly world: World,
    private module: QuickJSWASMModule,
    private readonly options: SandboxOptions,
  ) {
    this.deadlineMs = options.deadlineMs ?? 1000;
    this.memoryBytes = options.memoryBytes ?? 64 * 1024 * 1024;
    // QuickJS's own limit must trip before the host's stack (which runs the WebAssembly
    // interpreter; in a Chromium worker it gives out near a thousand frames) and below the WebAssembly
    // instance's stack (5 MiB): 128 KiB allows about 680 nested calls, and
    // the host survives a limit hit.
    this.stackBytes = Math.min(4 * 1024 * 1024, Math.max(16 * 1024, options.stackBytes ?? 128 * 1024));
    this.boot();
    this.unsubscribe = world.onChange((c) => this.worldChanged(c));
    world.setSyntaxChecker((source) => this.checkSyntax(source));
  }

  /**
   * Resolves when the sandbox can run code. It cannot for a moment after the host's own stack
   * overflowed inside QuickJS (which leaves that WebAssembly instance unusable): a fresh
   * instance is being loaded. Callers that can wait (the worker) await this before each request.
   */
  ready(): Promise<void> {
    return this.replacing ?? Promise.resolve();
  }

  /** Drops a broken QuickJS instance and loads a fresh one in the background. */
  private replaceModule(): void {
    if (this.replacing) return;
    for (const h of Object.values(this.vm)) {
      try {
        h.dispose();
      } catch {
        // the instance is broken; its handles go with it
      }
    }
    this.replacing = quickjsLoader().then(
      (m) => {
        this.module = m;
        this.replacing = null;
        if (!this.disposed) this.boot();
      },
      (e: unknown) => {
        this.replacing = null;
        throw e;
      },
    );
    this.replacing.catch(() => {});
  }

  private assertRunnable(): void {
    if (this.disposed) throw new InvalidInput('this sandbox was disposed');
    if (this.replacing) throw new SandboxLimit('stack', 'the sandbox is restarting after a stack overflow; try again in a moment');
  }

  /** Creates a sandbox for a World and installs QuickJS's parser as the World's syntax check. */
  static async create(world: World, options: SandboxOptions = {}): Promise<Sandbox> {
    return new Sandbox(world, await loadQuickJS(), options);
  }

  // ---------------------------------------------------------------- VM lifecycle

  private boot(): void {
    const rt = this.module.newRuntime();
    rt.setMemoryLimit(this.memoryBytes);
    rt.setMaxStackSize(this.stackBytes);
    rt.setInterruptHandler(() => {
      if (Date.now() <= this.deadline) return false;
      this.limitHit = 'deadline';
      return true;
    });
    const ctx = rt.newContext();
    this.runtime = rt;
    this.ctx = ctx;
    const host = ctx.newObject();
    const def = (name: string, fn: (...args: QuickJSHandle[]) => QuickJSHandle | undefined) => {
      const h = ctx.newFunction(name, fn);
      ctx.setProp(host, name, h);
      h.dispose();
    };
    def('lookup', (self, at, mode, sel) => ctx.newString(this.hostLookup(ctx.getNumber(self), ctx.getNumber(at), ctx.getNumber(mode), ctx.getString(sel))));
    def('write', (holder, name, json) => ctx.newString(this.hostWrite(ctx.getNumber(holder), ctx.getString(name), ctx.getString(json))));
    def('compile', (id) => this.hostCompile(ctx.getNumber(id)));
    def('prim', (op, oid) => ctx.newString(this.hostPrim(ctx.getString(op), ctx.getNumber(oid))));
    def('print', (line) => {
      this.hostPrint(ctx.getString(line));
      return undefined;
    });
    def('mirror', (op, oid, args) => ctx.newString(this.hostMirror(ctx.getString(op), ctx.getNumber(oid), ctx.getString(args))));
    ctx.setProp(ctx.global, '__host', host);
    host.dispose();
    const booted = ctx.evalCode(PRELUDE, RUNTIME_FILE);
    if (booted.error) {
      const detail = ctx.dump(booted.error);
      booted.error.dispose();
      throw new Error(`the sandbox runtime failed to start: ${JSON.stringify(detail)}`);
    }
    const api = booted.value;
    const get = (k: string) => ctx.getProp(api, k);
    this.vm = {
      reset: get('reset'),
      drop: get('drop'),
      setSelf: get('setSelf'),
      runFactory: get('runFactory'),
      send: get('send'),
      resultOf: get('resultOf'),
      errorOf: get('errorOf'),
      rejections: get('rejections'),
    };
    api.dispose();
    this.stale = false;
  }

  /** Frees the VM; false when the QuickJS instance refused (it is unusable then). */
  private shutdown(): boolean {
    try {
      for (const h of Object.values(this.vm)) h.dispose();
      this.ctx.dispose();
      this.runtime.dispose();
      return true;
    } catch {
      return false;
    }
  }

  /** Throws the whole VM away and starts a fresh one (after a limit, or on request). */
  restart(): void {
    if (this.replacing) return;
    if (this.shutdown()) this.boot();
    else this.replaceModule();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unsubscribe();
    this.world.setSyntaxChecker(null);
    if (!this.replacing) this.shutdown();
  }

  private worldChanged(c: WorldChange): void {
    if (c.type === 'created' || c.type === 'committed' || c.type === 'loaded') return;
    if (c.type === 'value' && this.ownWrite) return;
    this.stale = true;
    if (this.depth > 0) this.resetVm();
  }

  /**
   * Empties the VM's tables and value caches. Between evaluations (`full`) it also forgets
   * receivers and compiled methods, so a long session does not keep every object it touched.
   */
  private resetVm(full = false): void {
    this.stale = false;
    const r = this.ctx.callFunction(full ? this.vm.drop : this.vm.reset, this.ctx.undefined);
    if (r.error) r.error.dispose();
    else r.value.dispose();
  }

  // ---------------------------------------------------------------- syntax

  /**
   * Method source through the World's parser (exactly one function expression), then QuickJS's
   * (strict mode, the grammar the method will run under); null when both accept it.
   */
  checkSyntax(source: string): SyntaxProblem | null {
    if (this.replacing || this.disposed) return { line: 1, column: 1, reason: 'the method parser is restarting; save again in a moment' };
    const parsed = parseMethodSource(source);
    if ('reason' in parsed) return parsed;
    const r = this.ctx.evalCode(METHOD_PREFIX + methodCompileText(source) + METHOD_SUFFIX, 'syntax-check', { compileOnly: true });
    if (!r.error) {
      r.value.dispose();
      return null;
    }
    const e = this.describeError(r.error);
    const at = /syntax-check:(\d+):(\d+)/.exec(String(e.stack ?? ''));
    const line = at ? Math.max(1, Number(at[1]) - 1) : 1;
    return { line, column: at ? Number(at[2]) : 1, reason: String(e.message) };
  }

  // ---------------------------------------------------------------- host side of the VM

  private lookupAnswer(r: LookupResult): object {
    if (r.kind === 'method') {
      const m = this.methodEntry(r.holder, r.slot.name, r.slot.source);
      return { k: 'm', id: m.id, h: r.holder, at: r.at, r: usesResend(r.slot.source) };
    }
    return { k: r.kind === 'data' ? 'd' : 'p', h: r.holder, v: r.slot.value, c: !!r.slot.constant };
  }

  private methodEntry(holder: OID, selector: string, source: string): MethodEntry {
    const key = `${holder}/${selector}`;
    let m = this.methodsByKey.get(key);
    if (!m || m.source !== source) {
      if (m) this.methodsById.delete(m.id);
      m = { id: this.nextMethodId++, holder, selector, source, insertions: [] };
      this.methodsByKey.set(key, m);
      this.methodsById.set(m.id, m);
    }
    return m;
  }

  private errorAnswer(e: unknown): ErrorData {
    if (e instanceof ObjectFault) {
      this.faults.push(...e.oids);
      if (e.needsOids) this.needsOids = true;
    }
    if (e instanceof TelosError) return e.toJSON();
    return { name: 'Error', message: e instanceof Error ? e.message : String(e) };
  }

  private hostLookup(self: OID, at: OID, mode: number, selector: string): string {
    try {
      const r = mode === 1 ? this.world.lookupResend(self, at, selector) : this.world.lookup(self, selector);
      return JSON.stringify(this.lookupAnswer(r));
    } catch (e) {
      return JSON.stringify({ k: 'e', error: this.errorAnswer(e) });
    }
  }

  private hostWrite(holder: OID, name: string, json: string): string {
    this.ownWrite = true;
    try {
      this.world.setSlotValue(holder, name, JSON.parse(json));
      return '';
    } catch (e) {
      return JSON.stringify(this.errorAnswer(e));
    } finally {
      this.ownWrite = false;
    }
  }

  private hostCompile(id: number): QuickJSHandle {
    const m = this.methodsById.get(id);
    if (!m) throw new Error(`internal: unknown method id ${id}`);
    const file = `m${m.holder}.${encodeURIComponent(m.selector)}`;
    // Checked again here: a method may come from an image file or a store, never saved through
    // setMethod. Only the function's own text is placed in the wrapper (see methodCompileText).
    let text: string;
    try {
      const compiled = instrumentMethod(m.source);
      text = compiled.text;
      m.insertions = compiled.insertions;
    } catch (e) {
      throw new Error(`method ${m.selector} of ${this.world.nameOf(m.holder)} (#${m.holder}) is refused: ${e instanceof Error ? e.message : String(e)}`);
    }
    const r = this.ctx.evalCode(METHOD_PREFIX + text + METHOD_SUFFIX, file);
    if (r.error) {
      const e = this.describeError(r.error);
      throw new Error(`method ${m.selector} of #${m.holder} does not compile: ${e.message}`);
    }
    return r.value;
  }

  private hostPrim(op: string, oid: OID): string {
    switch (op) {
      case 'clone':
        try {
          return JSON.stringify(this.world.clone(oid));
        } catch (e) {
          throw this.hostThrow(e);
        }
      case 'describe': {
        const name = this.world.nameOf(oid);
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

  private hostPrint(line: string): void {
    this.transcript.push(line);
    this.options.onPrint?.(line);
  }

  private hostMirror(op: string, oid: OID, json: string): string {
    try {
      const args = JSON.parse(json) as unknown[];
      return JSON.stringify({ result: this.mirrorOp(op, oid, args) ?? null });
    } catch (e) {
      return JSON.stringify({ error: this.errorAnswer(e) });
    }
  }

  private mirrorOp(op: string, oid: OID, a: unknown[]): unknown {
    const w = this.world;
    const str = (v: unknown, what: string): string => {
      if (typeof v !== 'string') throw new InvalidInput(`${what} must be a string`);
      return v;
    };
    const oidArg = (v: unknown): OID => {
      if (!isOid(v)) throw new InvalidInput('expected an object of the World');
      return v;
    };
    const describeSlot = (s: SlotState) => ({
      name: s.name,
      kind: s.kind,
      ...(s.kind === 'method' ? { source: s.source } : { value: s.value }),
      constant: s.kind !== 'method' && !!s.constant,
      category: s.category ?? null,
      comment: s.comment ?? null,
    });
    const opts = (a[2] ?? a[1] ?? {}) as Record<string, unknown>;
    switch (op) {
      case 'name':
        return w.get(oid).name;
      case 'setName':
        return w.setName(oid, str(a[0], 'the name'));
      case 'slots':
        return w.get(oid).slots.map(describeSlot);
      case 'slot': {
        const s = w.slot(oid, str(a[0], 'the slot name'));
        return s ? describeSlot(s) : null;
      }
      case 'addSlot': {
        const name = checkSlotName(a[0]);
        const kind = (opts.kind ?? 'data') as string;
        const slot: Record<string, unknown> = { name, kind, category: opts.category, comment: opts.comment, constant: opts.constant };
        if (kind === 'method') slot.source = a[1];
        else slot.value = a[1];
        return w.addSlot(oid, slot);
      }
      case 'removeSlot':
        return w.removeSlot(oid, str(a[0], 'the slot name'));
      case 'renameSlot':
        return w.renameSlot(oid, str(a[0], 'the old name'), str(a[1], 'the new name'));
      case 'moveSlot':
        return w.moveSlot(oid, str(a[0], 'the slot name'), a[1] as number);
      case 'setCategory':
        return w.setSlotInfo(oid, str(a[0], 'the slot name'), { category: (a[1] ?? '') as string });
      case 'setComment':
        return w.setSlotInfo(oid, str(a[0], 'the slot name'), { comment: (a[1] ?? '') as string });
      case 'setMethod':
        return w.setMethod(oid, checkSlotName(a[0]), str(a[1], 'the method source'));
      case 'addParent':
        return w.addSlot(oid, { name: a[0], kind: 'parent', value: { ref: oidArg(a[1]) }, category: 'parents' });
      case 'useTrait':
        return w.useTrait(oid, { trait: oidArg(a[0]), exclude: opts.exclude ?? [], alias: opts.alias ?? {} });
      case 'removeTrait':
        return w.removeTrait(oid, oidArg(a[0]));
      case 'traits':
        return w.traitUses(oid).map((u) => ({ trait: { ref: u.trait }, exclude: u.exclude, alias: u.alias }));
      case 'conflicts':
        return w.conflicts(oid).map((c) => ({ selector: c.selector, traits: c.traits.map((t) => ({ ref: t })) }));
      case 'requires':
        return w.requires(oid).map((r) => ({ trait: { ref: r.trait }, selectors: r.selectors }));
      case 'references':
        return w.references(oid).map((r) => ({ object: { ref: r.oid }, slot: r.slot }));
      case 'methods':
        return w.effectiveMethods(oid).map((m) => ({ selector: m.selector, holder: { ref: m.holder }, slot: m.slot, trait: m.trait === undefined ? null : { ref: m.trait } }));
      case 'lookup': {
        const r = w.lookup(oid, str(a[0], 'the selector'));
        return { kind: r.kind, holder: { ref: r.holder }, slot: r.slot.name };
      }
      default:
        throw new InvalidInput(`mirrors do not understand '${op}'`);
    }
  }

  // ---------------------------------------------------------------- running code

  /**
   * Evaluates workspace code with `self` the lobby: the value of a top-level `return`, or else
   * of the last expression. Changes go into the World's open transaction (one is begun if
   * none is open); on error the transaction is aborted and the error thrown. The caller commits.
   */
  evaluate(code: string, limits: RunLimits = {}): EvalResult {
    if (typeof code !== 'string') throw new InvalidInput('code must be a string');
    const instrumented = instrumentWorkspace(code);
    return this.topLevel(limits, () => {
      this.workspaceInsertions = instrumented.insertions;
      code = instrumented.text;
      this.call(this.vm.setSelf, this.ctx.newNumber(this.options.workspaceSelf ?? 0));
      // Direct eval in a strict function: declarations stay local and the value is the last
      // expression's. A top-level `return` needs a function body instead.
      const viaEval = `(function (self, resend) { "use strict"; return eval(${JSON.stringify(code)}); })`;
      let outcome = this.runWorkspaceFactory(viaEval);
      if ('error' in outcome) {
        const e = this.describeError(outcome.error, false);
        if (e.name !== 'SyntaxError' || !/return not in a function/.test(String(e.message))) return outcome;
        // Only code the parser accepts as a function body goes inside the function wrapper.
        if (instrumented.problem) return outcome;
        outcome.error.dispose();
        outcome = this.runWorkspaceFactory(`(function (self, resend) { "use strict";\n${code}\n})`);
      }
      return outcome;
    });
  }

  private runWorkspaceFactory(source: string): { json: string } | { error: QuickJSHandle } {
    const f = this.ctx.evalCode(source, WORKSPACE_FILE);
    if (f.error) return { error: f.error };
    const out = this.ctx.callFunction(this.vm.runFactory, this.ctx.undefined, f.value);
    f.value.dispose();
    return out.error ? { error: out.error } : { json: this.takeString(out.value) };
  }

  /** Sends `selector` with `args` to an object, as a method would; same transaction rules as evaluate. */
  send(receiver: OID, selector: string, args: unknown[] = [], limits: RunLimits = {}): EvalResult {
    checkSlotName(selector);
    this.world.get(receiver);
    if (!Array.isArray(args)) throw new InvalidInput('arguments must be a list');
    const wire = checkValue(args, this.world.exists);
    return this.topLevel(limits, () => {
      const h = [this.ctx.newNumber(receiver), this.ctx.newString(selector), this.ctx.newString(JSON.stringify(wire))];
      const out = this.ctx.callFunction(this.vm.send, this.ctx.undefined, ...h);
      for (const x of h) x.dispose();
      return out.error ? { error: out.error } : { json: this.takeString(out.value) };
    });
  }

  private call(fn: QuickJSHandle, ...args: QuickJSHandle[]): void {
    const r = this.ctx.callFunction(fn, this.ctx.undefined, ...args);
    for (const a of args) a.dispose();
    if (r.error) {
      const e = this.describeError(r.error);
      throw new Error(`internal sandbox error: ${e.message}`);
    }
    r.value.dispose();
  }

  private takeString(h: QuickJSHandle): string {
    const s = this.ctx.getString(h);
    h.dispose();
    return s;
  }

  private topLevel(limits: RunLimits, run: () => { json: string } | { error: QuickJSHandle }): EvalResult {
    this.assertRunnable();
    const ms = limits.deadlineMs ?? this.deadlineMs;
    if (!(ms > 0)) throw new InvalidInput('a deadline must be a positive number of milliseconds');
    if (this.depth > 0) throw new InvalidInput('an evaluation is already running');
    if (!this.world.inTransaction) this.world.begin('Evaluate', 'workspace');
    if (this.stale) this.resetVm(true);
    this.transcript = [];
    this.faults = [];
    this.needsOids = false;
    this.workspaceInsertions = [];
    this.call(this.vm.rejections, this.ctx.newNumber(0));
    this.limitHit = null;
    this.runDeadlineMs = ms;
    this.deadline = Date.now() + ms;
    this.depth++;
    let outcome: { json: string } | { error: QuickJSHandle } | { thrown: unknown };
    /** The error is a promise rejection nobody handled (see prelude.ts). */
    let rejected = false;
    try {
      outcome = run();
      if (!('thrown' in outcome)) this.runPromiseJobs();
      if ('json' in outcome && !this.limitHit && this.faults.length === 0 && !this.needsOids) {
        const unhandled = this.ctx.callFunction(this.vm.rejections, this.ctx.undefined, this.ctx.newNumber(1));
        if (unhandled.error) {
          outcome = { error: unhandled.error };
          rejected = true;
        } else unhandled.value.dispose();
      }
    } catch (e) {
      outcome = { thrown: e };
    } finally {
      this.depth--;
    }
    this.deadline = Infinity;
    const transcript = this.transcript;
    if ('json' in outcome && this.faults.length === 0 && !this.needsOids && !this.limitHit) {
      const r = JSON.parse(outcome.json) as Omit<EvalResult, 'transcript'>;
      return { ...r, transcript };
    }
    // Failure: work out what happened while the VM is still intact, then abort.
    let error: unknown;
    if ('thrown' in outcome) {
      // Nothing but the host's own failure (its stack overflowing inside the WebAssembly
      // interpreter) escapes QuickJS: that instance cannot be trusted again.
      this.world.abort();
      this.replaceModule();
      const e = outcome.thrown;
      if (e instanceof TelosError) throw e;
      throw new SandboxLimit('stack', `the host's stack overflowed (${e instanceof Error ? e.message : String(e)}); the sandbox restarts`);
    }
    if ('error' in outcome) error = this.vmError(outcome.error);
    if (rejected && error instanceof EvaluationError) error.message = `unhandled promise rejection: ${error.message}`;
    if (this.faults.length || this.needsOids) error = new ObjectFault([...new Set(this.faults)], this.needsOids);
    this.world.abort();
    if (error instanceof SandboxLimit || this.limitHit) {
      this.restart();
      if (!(error instanceof SandboxLimit)) error = new SandboxLimit(this.limitHit ?? 'deadline', `ran longer than ${this.runDeadlineMs} ms (in a promise job)`);
    } else this.resetVm();
    if (error instanceof EvaluationError) error.transcript = transcript;
    throw error;
  }

  /**
   * Promise reactions (async functions, then) run before the evaluation ends, inside its
   * transaction and under its deadline; an error in one goes to the Transcript.
   */
  private runPromiseJobs(): void {
    for (let round = 0; round < 1000 && this.runtime.hasPendingJob(); round++) {
      const r = this.runtime.executePendingJobs();
      if (r.error) {
        const e = this.describeError(r.error);
        this.hostPrint(`error in a promise job: ${e.name}: ${e.message}`);
        if (this.limitHit) return;
      } else r.dispose?.();
    }
  }

  /**
   * Reads a QuickJS error value (disposing it) into plain data, without running its getters.
   * A thrown Proxy still runs its traps while being read, so the reading has its own small time
   * and memory allowance (the evaluation's own may be spent already, e.g. when describing a
   * deadline or memory error) and never runs unbounded on the host's thread.
   */
  private describeError(h: QuickJSHandle, dispose = true): ErrorData {
    const saved = this.deadline;
    const savedHit = this.limitHit;
    this.deadline = Date.now() + DESCRIBE_MS;
    this.runtime.setMemoryLimit(this.memoryBytes + DESCRIBE_HEADROOM_BYTES);
    try {
      const r = this.ctx.callFunction(this.vm.errorOf, this.ctx.undefined, h);
      if (r.error) {
        r.error.dispose();
        const overran = this.limitHit !== savedHit;
        this.limitHit = savedHit;
        return {
          name: 'Error',
          message: overran ? `thrown: a value whose description ran longer than ${DESCRIBE_MS} ms (a Proxy?)` : 'an error that cannot be described',
          stack: '',
        };
      }
      return JSON.parse(this.takeString(r.value)) as ErrorData;
    } finally {
      this.runtime.setMemoryLimit(this.memoryBytes);
      this.deadline = saved;
      if (dispose) h.dispose();
    }
  }

  private vmError(h: QuickJSHandle): TelosError {
    const data = this.describeError(h);
    const message = String(data.message ?? '');
    const sends = this.parseStack(String(data.stack ?? ''));
    const limit: LimitName | null =
      this.limitHit ?? (/out of memory/i.test(message) ? 'memory' : /stack overflow|maximum call stack/i.test(message) ? 'stack' : /interrupted/i.test(message) ? 'deadline' : null);
    if (limit) {
      const detail =
        limit === 'deadline'
          ? `ran longer than ${this.runDeadlineMs} ms`
          : limit === 'memory'
            ? `allocated more than ${Math.round(this.memoryBytes / 1048576)} MiB`
            : `recursed deeper than the ${Math.round(this.stackBytes / 1024)} KiB stack allows`;
      const e = new SandboxLimit(limit, detail + (sends[0] ? ` (in ${frameText(sends[0])})` : ''));
      (e as unknown as { sends: SendFrame[] }).sends = sends.slice(0, 20);
      return e;
    }
    const e = new EvaluationError(String(data.name ?? 'Error'), message);
    for (const [k, v] of Object.entries(data)) if (!['name', 'message', 'stack'].includes(k)) (e as unknown as Record<string, unknown>)[k] = v;
    e.sends = sends;
    const top = sends[0];
    if (top) Object.assign(e, { owner: top.owner, ownerName: top.ownerName, method: top.selector, line: top.line, column: top.column });
    return e;
  }

  /** QuickJS stack lines → frames of World code (method files and the workspace). */
  private parseStack(stack: string): SendFrame[] {
    const frames: SendFrame[] = [];
    for (const line of stack.split('\n')) {
      const m = /at (?:.*? \()?([^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line);
      if (!m) continue;
      const [, file, l, c] = m;
      const lineNo = Math.max(1, Number(l) - 1);
      if (file === WORKSPACE_FILE && Number(l) === 1) continue; // the wrapper around workspace code
      if (file === WORKSPACE_FILE || file === EVAL_FILE) {
        const owner = this.options.workspaceSelf ?? 0;
        const exact = file === EVAL_FILE ? Number(l) : lineNo;
        frames.push({ owner, ownerName: 'workspace', selector: '(workspace)', line: exact, column: originalColumn(this.workspaceInsertions, exact, Number(c)) });
        continue;
      }
      const mm = /^m(\d+)\.(.*)$/.exec(file!);
      if (!mm) continue;
      const owner = Number(mm[1]);
      const selector = decodeURIComponent(mm[2]!);
      const insertions = this.methodsByKey.get(`${owner}/${selector}`)?.insertions ?? [];
      frames.push({ owner, ownerName: this.world.nameOf(owner), selector, line: lineNo, column: originalColumn(insertions, lineNo, Number(c)) });
    }
    if (frames.length > 40) return [...frames.slice(0, 20), ...frames.slice(-20)];
    return frames;
  }
}
