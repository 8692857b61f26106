// The World worker's request handler, independent of how messages travel (a Worker, a
// MessagePort in tests). Requests run one at a time, so transactions never interleave; every
// mutation is a named transaction, committed on success and aborted on failure.

import { InvalidInput, ObjectFault, TelosError, isOid, type ErrorData, type OID, type Value } from '../world';
import { runTransaction } from '../sandbox';
import type { Committed, Endpoint, ImageView, ObjectSummary, ObjectView, RunResult, SearchHit, SlotHit, TxOptions, WorldApi, WorldMessage, WorldMethod, WorldRequest } from './world-protocol';
import type { ImageCatalog, SessionOptions, WorldSession } from './world-session';

export type { WorldSession };

/** Where the service finds other images (the worker passes the store's catalog). */
export interface ServiceOptions {
  catalog?: ImageCatalog;
  /** How sessions opened later are set up (the Transcript callback). */
  sessionOptions?: SessionOptions;
}

function toErrorData(e: unknown): ErrorData {
  if (e instanceof TelosError) {
    const data = e.toJSON();
    const where = (e as { where?: string }).where;
    if (where) data.where = where;
    return data;
  }
  if (e instanceof Error) return { name: e.name || 'Error', message: e.message };
  return { name: 'Error', message: String(e) };
}

/** Requests that run no code and change no object: answered without booting the sandbox, so
 * the IDE's first reads do not wait for QuickJS. Every other request waits for it (changes
 * need its syntax check). */
const WITHOUT_SANDBOX: ReadonlySet<WorldMethod> = new Set<WorldMethod>([
  'hello', 'listObjects', 'getObject', 'lookup', 'search', 'senders', 'implementors', 'references', 'imageInfo', 'history', 'transaction', 'objectHistory',
  'listImages', 'openImage', 'createImage', 'renameImage', 'deleteImage', 'exportImage', 'importImage',
]);

const oidArg = (v: unknown): OID => {
  if (!isOid(v)) throw new InvalidInput(`${JSON.stringify(v)} is not an OID`);
  return v;
};

export class WorldService {
  private queue: Promise<unknown> = Promise.resolve();
  private session!: WorldSession;
  private detach: () => void = () => {};

