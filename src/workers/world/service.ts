// The World worker's service: answers the WorldApi over any endpoint (the worker's global
// scope, a MessagePort in tests) through ../rpc.ts. Requests run one at a time, so
// transactions never interleave; every mutation is a named transaction, committed on success
// and aborted on failure. The views it answers with are built by ./views.ts.

import { ConflictError, InvalidInput, ObjectFault, StaleEditError, TelosError, isOid, type OID } from '../../world';
import { runTransaction } from '../../sandbox';
import { serve, type CallContext, type Endpoint, type RemoteErrorData, type Server } from '../rpc';
import type { Committed, ImageView, ObjectSummary, RunResult, TaskProgress, TxOptions, WorldApi, WorldEvent, WorldMethod } from './protocol';
import type { ImageCatalog, SessionOptions, WorldSession } from './session';
import { implementorsOf, objectView, referencesTo, searchWorld, sendersOf } from './views';

export type { WorldSession };

/** Where the service finds other images (the worker passes the store's catalog). */
export interface ServiceOptions {
  catalog?: ImageCatalog;
  /** How sessions opened later are set up (the Transcript callback). */
  sessionOptions?: SessionOptions;
}

function toErrorData(e: unknown): RemoteErrorData {
  if (e instanceof TelosError) {
    const data = e.toJSON();
    const where = (e as { where?: string }).where;
    if (where) data.where = where;
    return data;
  }
  if (e instanceof Error) return { name: e.name || 'Error', message: e.message };
  return { name: 'Error', message: String(e) };
}

/**
 * A World error with all its details (send chain, line, selector) as it crosses to the page,
 * for anything at all: an error whose own toJSON, getters or toString throw, or whose data
 * cannot be cloned into a message, still becomes plain, postable data.
 */
