// Method execution: one QuickJS runtime (its own heap, no host globals) attached to a World.
// Lookup and dispatch run inside the VM (see vm/prelude.js); this host side answers misses,
// validates writes, compiles methods with a file name that records owner and selector, and
// turns VM errors into TelosErrors with owner, selector, line, column and the chain of sends.
// Limits per top-level evaluation: a deadline (interrupt), a memory limit, a stack limit.
// The memory limit is held twice: QuickJS's own (built with emscripten it counts only a few
// bytes per allocation, never the size of a string or an ArrayBuffer, so alone it lets a loop
// of 1 MiB arrays take 2 GiB) and the sandbox's own WebAssembly instance, whose memory cannot
// grow past the limit plus the instance's initial 16 MiB (stack, static data, the runtime).
// A promise rejection nobody handled by the time the evaluation's jobs have run is the
// evaluation's error ("unhandled promise rejection: ...", located where it was thrown) and
// aborts its transaction, as any other failure does: the code failed, and committing the
// half of its work done before the rejection would leave the image in a state nobody asked
// for. (A Transcript line alone would be easy to miss and would still commit that half.)
// Not seen: a promise made by `new Promise` whose executor rejects and that nobody touches.

// One QuickJS build, the release sync one: quickjs-emscripten's umbrella package would bring
// its four variants (debug and asyncify too) into the bundle.
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import RELEASE_SYNC from '@jitl/quickjs-wasmfile-release-sync';
import {
  InvalidInput,
  EvaluationStopped,
  ObjectFault,
  SandboxLimit,
  TelosError,
  checkSlotName,
  checkValue,
  instrumentWorkspace,
  methodCompileText,
  parseMethodSource,
  setWorkCheck,
  type ErrorData,
  type Insertion,
  type LimitName,
  type OID,
  type SyntaxProblem,
  type Value,
  type World,
  type WorldChange,
} from '../world';
import { EvaluationError, WORKSPACE_FILE, mapVmError, type MappingContext } from './errors';
import { HostFunctions, METHOD_PREFIX, METHOD_SUFFIX, MethodTable, newHostCallLog, type HostCallLog } from './host';
// The VM's own JavaScript, evaluated in each new QuickJS context (see vm/prelude.js).
import PRELUDE from './vm/prelude.js?raw';

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
  /**
   * A stop flag the page shares with this worker (an Int32Array over a SharedArrayBuffer):
   * element 0 turning non-zero stops the evaluation as a deadline would, with
   * EvaluationStopped. The worker's thread is busy in QuickJS until then, so no message could
   * reach it; the interrupt handler reads the flag instead.
   */
  stop?: Int32Array;
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

/** Time and extra memory allowed for reading a thrown value into an error report. */
const DESCRIBE_MS = 100;
const DESCRIBE_HEADROOM_BYTES = 8 * 1024 * 1024;
const RUNTIME_FILE = 'telos-runtime';
/** The QuickJS build's initial and largest memory, in 64 KiB WebAssembly pages. */
const WASM_INITIAL_PAGES = 256;
const WASM_MAX_PAGES = 32768;

/** Makes a QuickJS module instance whose heap lives in the given memory. */
export type QuickJSLoader = (memory: WebAssembly.Memory) => Promise<QuickJSWASMModule>;
let quickjsLoader: QuickJSLoader = (memory) => newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory: memory }));

/**
 * Replaces how a QuickJS module instance is made (a browser worker instantiates a module it
 * compiled once); call before the first Sandbox.create. Each call must give a new instance
 * that uses the memory it is given.
 */
export function setQuickJSLoader(load: QuickJSLoader): void {
  quickjsLoader = load;
}

/**
 * A sandbox's own WebAssembly memory: it cannot grow past the sandbox's heap limit plus the
 * instance's initial pages, and it remembers whether its last growth was refused. QuickJS then
 * gets no memory from malloc; when even its "out of memory" error cannot be allocated it
 * throws null, so the refusal is how the sandbox tells that case from a `throw null`.
 */
class SandboxMemory {
  readonly memory: WebAssembly.Memory;
  /** The instance's last request for more memory was refused. */
  refused = false;

  constructor(memoryBytes: number) {
    const maximum = Math.min(WASM_MAX_PAGES, WASM_INITIAL_PAGES + Math.ceil(memoryBytes / 65536));
    this.memory = new WebAssembly.Memory({ initial: WASM_INITIAL_PAGES, maximum });
    const grow = this.memory.grow.bind(this.memory);
    // Emscripten's heap resize calls grow on this object and treats a throw as "no memory".
    this.memory.grow = (delta: number) => {
      try {
        const before = grow(delta);
        this.refused = false;
        return before;
      } catch (e) {
        this.refused = true;
        throw e;
      }
    };
  }
}

/** A QuickJS instance of its own for one sandbox, in a memory that holds its heap limit. */
async function loadInstance(memoryBytes: number): Promise<{ module: QuickJSWASMModule; heap: SandboxMemory }> {
  const heap = new SandboxMemory(memoryBytes);
  return { module: await quickjsLoader(heap.memory), heap };
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
  /** The VM's mark that a host call overran the deadline (see vm/prelude.js). */
  overran: QuickJSHandle;
}

