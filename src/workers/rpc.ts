// The one request/response mechanism between the page and its workers (the World worker,
// the machine worker), typed by each worker's API interface. A call is answered once, by
// id; while it runs it may report progress to its caller, and the caller may cancel it
// (the handler sees an AbortSignal); a worker also pushes events (changes, console output)
// that are not answers to anything. Values travel by structured clone; a value marked with
// `transfer()` moves its buffers instead of copying them. Errors travel as data (name,
// message and the error's own fields, e.g. a send chain with lines) and are rejected on the
// other side as a RemoteError carrying the same fields.
//
// Why not Comlink: it has no cancellation (an AbortSignal cannot be cloned), progress and
// events would be proxied callbacks each holding a MessageChannel until released, and a
// thrown error keeps only name, message and stack unless its global `throw` handler is
// replaced. Those three are what these boundaries need, in about 200 lines.

/** The part of Worker, MessagePort and DedicatedWorkerGlobalScope both ends use. */
export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  start?(): void;
}

/** An error as it crosses a boundary: its name, message and own fields. */
export interface RemoteErrorData {
  name: string;
  message: string;
  [field: string]: unknown;
}

/** What a call is rejected with: the far side's error, its fields as own properties. */
export class RemoteError extends Error {
  [field: string]: unknown;
  constructor(data: RemoteErrorData) {
    super(data.message);
    for (const [k, v] of Object.entries(data)) if (k !== 'message' && k !== 'stack') (this as Record<string, unknown>)[k] = v;
    this.name = data.name;
  }
}

type Wire =
  | { rpc: 'call'; id: number; method: string; args: unknown[] }
  | { rpc: 'cancel'; id: number }
  | { rpc: 'done'; id: number; value: unknown }
  | { rpc: 'fail'; id: number; error: RemoteErrorData }
  | { rpc: 'progress'; id: number; progress: unknown }
  | { rpc: 'event'; event: unknown };

function isWire(m: unknown): m is Wire {
  return typeof m === 'object' && m !== null && typeof (m as { rpc?: unknown }).rpc === 'string';
}

const transfers = new WeakMap<object, Transferable[]>();

/** Marks a value (a result, an argument, an event) whose buffers move to the other side
 * instead of being copied; the sender's copies become unusable. */
export function transfer<T extends object>(value: T, list: Transferable[]): T {
  transfers.set(value, list);
  return value;
}

const transferList = (v: unknown): Transferable[] => (typeof v === 'object' && v !== null ? (transfers.get(v) ?? []) : []);

/** Any function's parameters and awaited result, whatever its `this`. */
type Fn = (...args: never[]) => unknown;

/** A worker's API as the page calls it: every method answers a Promise. */
export type Remote<A> = { [K in keyof A]: A[K] extends Fn ? (...args: Parameters<A[K]>) => Promise<Awaited<ReturnType<A[K]>>> : never };

/** What a handler gets besides the arguments. */
export interface CallContext {
  /** Aborted when the caller cancels the call. */
  readonly signal: AbortSignal;
  /** Tells the caller how far the call has got (its `onProgress` receives it). */
  progress(progress: unknown): void;
}

export interface CallOptions {
  /** Aborting it asks the far side to stop; the call still settles with its answer. */
  signal?: AbortSignal;
  onProgress?: (progress: unknown) => void;
}

export interface ServeOptions {
  /** How a thrown value travels (default: name, message and the error's own fields). */
  errorData?: (e: unknown) => RemoteErrorData;
}

/** The error's name, message and own enumerable fields (structured-clone safe). */
export function defaultErrorData(e: unknown): RemoteErrorData {
  if (e instanceof Error) {
    const data: RemoteErrorData = { name: e.name || 'Error', message: e.message };
    for (const [k, v] of Object.entries(e)) if (k !== 'stack' && k !== 'cause' && typeof v !== 'function') data[k] = v;
    return data;
  }
  return { name: 'Error', message: String(e) };
}

/** The serving side: answers calls with `handle` and pushes events with `emit`. */
export interface Server<E> {
  emit(event: E): void;
  close(): void;
}

/**
 * Serves calls arriving on `endpoint`: each runs `handle(method, args, context)` and is
 * answered with its result or its error. Calls are handled as they arrive; a handler that
 * must not interleave queues itself (the World service does).
 */