export function worldErrorData(e: unknown): RemoteErrorData {
  try {
    const data = toErrorData(e);
    if (typeof data.name === 'string' && typeof data.message === 'string') {
      structuredClone(data);
      return data;
    }
  } catch {
    // fall through to the fields that can be read
  }
  const read = (k: string): string | undefined => {
    try {
      const v = (e as Record<string, unknown>)[k];
      return typeof v === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  };
  return { name: read('name') || 'Error', message: read('message') ?? 'an error that could not be read' };
}

/** Requests that run no code and change no object: answered without booting the sandbox, so
 * the IDE's first reads do not wait for QuickJS. Every other request waits for it (changes
 * need its syntax check). */
const WITHOUT_SANDBOX: ReadonlySet<WorldMethod> = new Set<WorldMethod>([
  'hello', 'listObjects', 'getObject', 'lookup', 'search', 'senders', 'implementors', 'references', 'imageInfo', 'history', 'transaction', 'objectHistory',
  'listImages', 'openImage', 'createImage', 'renameImage', 'deleteImage', 'exportImage', 'importImage',
]);

/** The serial stored now for `oid` when `e` is the store's refusal of a commit over a newer
 * version of it (0: the object is gone); undefined for any other error. */
function storedSerialAfterConflict(e: unknown, oid: OID): number | undefined {
  if (!(e instanceof ConflictError)) return undefined;
  const conflicts = (e as { conflicts?: unknown }).conflicts;
  if (!Array.isArray(conflicts)) return undefined;
  const mine = conflicts.find((c): c is { oid: OID; storedSerial: number } => (c as { oid?: unknown })?.oid === oid);
  if (!mine || typeof mine.storedSerial !== 'number' || mine.storedSerial < 0) return undefined;
  return mine.storedSerial;
}

const oidArg = (v: unknown): OID => {
  if (!isOid(v)) throw new InvalidInput(`${JSON.stringify(v)} is not an OID`);
  return v;
};

/** The Int32 stop flag over a page's SharedArrayBuffer (see WorldApi.evaluate). */
function stopFlagOf(buffer: unknown): Int32Array | undefined {
  if (buffer === undefined || buffer === null) return undefined;
  if (typeof SharedArrayBuffer !== 'function' || !(buffer instanceof SharedArrayBuffer) || buffer.byteLength < 4)
    throw new InvalidInput('a stop flag must be a SharedArrayBuffer of at least 4 bytes');
  return new Int32Array(buffer, 0, 1);
}

export class WorldService {
  private queue: Promise<unknown> = Promise.resolve();
  private session!: WorldSession;
  private detach: () => void = () => {};

  constructor(
    session: WorldSession,
    private readonly emit: (event: WorldEvent) => void,
    private readonly options: ServiceOptions = {},
  ) {
    this.attach(session);
  }

  /** Serves this session from now on (the previous one is closed by the caller). */
  private attach(session: WorldSession): void {
    this.detach();
    this.session = session;
    // The store's background integrity check reports here: the same image, checked (and
    // read-only, with its damaged records, if the check failed).
    const fromImage = session.image?.subscribe((e) => {
      if (e.type === 'integrity' && this.session === session) this.emit({ type: 'image', image: this.imageView(), checked: true });
    });
    const fromWorld = session.world.onChange((change) => {
      // The UI needs transaction boundaries and outside invalidations; intermediate
      // structure/value events inside a transaction are not worth a message each.
      if (change.type === 'committed' || change.type === 'aborted' || change.type === 'invalidated' || change.type === 'loaded')
        this.emit({ type: 'change', change });
    });
    this.detach = () => {
      fromImage?.();
      fromWorld();
    };
  }

  private imageView(): ImageView | null {
    const image = this.session.image;
    if (!image) return null;
    const info = image.info;
    const problems = (image.report?.problems ?? []).map((p) =>
      p.table === 'objects' ? { oid: Number(p.key), reason: p.problem } : { reason: `${p.table} record ${p.key}: ${p.problem}` },
    );
    return { name: info.name, root: info.root, lastTid: info.lastTid, nextOid: info.nextOid, objects: this.session.world.loadedOids().length, readOnly: image.readOnly ?? null, problems };
  }

  private requireImage() {
    const image = this.session.image;
    if (!image) throw new InvalidInput('this World runs in memory, without a living image');
    return image;
  }

  private requireCatalog(): ImageCatalog {
    if (!this.options.catalog) throw new InvalidInput('this World runs in memory: there are no other images');
    return this.options.catalog;
  }

  /** Replaces the session by one on another image. */
  private async switchTo(open: () => Promise<WorldSession>): Promise<ImageView> {
    const next = await open();
    const previous = this.session;
    this.attach(next);
    previous.close();
    const view = this.imageView()!;
    this.emit({ type: 'image', image: view });
    return view;
  }

  /** Handles one call after the previous ones finished; answers its result or throws. */
  handle(method: string, args: unknown[], context?: CallContext): Promise<unknown> {
    const run = this.queue.then(async () => {
      try {
        return await this.dispatch(method, args, context);
      } catch (e) {
        try {
          if (this.session.world.inTransaction) this.session.world.abort();
        } catch {
          // the error below still goes out
        }
        throw e;
      }
    });
    // Whatever happened, the next request runs: a rejected link would stop the queue for good.
    this.queue = run.catch(() => {});
    return run;
  }

  /** The call being handled (for progress reports). */
  private context: CallContext | undefined;

  /** Every stored object faulted in, so a query over the whole World is complete. */
  private async everything() {
    await this.session.loadAll?.();
    return this.session.world;
  }

  private name(oid: OID): string {
    return this.session.world.nameOf(oid);
  }

  /** One mutation as one transaction. With `options.seenSerial`, an edit of object `oid` made
   * on an older version than the one now current is refused before anything changes; if this
   * World has not heard of the newer version yet, the store refuses the commit instead (the
   * written object carries the serial it was read at). */
  private async mutate<T>(note: string, options: TxOptions | undefined, fn: () => T, oid?: OID): Promise<Committed & { value: T }> {
    const world = this.session.world;
    world.begin(options?.note ?? note, 'ide');
    let value: T;
    const seen = options?.seenSerial;
    let name = '';
    try {
      if (seen !== undefined && oid !== undefined) {
        if (!isOid(oid)) throw new InvalidInput(`${JSON.stringify(oid)} is not an OID`);
        if (typeof seen !== 'number') throw new InvalidInput('seenSerial must be a transaction number');
        name = world.get(oid).name;
        const current = world.serialOf(oid);
        if (current !== seen) throw new StaleEditError(oid, seen, current, name || undefined);
      }
      value = fn();
    } catch (e) {
      world.abort();
      throw e;
    }
    try {
      const r = await world.commit();
      return { tid: r?.tid ?? null, value };
    } catch (e) {
      // The store refused the commit: another tab wrote the object before this World heard of
      // it. For the edited object that is the same stale edit the check above refuses, so the
      // IDE offers the same choices (Keep mine, Take theirs) instead of showing a raw error.
      if (seen !== undefined && oid !== undefined) {
        const current = storedSerialAfterConflict(e, oid);
        if (current !== undefined) throw new StaleEditError(oid, seen, current, name || undefined);
      }
      throw e;
    }
  }

  private api: { [K in keyof WorldApi]: (...args: Parameters<WorldApi[K]>) => ReturnType<WorldApi[K]> | Promise<ReturnType<WorldApi[K]>> } = {
    hello: () => {
      const { image, world, missingImage } = this.session;
      return { root: image?.root ?? 0, objects: world.loadedOids().length, ...(missingImage ? { missingImage } : {}) };
    },

    listObjects: (): ObjectSummary[] => {
      const w = this.session.world;
      return w.loadedOids().map((oid) => {
        const s = w.get(oid);
        return {
          oid,
          name: s.name,
          slotCount: s.slots.length,
          methodCount: s.slots.filter((x) => x.kind === 'method').length,
          parents: s.slots.flatMap((x) => (x.kind === 'parent' ? [x.value.ref] : [])),
          traits: s.traits.map((t) => t.trait),
        };
      });
    },

    getObject: (oid) => objectView(this.session.world, oidArg(oid)),

    lookup: (oid, selector) => this.session.world.lookup(oidArg(oid), selector),

    checkSyntax: async (source) => (await this.session.sandbox()).checkSyntax(String(source)),

    evaluate: async (code, options): Promise<RunResult> => {
      const sandbox = await this.session.sandbox();
      const firstLine = String(code).trim().split('\n')[0] ?? '';
      const note = options?.note ?? `Evaluate: ${firstLine.length > 60 ? firstLine.slice(0, 57) + '…' : firstLine}`;
      const stop = stopFlagOf(options?.stop);
      const { result, tid } = await runTransaction(sandbox, note, () => sandbox.evaluate(code, { deadlineMs: options?.deadlineMs, stop }));
      return { result, tid };
    },

    send: async (oid, selector, args = [], options): Promise<RunResult> => {
      const sandbox = await this.session.sandbox();
      const note = options?.note ?? `Send ${selector} to ${this.name(oid)}`;
      const { result, tid } = await runTransaction(sandbox, note, () => sandbox.send(oidArg(oid), selector, args, { deadlineMs: options?.deadlineMs }), 'ide');
      return { result, tid };
    },

    createObject: async (init, options) => {
      const r = await this.mutate(`Create ${init.name || 'an object'}`, options, () => this.session.world.createObject(init));
      return { tid: r.tid, oid: r.value };
    },
    clone: async (oid, options) => {
      const r = await this.mutate(`Clone ${this.name(oid)}`, options, () => this.session.world.clone(oidArg(oid)));
      return { tid: r.tid, oid: r.value };
    },
    setName: (oid, name, options) => this.mutate(`Rename ${this.name(oid)} to ${name}`, options, () => this.session.world.setName(oidArg(oid), name), oid),
    addSlot: (oid, slot, index, options) =>
      this.mutate(`Add slot ${slot?.name} to ${this.name(oid)}`, options, () => this.session.world.addSlot(oidArg(oid), slot, index ?? undefined), oid),
    removeSlot: (oid, name, options) => this.mutate(`Remove slot ${name} from ${this.name(oid)}`, options, () => this.session.world.removeSlot(oidArg(oid), name), oid),
    renameSlot: (oid, oldName, newName, options) =>
      this.mutate(`Rename slot ${oldName} to ${newName} on ${this.name(oid)}`, options, () => this.session.world.renameSlot(oidArg(oid), oldName, newName), oid),
    moveSlot: (oid, name, toIndex, options) => this.mutate(`Move slot ${name} on ${this.name(oid)}`, options, () => this.session.world.moveSlot(oidArg(oid), name, toIndex), oid),
    setSlotInfo: (oid, name, info, options) =>
      this.mutate(`Change slot ${name} on ${this.name(oid)}`, options, () => this.session.world.setSlotInfo(oidArg(oid), name, info), oid),
    setSlotValue: (oid, name, value, options) =>
      this.mutate(`Set ${name} on ${this.name(oid)}`, options, () => this.session.world.setSlotValue(oidArg(oid), name, value), oid),
    setMethod: (oid, name, source, options) =>
      this.mutate(`Save method ${name} of ${this.name(oid)}`, options, () => this.session.world.setMethod(oidArg(oid), name, source), oid),
    useTrait: (oid, use, options) =>
      this.mutate(`Use trait ${this.name(use?.trait)} in ${this.name(oid)}`, options, () => this.session.world.useTrait(oidArg(oid), use), oid),
    removeTrait: (oid, trait, options) =>
      this.mutate(`Remove trait ${this.name(trait)} from ${this.name(oid)}`, options, () => this.session.world.removeTrait(oidArg(oid), oidArg(trait)), oid),

    search: async (text, limit = 50) => searchWorld(await this.everything(), String(text), Math.max(1, Math.min(1000, Number(limit) || 50))),
    senders: async (selector) => sendersOf(await this.everything(), String(selector)),
    implementors: async (selector) => implementorsOf(await this.everything(), String(selector)),
    references: async (oid) => referencesTo(await this.everything(), oidArg(oid)),

    imageInfo: () => this.imageView(),
    history: (options) => this.requireImage().history(options ?? {}),
    transaction: async (tid) => (await this.requireImage().transaction(tid)) ?? null,
    objectHistory: (oid, limit) => this.requireImage().objectHistory(oidArg(oid), limit),
    undo: async (tid, options) => {
      const image = this.requireImage();
      const world = this.session.world;
      const original = await image.transaction(tid);
      const note = options?.note ?? `Undo: ${original?.note ?? `transaction ${tid}`}`;
      const r = await image.undo(tid, { note, origin: 'ide' });
      // The store wrote the before-images itself: reload what it wrote.
      world.invalidate(r.written);
      await world.fault(r.written.filter((o) => !world.isLoaded(o)));
      this.emit({ type: 'change', change: { type: 'committed', tid: r.tid, note, oids: r.written } });
      return { tid: r.tid };
    },

    listImages: () => this.requireCatalog().list(),
    openImage: (name) => {
      const catalog = this.requireCatalog();
      return this.switchTo(() => catalog.open(String(name), this.options.sessionOptions ?? {}));
    },
    createImage: (name, from = 'genesis') => {
      const catalog = this.requireCatalog();
      if (from !== 'genesis' && from !== 'empty') throw new InvalidInput("a new image starts from 'genesis' or 'empty'");
      return this.switchTo(() => catalog.create(String(name), from, this.options.sessionOptions ?? {}));
    },
    renameImage: async (from, to) => {
      await this.requireCatalog().rename(String(from), String(to));
      if (this.session.image?.info.name === from) this.emit({ type: 'image', image: { ...this.imageView()!, name: String(to) } });
    },
    deleteImage: async (name) => {
      if (this.session.image?.info.name === name) throw new InvalidInput(`“${name}” is the open image; open another one before deleting it`);
      await this.requireCatalog().delete(String(name));
    },
    exportImage: (name, options) => {
      if (typeof name !== 'string') throw new InvalidInput('exportImage takes the name of an image');
      const task = `Export ${name}`;
      return this.withProgress(task, (onProgress) =>
        this.requireCatalog().exportFile(name, { includeHistory: options?.includeHistory === true, onProgress }),
      );
    },
    importImage: (file, name) => {
      if (!(file instanceof Blob)) throw new InvalidInput('importImage takes a .telos file');
      if (typeof name !== 'string' || name.trim() === '') throw new InvalidInput('an imported image needs a name');
      return this.withProgress(`Import ${name.trim()}`, (onProgress) => this.requireCatalog().importFile(file, name.trim(), onProgress));
    },
  };

  /** Runs a long task, telling its caller how far it has got at most ten times a second. */
  private async withProgress<T>(task: string, run: (onProgress: (fraction: number) => void) => Promise<T>): Promise<T> {
    const context = this.context;
    let last = 0;
    const report = (fraction: number | null) => context?.progress({ task, fraction } satisfies TaskProgress);
    report(0);
    return run((fraction) => {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      report(Math.min(1, Math.max(0, fraction)));
    });
  }

  private async dispatch(method: string, args: unknown[], context?: CallContext): Promise<unknown> {
    const fn = Object.hasOwn(this.api, method) ? (this.api[method as WorldMethod] as (...a: unknown[]) => unknown) : undefined;
    if (!fn) throw new InvalidInput(`the World worker does not understand '${method}'`);
    if (!Array.isArray(args)) throw new InvalidInput('request arguments must be a list');
    this.context = context;
    // An object not loaded yet (lazy open, or dropped by another tab's commit) faults: the
    // request's transaction was aborted, so load it and run the request again.
    let result: unknown;
    for (let round = 0; ; round++) {
      try {
        if (!WITHOUT_SANDBOX.has(method as WorldMethod)) await (await this.session.sandbox()).ready();
        result = await fn(...args);
        break;
      } catch (e) {
        if (!(e instanceof ObjectFault) || round >= 50) throw e;
        if (this.session.world.inTransaction) this.session.world.abort();
        await this.session.world.fault(e.oids);
      }
    }
    // mutate() answers {tid, value}; the API answers only {tid} (plus oid where named).
    if (result && typeof result === 'object' && 'value' in result && 'tid' in result) return { tid: (result as Committed).tid };
    return result;
  }
}

/**
 * Serves a World session over an endpoint (the worker's global scope, or a MessagePort);
 * `open` gets the function that pushes events (the session's Transcript lines use it).
 * Calls that arrive while the session opens wait for it; if it cannot open, every call is
 * answered with the reason.
 */
export function serveWorld(
  endpoint: Endpoint,
  open: (emit: (event: WorldEvent) => void) => Promise<WorldSession>,
  options: ServiceOptions = {},
): Promise<WorldService> {
  let service: WorldService | null = null;
  const server: Server<WorldEvent> = serve<WorldEvent>(endpoint, async (method, args, context) => (service ?? (await ready)).handle(method, args, context), {
    errorData: worldErrorData,
  });
  const ready = open((e) => server.emit(e)).then((session) => (service = new WorldService(session, (e) => server.emit(e), options)));
  return ready;
}