function memoryLimitOf(options: SandboxOptions): number {
  return options.memoryBytes ?? 64 * 1024 * 1024;
}

export class Sandbox {
  readonly deadlineMs: number;
  readonly memoryBytes: number;
  readonly stackBytes: number;
  private runtime!: QuickJSRuntime;
  private ctx!: QuickJSContext;
  private vm!: VmEntryPoints;
  private readonly methods = new MethodTable();
  private readonly host: HostFunctions;
  private deadline = Infinity;
  /** The deadline of the evaluation running now, for its error message. */
  private runDeadlineMs = 0;
  private limitHit: LimitName | null = null;
  /** The running evaluation's stop flag, and whether it was seen raised. */
  private stopFlag: Int32Array | null = null;
  private stopped = false;
  /** > 0 while VM code runs (host callbacks may re-enter). */
  private depth = 0;
  /** The VM's caches no longer match the World. */
  private stale = false;
  /** What host calls of the running evaluation collected (Transcript, faults). */
  private log: HostCallLog = newHostCallLog();
  /** Insertions in the workspace code being run (see instrumentWorkspace). */
  private workspaceInsertions: Insertion[] = [];
  private readonly unsubscribe: () => void;
  private disposed = false;

  /** Set while a fresh QuickJS module replaces a broken one and no spare was ready. */
  private replacing: Promise<void> | null = null;
  /** While loading a spare instance. */
  private loadingSpare: Promise<void> | null = null;

  private constructor(
    readonly world: World,
    private module: QuickJSWASMModule,
    private heap: SandboxMemory,
    private readonly options: SandboxOptions,
    /**
     * A QuickJS instance loaded ahead, which replaces a broken one at once: the host's stack
     * overflowing inside QuickJS breaks an instance, and so does QuickJS failing to free a
     * runtime (objects an out-of-memory path in QuickJS left behind abort JS_FreeRuntime).
     */
    private spare: { module: QuickJSWASMModule; heap: SandboxMemory } | null = null,
  ) {
    this.deadlineMs = options.deadlineMs ?? 1000;
    this.memoryBytes = memoryLimitOf(options);
    // QuickJS's own limit must trip before the host's stack (which runs the WebAssembly
    // interpreter; in a Chromium worker it gives out near a thousand frames) and below the WebAssembly
    // instance's stack (5 MiB): 128 KiB allows about 680 nested calls, and
    // the host survives a limit hit.
    this.stackBytes = Math.min(4 * 1024 * 1024, Math.max(16 * 1024, options.stackBytes ?? 128 * 1024));
    this.host = new HostFunctions({
      world,
      methods: this.methods,
      log: () => this.log,
      compileInVm: (text, file) => this.compileInVm(text, file),
      overran: () => this.overran(),
      // A quarter of the heap: the VM must still parse the text into values.
      answerChars: Math.floor(this.memoryBytes / 4),
      onPrint: options.onPrint,
    });
    this.boot();
    this.unsubscribe = world.onChange((c) => this.worldChanged(c));
    world.setSyntaxChecker((source) => this.checkSyntax(source));
  }

  /**
   * Resolves when the sandbox can run code and has a spare QuickJS instance. It cannot run for a
   * moment after an instance broke (the host's own stack overflowing inside QuickJS leaves that
   * WebAssembly instance unusable) when no spare was ready: a fresh instance is being loaded.
   * Callers that can wait (the worker) await this before each request.
   */
  ready(): Promise<void> {
    if (this.replacing && this.loadingSpare) return Promise.all([this.replacing, this.loadingSpare]).then(() => {});
    return this.replacing ?? this.loadingSpare ?? Promise.resolve();
  }

  /** Loads a spare QuickJS instance in the background, if there is none. */
  private prepareSpare(): void {
    if (this.spare || this.loadingSpare || this.disposed) return;
    this.loadingSpare = loadInstance(this.memoryBytes).then(
      (spare) => {
        this.loadingSpare = null;
        if (!this.disposed) this.spare = spare;
      },
      () => {
        this.loadingSpare = null;
      },
    );
  }