  constructor(
    session: WorldSession,
    private readonly emit: (message: WorldMessage) => void,
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
      if (e.type === 'integrity' && this.session === session) this.emit({ event: { type: 'image', image: this.imageView(), checked: true } });
    });
    const fromWorld = session.world.onChange((change) => {
      // The UI needs transaction boundaries and outside invalidations; intermediate
      // structure/value events inside a transaction are not worth a message each.
      if (change.type === 'committed' || change.type === 'aborted' || change.type === 'invalidated' || change.type === 'loaded')
        this.emit({ event: { type: 'change', change } });
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
    this.emit({ event: { type: 'image', image: view } });
    return view;
  }

  /** Handles one request after the previous ones finished; posts its response. */
  handle(request: WorldRequest): Promise<void> {
    const run = this.queue.then(async () => {
      try {
        const result = await this.dispatch(request);
        this.emit({ response: { id: request.id, ok: true, result: result ?? null } });
      } catch (e) {
        if (this.session.world.inTransaction) this.session.world.abort();
        this.emit({ response: { id: request.id, ok: false, error: toErrorData(e) } });
      }
    });
    this.queue = run;
    return run;
  }

  private name(oid: OID): string {
    return this.session.world.nameOf(oid);
  }

  /** One mutation as one transaction. */
  private async mutate<T>(note: string, options: TxOptions | undefined, fn: () => T): Promise<Committed & { value: T }> {
    const world = this.session.world;
    world.begin(options?.note ?? note, 'ide');
    let value: T;
    try {
      value = fn();
    } catch (e) {
      world.abort();
      throw e;
    }
    const r = await world.commit();
    return { tid: r?.tid ?? null, value };
  }

  private api: { [K in keyof WorldApi]: (...args: Parameters<WorldApi[K]>) => ReturnType<WorldApi[K]> | Promise<ReturnType<WorldApi[K]>> } = {
    hello: () => ({ root: this.session.image?.root ?? 0, objects: this.session.world.loadedOids().length }),

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

    getObject: (oid): ObjectView => {
      const w = this.session.world;
      const state = w.snapshot(oidArg(oid));
      const names: Record<OID, string> = {};
      const note = (o: OID) => (names[o] = w.nameOf(o));
      const visit = (v: Value): void => {
        if (v === null || typeof v !== 'object') return;
        if (Array.isArray(v)) v.forEach(visit);
        else if ('ref' in v) note(v.ref);
      };
      for (const s of state.slots) if (s.kind !== 'method') visit(s.value);
      for (const t of state.traits) note(t.trait);
      const methods = w.effectiveMethods(oid);
      for (const m of methods) note(m.holder);
      return { state, serial: w.serialOf(oid), methods, conflicts: w.conflicts(oid), requires: w.requires(oid), names };
    },

    lookup: (oid, selector) => this.session.world.lookup(oidArg(oid), selector),

    checkSyntax: async (source) => (await this.session.sandbox()).checkSyntax(String(source)),

    evaluate: async (code, options): Promise<RunResult> => {
      const sandbox = await this.session.sandbox();
      const firstLine = String(code).trim().split('\n')[0] ?? '';
      const note = options?.note ?? `Evaluate: ${firstLine.length > 60 ? firstLine.slice(0, 57) + '…' : firstLine}`;
      const { result, tid } = await runTransaction(sandbox, note, () => sandbox.evaluate(code, { deadlineMs: options?.deadlineMs }));
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
    setName: (oid, name, options) => this.mutate(`Rename ${this.name(oid)} to ${name}`, options, () => this.session.world.setName(oidArg(oid), name)),
    addSlot: (oid, slot, index, options) =>
      this.mutate(`Add slot ${slot?.name} to ${this.name(oid)}`, options, () => this.session.world.addSlot(oidArg(oid), slot, index ?? undefined)),
    removeSlot: (oid, name, options) => this.mutate(`Remove slot ${name} from ${this.name(oid)}`, options, () => this.session.world.removeSlot(oidArg(oid), name)),
    renameSlot: (oid, oldName, newName, options) =>
      this.mutate(`Rename slot ${oldName} to ${newName} on ${this.name(oid)}`, options, () => this.session.world.renameSlot(oidArg(oid), oldName, newName)),
    moveSlot: (oid, name, toIndex, options) => this.mutate(`Move slot ${name} on ${this.name(oid)}`, options, () => this.session.world.moveSlot(oidArg(oid), name, toIndex)),
    setSlotInfo: (oid, name, info, options) =>
      this.mutate(`Change slot ${name} on ${this.name(oid)}`, options, () => this.session.world.setSlotInfo(oidArg(oid), name, info)),
    setSlotValue: (oid, name, value, options) =>
      this.mutate(`Set ${name} on ${this.name(oid)}`, options, () => this.session.world.setSlotValue(oidArg(oid), name, value)),
    setMethod: (oid, name, source, options) =>
      this.mutate(`Save method ${name} of ${this.name(oid)}`, options, () => this.session.world.setMethod(oidArg(oid), name, source)),
    useTrait: (oid, use, options) =>
      this.mutate(`Use trait ${this.name(use?.trait)} in ${this.name(oid)}`, options, () => this.session.world.useTrait(oidArg(oid), use)),
    removeTrait: (oid, trait, options) =>
      this.mutate(`Remove trait ${this.name(trait)} from ${this.name(oid)}`, options, () => this.session.world.removeTrait(oidArg(oid), oidArg(trait))),

    search: (text, limit = 50) => {
      const w = this.session.world;
      const needle = String(text).toLowerCase();
      const hits: SearchHit[] = [];
      if (!needle) return hits;
      const max = Math.max(1, Math.min(1000, Number(limit) || 50));
      for (const oid of w.loadedOids()) {
        const s = w.get(oid);
        if (s.name.toLowerCase().includes(needle)) hits.push({ oid, name: s.name, match: 'object' });
        for (const slot of s.slots) {
          if (hits.length >= max) return hits;
          if (slot.name.toLowerCase().includes(needle)) hits.push({ oid, name: s.name, match: 'slot', slot: slot.name });
          else if (slot.kind === 'method' && slot.source.toLowerCase().includes(needle)) hits.push({ oid, name: s.name, match: 'source', slot: slot.name });
        }
        if (hits.length >= max) return hits;
      }
      return hits;
    },
    senders: (selector) => {
      const w = this.session.world;
      const sel = String(selector);
      const esc = sel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const pattern = new RegExp(`\\.\\s*${esc}(?![\\w$])|\\[\\s*['"]${esc}['"]\\s*\\]`);
      const hits: SlotHit[] = [];
      for (const oid of w.loadedOids()) {
        const s = w.get(oid);
        for (const slot of s.slots) if (slot.kind === 'method' && pattern.test(slot.source)) hits.push({ oid, name: s.name, slot: slot.name });
      }
      return hits;
    },
    implementors: (selector) => {
      const w = this.session.world;
      const hits: SlotHit[] = [];
      for (const oid of w.loadedOids()) {
        const s = w.get(oid);
        if (s.slots.some((x) => x.name === selector)) hits.push({ oid, name: s.name, slot: String(selector) });
      }
      return hits;
    },
    references: (oid) => {
      const w = this.session.world;
      return w.references(oidArg(oid)).map((r) => ({ oid: r.oid, name: w.nameOf(r.oid), slot: r.slot }));
    },

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
      this.emit({ event: { type: 'change', change: { type: 'committed', tid: r.tid, note, oids: r.written } } });
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
      if (this.session.image?.info.name === from) this.emit({ event: { type: 'image', image: { ...this.imageView()!, name: String(to) } } });
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

  /** Runs a long task, telling the UI how far it has got at most ten times a second. */
  private async withProgress<T>(task: string, run: (onProgress: (fraction: number) => void) => Promise<T>): Promise<T> {
    let last = 0;
    const report = (fraction: number | null, done: boolean) => this.emit({ event: { type: 'progress', progress: { task, fraction, done } } });
    report(0, false);
    try {
      return await run((fraction) => {
        const now = Date.now();
        if (now - last < 100) return;
        last = now;
        report(Math.min(1, Math.max(0, fraction)), false);
      });
    } finally {
      report(1, true);
    }
  }

  private async dispatch(request: WorldRequest): Promise<unknown> {
    const fn = Object.hasOwn(this.api, request.method) ? (this.api[request.method] as (...a: unknown[]) => unknown) : undefined;
    if (!fn) throw new InvalidInput(`the World worker does not understand '${String(request.method)}'`);
    if (!Array.isArray(request.args)) throw new InvalidInput('request arguments must be a list');
    // An object not loaded yet (lazy open, or dropped by another tab's commit) faults: the
    // request's transaction was aborted, so load it and run the request again.
    let result: unknown;
    for (let round = 0; ; round++) {
      try {
        if (!WITHOUT_SANDBOX.has(request.method)) await (await this.session.sandbox()).ready();
        result = await fn(...request.args);
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

/** Serves a World session over an endpoint (the worker's global scope, or a MessagePort). */
export function serveWorld(endpoint: Endpoint, open: () => Promise<WorldSession>, options: ServiceOptions = {}): Promise<WorldService> {
  const emit = (m: WorldMessage) => endpoint.postMessage(m);
  const pending: WorldRequest[] = [];
  let service: WorldService | null = null;
  endpoint.addEventListener('message', (ev: MessageEvent) => {
    const req = ev.data as WorldRequest;
    if (!req || typeof req !== 'object' || typeof req.id !== 'number') return;
    if (service) void service.handle(req);
    else pending.push(req);
  });
  (endpoint as { start?: () => void }).start?.();
  return open().then(
    (session) => {
      service = new WorldService(session, emit, options);
      for (const r of pending.splice(0)) void service.handle(r);
      return service;
    },
    (e) => {
      // Answer everything with the reason the World could not open.
      const error = toErrorData(e);
      endpoint.addEventListener('message', (ev: MessageEvent) => {
        const req = ev.data as WorldRequest;
        if (req && typeof req.id === 'number') emit({ response: { id: req.id, ok: false, error } });
      });
      for (const r of pending.splice(0)) emit({ response: { id: r.id, ok: false, error } });
      throw e;
    },
  );
}