export function serve<E = never>(
  endpoint: Endpoint,
  handle: (method: string, args: unknown[], context: CallContext) => unknown,
  options: ServeOptions = {},
): Server<E> {
  const errorData = options.errorData ?? defaultErrorData;
  const running = new Map<number, AbortController>();
  const post = (m: Wire, list: Transferable[] = []) => endpoint.postMessage(m, list);
  const onMessage = (ev: MessageEvent) => {
    const m = ev.data as unknown;
    if (!isWire(m)) return;
    if (m.rpc === 'cancel') {
      running.get(m.id)?.abort();
      return;
    }
    if (m.rpc !== 'call') return;
    const controller = new AbortController();
    running.set(m.id, controller);
    const context: CallContext = { signal: controller.signal, progress: (progress) => post({ rpc: 'progress', id: m.id, progress }) };
    void (async () => {
      try {
        if (!Array.isArray(m.args)) throw new RemoteError({ name: 'InvalidInput', message: 'call arguments must be a list' });
        const value = await handle(m.method, m.args, context);
        post({ rpc: 'done', id: m.id, value: value ?? null }, transferList(value));
      } catch (e) {
        // Every call is answered: an error that cannot be made into data, or data that
        // cannot be posted, is answered with what can be said of it.
        try {
          post({ rpc: 'fail', id: m.id, error: errorData(e) });
        } catch (postError) {
          post({ rpc: 'fail', id: m.id, error: { name: 'Error', message: `the answer could not be sent: ${postError instanceof Error ? postError.message : 'unreadable error'}` } });
        }
      } finally {
        running.delete(m.id);
      }
    })();
  };
  endpoint.addEventListener('message', onMessage);
  endpoint.start?.();
  return {
    emit: (event) => post({ rpc: 'event', event }, transferList(event)),
    close: () => {
      endpoint.removeEventListener('message', onMessage);
      for (const c of running.values()) c.abort();
    },
  };
}

/** The calling side's controls, beside the API's methods. */
export interface ClientControls<A, E> {
  /** Calls one method by name, with cancellation and progress. */
  call<K extends keyof A & string>(method: K, args: A[K] extends Fn ? Parameters<A[K]> : never, options?: CallOptions): Promise<A[K] extends Fn ? Awaited<ReturnType<A[K]>> : never>;
  /** Events the far side pushes; returns an unsubscribe. */
  subscribe(listener: (event: E) => void): () => void;
  /** Stops listening; calls still pending are rejected. */
  close(): void;
}

/** A typed client: the API's methods (each answering a Promise) and the controls. */
export type Client<A, E> = Remote<A> & ClientControls<A, E>;

/** Connects to a server on `endpoint` (a Worker, a MessagePort). */
export function connect<A, E = never>(endpoint: Endpoint): Client<A, E> {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void; onProgress?: (p: unknown) => void }>();
  const listeners = new Set<(event: E) => void>();
  const onMessage = (ev: MessageEvent) => {
    const m = ev.data as unknown;
    if (!isWire(m)) return;
    if (m.rpc === 'event') {
      for (const l of listeners) l(m.event as E);
      return;
    }
    if (m.rpc !== 'done' && m.rpc !== 'fail' && m.rpc !== 'progress') return;
    const p = pending.get(m.id);
    if (!p) return;
    if (m.rpc === 'progress') {
      p.onProgress?.(m.progress);
      return;
    }
    pending.delete(m.id);
    if (m.rpc === 'done') p.resolve(m.value);
    else p.reject(new RemoteError(m.error));
  };
  endpoint.addEventListener('message', onMessage);
  endpoint.start?.();

  const call = (method: string, args: unknown[], options: CallOptions = {}): Promise<unknown> => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, onProgress: options.onProgress });
      endpoint.postMessage({ rpc: 'call', id, method, args } satisfies Wire, args.flatMap(transferList));
      const signal = options.signal;
      if (signal) {
        const cancel = () => pending.has(id) && endpoint.postMessage({ rpc: 'cancel', id } satisfies Wire);
        if (signal.aborted) cancel();
        else signal.addEventListener('abort', cancel, { once: true });
      }
    });
  };
  const controls: ClientControls<A, E> = {
    call: call as ClientControls<A, E>['call'],
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      endpoint.removeEventListener('message', onMessage);
      for (const p of pending.values()) p.reject(new RemoteError({ name: 'ConnectionClosed', message: 'the connection to the worker was closed' }));
      pending.clear();
    },
  };
  const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(controls, {
    get(target, key) {
      if (typeof key !== 'string' || key === 'then') return undefined;
      if (Object.hasOwn(target, key)) return target[key as keyof typeof target];
      let fn = methods.get(key);
      if (!fn) methods.set(key, (fn = (...args: unknown[]) => call(key, args)));
      return fn;
    },
  }) as Client<A, E>;
}