  /** Drops a broken QuickJS instance for the spare, or else loads a fresh one in the background. */
  private replaceModule(): void {
    if (this.replacing) return;
    for (const h of Object.values(this.vm)) {
      try {
        h.dispose();
      } catch {
        // the instance is broken; its handles go with it
      }
    }
    const spare = this.spare;
    if (spare) {
      this.spare = null;
      this.module = spare.module;
      this.heap = spare.heap;
      if (!this.disposed) this.boot();
      this.prepareSpare();
      return;
    }
    this.replacing = loadInstance(this.memoryBytes).then(
      ({ module, heap }) => {
        this.module = module;
        this.heap = heap;
        this.replacing = null;
        if (!this.disposed) this.boot();
        this.prepareSpare();
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
    const [{ module, heap }, spare] = await Promise.all([loadInstance(memoryLimitOf(options)), loadInstance(memoryLimitOf(options))]);
    return new Sandbox(world, module, heap, options, spare);
  }

  // ---------------------------------------------------------------- VM lifecycle

  private boot(): void {
    const rt = this.module.newRuntime();
    rt.setMemoryLimit(this.memoryBytes);
    rt.setMaxStackSize(this.stackBytes);
    rt.setInterruptHandler(() => {
      if (this.stopRequested()) {
        this.stopped = true;
        return true;
      }
      if (Date.now() <= this.deadline) return false;
      this.limitHit = 'deadline';
      return true;
    });
    const ctx = rt.newContext();
    this.runtime = rt;
    this.ctx = ctx;
    this.host.install(ctx);
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
      overran: get('overran'),
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
    this.spare = null;
    this.unsubscribe();
    this.world.setSyntaxChecker(null);
    if (!this.replacing) this.shutdown();
  }

  private worldChanged(c: WorldChange): void {
    if (c.type === 'created' || c.type === 'committed' || c.type === 'loaded') return;
    if (c.type === 'value' && this.host.ownWrite) return;
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

  /**
   * Whether the running evaluation is past its deadline; if so the VM is marked, and stops
   * when the host call returns (its interrupt handler sees the deadline passed).
   */
  private overran(): boolean {
    if (this.depth === 0 || (Date.now() <= this.deadline && !this.stopRequested())) return false;
    this.ctx.setProp(this.vm.overran, 'late', this.ctx.true);
    return true;
  }

  /** Whether the page raised the running evaluation's stop flag. */
  private stopRequested(): boolean {
    return this.depth > 0 && this.stopFlag !== null && Atomics.load(this.stopFlag, 0) !== 0;
  }

  /** Compiles text in the VM (a method, for the host's compile); throws an Error saying why not. */
  private compileInVm(text: string, file: string): QuickJSHandle {
    const r = this.ctx.evalCode(text, file);
    if (r.error) throw new Error(String(this.describeError(r.error).message));
    return r.value;
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
    this.log = newHostCallLog();
    const log = this.log;
    this.workspaceInsertions = [];
    this.call(this.vm.rejections, this.ctx.newNumber(0));
    this.limitHit = null;
    this.stopFlag = limits.stop ?? null;
    this.stopped = false;
    this.heap.refused = false;
    this.runDeadlineMs = ms;
    this.deadline = Date.now() + ms;
    this.depth++;
    // Long host work (a big value checked, a long source parsed, every object walked) checks
    // the deadline as it goes: one host call that starts before it cannot run on far past it.
    const outerCheck = setWorkCheck(() => {
      if (this.stopRequested()) {
        this.stopped = true;
        throw new EvaluationStopped();
      }
      if (this.depth > 0 && Date.now() > this.deadline) throw new SandboxLimit('deadline', `ran longer than ${this.runDeadlineMs} ms (in host work)`);
    });
    let outcome: { json: string } | { error: QuickJSHandle } | { thrown: unknown };
    /** The error is a promise rejection nobody handled (see vm/prelude.js). */
    let rejected = false;
    try {
      outcome = run();
      if (!('thrown' in outcome)) this.runPromiseJobs();
      if ('json' in outcome && !this.limitHit && !this.stopped && log.faults.length === 0 && !log.needsOids) {
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
      setWorkCheck(outerCheck);
    }
    this.deadline = Infinity;
    this.stopFlag = null;
    this.host.endTranscript();
    if (this.heap.refused && !this.limitHit && !('json' in outcome)) this.limitHit = 'memory';
    const transcript = log.transcript;
    if ('json' in outcome && log.faults.length === 0 && !log.needsOids && !this.limitHit && !this.stopped) {
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
    if (log.faults.length || log.needsOids) error = new ObjectFault([...new Set(log.faults)], log.needsOids);
    // Stopped wins over everything else it may have caused (an interrupted send, a fault).
    if (this.stopped) error = new EvaluationStopped();
    this.world.abort();
    if (error instanceof EvaluationStopped) this.restart();
    else if (error instanceof SandboxLimit || this.limitHit) {
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
        this.host.print(`error in a promise job: ${e.name}: ${e.message}`);
        if (this.limitHit || this.stopped) return;
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
    // Describing the error of a stopped evaluation must not be stopped too.
    const savedStop = this.stopFlag;
    this.stopFlag = null;
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
      this.stopFlag = savedStop;
      if (dispose) h.dispose();
    }
  }

  private vmError(h: QuickJSHandle): TelosError {
    return mapVmError(this.describeError(h), this.mappingContext());
  }

  private mappingContext(): MappingContext {
    return {
      workspaceSelf: this.options.workspaceSelf ?? 0,
      workspaceInsertions: this.workspaceInsertions,
      methodInsertions: (owner, selector) => this.methods.insertionsOf(owner, selector),
      nameOf: (oid) => this.world.nameOf(oid),
      limitHit: this.limitHit,
      deadlineMs: this.runDeadlineMs,
      memoryBytes: this.memoryBytes,
      stackBytes: this.stackBytes,
    };
  }
}
