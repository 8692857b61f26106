// The IDE's one door to the World worker: every window talks to the World through the
// WorldLink over the worker's typed client (src/workers). The worker holds the truth and
// answers reads, queries (search, senders, implementors, references) and named
// transactions; the link caches object views (dropped for the objects each commit names),
// turns failures into ErrorViews a window can show, and adds what only the IDE needs:
//  - a value typed as source (`self.Circle`, `3 * 4`) is evaluated first, then assigned;
//  - the window layout is the `layout` slot of an `IDE world` object the lobby refers to
//    (slot `ideWorld`), written as transactions whose note starts with "Layout:".
// History, undo and the image registry are the worker's (its store); a World without a
// store refuses them with a reason, which the windows show.
import type { ImageEntry, ImageView, ObjectSummary, ObjectView, QueryHit, SlotInput, SlotKind, TaskProgress, TxOptions, Value, WorldClient } from '../../workers';
import { useViewState } from '../view-state';
import type { ErrorView, EvalOutcome, FrameView, Outcome, StaleEdit, TransactionView } from './types';

/** What a window hears about a change: the objects it touched (none: anything may have
 * changed, e.g. another image was opened), and the transaction's note and tid for a commit. */
export interface LinkChange {
  oids: number[];
  note?: string;
  tid?: number;
}

export const LAYOUT_NOTE = 'Layout:';
const LAYOUT_SLOT = 'ideWorld';

/** Turns whatever the client rejected with into an error a person can read. */
export function errorView(e: unknown, workspaceSource?: string): ErrorView {
  const d = (e ?? {}) as Record<string, unknown>;
  const name = typeof d.name === 'string' ? d.name : 'Error';
  const message = typeof d.message === 'string' ? d.message : String(e);
  const sends = Array.isArray(d.sends) ? (d.sends as Record<string, unknown>[]) : [];
  const frames: FrameView[] = sends.map((f) => {
    const workspace = f.selector === '(workspace)';
    return {
      owner: workspace ? -1 : Number(f.owner),
      ownerName: workspace ? 'Workspace' : String(f.ownerName ?? `#${f.owner}`),
      selector: String(f.selector),
      line: typeof f.line === 'number' ? f.line : undefined,
      column: typeof f.column === 'number' ? f.column : undefined,
      source: workspace ? workspaceSource : undefined,
    };
  });
  const stale: StaleEdit | undefined =
    name === 'ConflictError' && typeof d.oid === 'number' && typeof d.seenSerial === 'number' && typeof d.currentSerial === 'number'
      ? { oid: d.oid, seenSerial: d.seenSerial, currentSerial: d.currentSerial }
      : undefined;
  return {
    ...(stale ? { stale } : {}),
    name,
    message: typeof d.reason === 'string' && name === 'MethodSyntaxError' ? String(d.reason) : message,
    line: typeof d.line === 'number' ? d.line : undefined,
    column: typeof d.column === 'number' ? d.column : undefined,
    frames,
  };
}

/** Long calls (export, import) report how far they got in the status bar. */
function showProgress(progress: unknown): void {
  const { task, fraction } = progress as TaskProgress;
  useViewState.getState().setStatus(`${task}: ${fraction === null ? '…' : `${Math.round(fraction * 100)}%`}`);
}

async function attempt<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, error: errorView(e) };
  }
}

/** Literal values typed in the outliner, without a round trip: numbers, JSON, 'strings', #oid. */
function parseLiteral(text: string): { value: Value } | null {
  const t = text.trim();
  const ref = /^#(\d+)$/.exec(t);
  if (ref) return { value: { ref: Number(ref[1]) } };
  if (/^'([^'\\]|\\.)*'$/.test(t)) return { value: t.slice(1, -1).replace(/\\(.)/g, '$1') };
  try {
    return { value: JSON.parse(t) as Value };
  } catch {
    return null;
  }
}

export class WorldLink {
  private views = new Map<number, Promise<ObjectView>>();
  private summaries: Promise<ObjectSummary[]> | null = null;
  private changeListeners = new Set<(c: LinkChange) => void>();
  private printListeners = new Set<(t: string) => void>();
  private imageListeners = new Set<(image: ImageView | null) => void>();
  private rootOidNow: number;

  constructor(
    private readonly client: WorldClient,
    rootOid: number,
    private name: string,
  ) {
    this.rootOidNow = rootOid;
    client.subscribe((event) => {
      if (event.type === 'transcript') {
        for (const l of this.printListeners) l(event.line);
        return;
      }
      // The open image's background check finished: connect.ts shows its verdict.
      if (event.type === 'image' && event.checked) return;
      if (event.type === 'image') {
        // Another image was opened: every cached object belongs to the old one.
        this.views.clear();
        this.summaries = null;
        if (event.image) {
          this.name = event.image.name;
          this.rootOidNow = event.image.root;
        }
        for (const l of this.imageListeners) l(event.image);
        for (const l of this.changeListeners) l({ oids: [] });
        return;
      }
      const c = event.change;
      if (c.type !== 'committed' && c.type !== 'invalidated') return;
      for (const oid of c.oids) this.views.delete(oid);
      this.summaries = null;
      const change: LinkChange =
        c.type === 'committed' ? { oids: c.oids, note: c.note, tid: c.tid } : { oids: c.oids };
      for (const l of this.changeListeners) l(change);
    });
  }

  get rootOid(): number {
    return this.rootOidNow;
  }

  imageName(): string {
    return this.name;
  }

  /** The open image (null for a World in memory). */
  imageInfo(): Promise<ImageView | null> {
    return this.client.imageInfo();
  }

  onImage(listener: (image: ImageView | null) => void): () => void {
    this.imageListeners.add(listener);
    return () => this.imageListeners.delete(listener);
  }

  /** Everything an outliner shows about one object (cached until a change names it). */
  readObject(oid: number): Promise<ObjectView> {
    let p = this.views.get(oid);
    if (!p) {
      p = this.client.getObject(oid);
      this.views.set(oid, p);
      p.catch(() => this.views.delete(oid));
    }
    return p;
  }

  listObjects(): Promise<ObjectSummary[]> {
    this.summaries ??= this.client.listObjects();
    return this.summaries;
  }

  /** Workspace code as one transaction, under `deadlineMs` and stopped when `stop`'s flag is raised. */
  async evaluate(source: string, options: { deadlineMs?: number; stop?: SharedArrayBuffer } = {}): Promise<EvalOutcome> {
    try {
      const r = await this.client.evaluate(source, options);
      // Printed lines arrive as transcript events; they are not repeated here.
      return { ok: true, value: r.result.value as Value, printString: r.result.display, output: [] };
    } catch (e) {
      return { ok: false, error: errorView(e, source), output: [] };
    }
  }

  /** A value from source text: a literal directly, anything else evaluated in the workspace. */
  private async valueOf(text: string): Promise<Value> {
    const lit = parseLiteral(text);
    if (lit) return lit.value;
    const r = await this.client.evaluate(`return (${text});`, { note: 'Evaluate a slot value' });
    return r.result.value as Value;
  }

  // Every edit below carries `seenSerial`, the serial of the object as the user saw it when
  // the edit started (ObjectView.serial): over a newer version the World refuses it with a
  // stale-edit ConflictError (ErrorView.stale) and writes nothing. The cached view of the
  // object is dropped then, so the windows re-read the version now current.

  addSlot(oid: number, name: string, kind: SlotKind, valueOrSource: Value | string, category?: string, seenSerial?: number): Promise<Outcome<number | null>> {
    return this.edit(oid, async (options) => {
      let slot: SlotInput;
      if (kind === 'method') slot = { name, kind, source: String(valueOrSource), category };
      else {
        const value = typeof valueOrSource === 'string' ? await this.valueOf(valueOrSource) : valueOrSource;
        slot = kind === 'parent' ? { name, kind, value: value as { ref: number }, category } : { name, kind, value, category };
      }
      return (await this.client.addSlot(oid, slot, undefined, options)).tid;
    }, seenSerial);
  }

  removeSlot(oid: number, name: string, seenSerial?: number): Promise<Outcome<number | null>> {
    return this.edit(oid, async (options) => (await this.client.removeSlot(oid, name, options)).tid, seenSerial);
  }

  renameSlot(oid: number, from: string, to: string, seenSerial?: number): Promise<Outcome<number | null>> {
    return this.edit(oid, async (options) => (await this.client.renameSlot(oid, from, to, options)).tid, seenSerial);
  }

  recategorizeSlot(oid: number, name: string, category: string, seenSerial?: number): Promise<Outcome<number | null>> {
    return this.edit(oid, async (options) => (await this.client.setSlotInfo(oid, name, { category }, options)).tid, seenSerial);
  }

  /** Sets a data slot from source text; the outcome is the committing transaction. */
  setSlotValue(oid: number, name: string, valueSource: string, seenSerial?: number): Promise<Outcome<number | null>> {
    return this.edit(oid, async (options) => (await this.client.setSlotValue(oid, name, await this.valueOf(valueSource), options)).tid, seenSerial);
  }

  /** Saves a method; the outcome is the committing transaction. */
  setMethod(oid: number, name: string, source: string, seenSerial?: number): Promise<Outcome<number | null>> {
    return this.edit(oid, async (options) => (await this.client.setMethod(oid, name, source, options)).tid, seenSerial);
  }

  clone(oid: number): Promise<Outcome<number>> {
    return attempt(async () => (await this.client.clone(oid)).oid);
  }

  setTraitUse(oid: number, trait: number, exclude: string[], alias: Record<string, string>, seenSerial?: number): Promise<Outcome> {
    return this.edit(oid, async (options) => void (await this.client.useTrait(oid, { trait, exclude, alias }, options)), seenSerial);
  }

  private async edit<T>(oid: number, fn: (options: TxOptions | undefined) => Promise<T>, seenSerial: number | undefined): Promise<Outcome<T>> {
    const outcome = await attempt(() => fn(seenSerial === undefined ? undefined : { seenSerial }));
    if (!outcome.ok && outcome.error.stale) {
      this.views.delete(oid);
      this.summaries = null;
      for (const l of this.changeListeners) l({ oids: [oid] });
    }
    return outcome;
  }

  /** The spotter: object names, slot names and method source containing `text`. */
  search(text: string, limit: number): Promise<QueryHit[]> {
    return this.client.search(text, limit);
  }

  /** Methods that send `selector`. */
  senders(selector: string): Promise<QueryHit[]> {
    return this.client.senders(selector);
  }

  /** Objects with a method named `selector`. */
  implementors(selector: string): Promise<QueryHit[]> {
    return this.client.implementors(selector);
  }

  /** Slots and trait uses that refer to the object. */
  references(oid: number): Promise<QueryHit[]> {
    return this.client.references(oid);
  }

  async history(limit: number): Promise<TransactionView[]> {
    const [txs, objects] = await Promise.all([this.client.history({ limit }), this.listObjects()]);
    const names = new Map(objects.map((o) => [o.oid, o.name]));
    return txs.filter((t) => !t.note.startsWith(LAYOUT_NOTE)).map((t) => ({
      tid: t.tid,
      time: t.time,
      note: t.note,
      origin: t.origin,
      undoable: t.undoable,
      changes: t.oids.map((oid) => ({ oid, name: names.get(oid) ?? `#${oid}`, summary: '' })),
    }));
  }

  undo(tid: number): Promise<Outcome> {
    return attempt(async () => void (await this.client.undo(tid)));
  }

  listImages(): Promise<ImageEntry[]> {
    return this.client.listImages();
  }

  newImage(name: string): Promise<Outcome> {
    return attempt(async () => void (await this.client.createImage(name, 'genesis')));
  }

  openImage(name: string): Promise<Outcome> {
    return attempt(async () => void (await this.client.openImage(name)));
  }

  renameImage(from: string, to: string): Promise<Outcome> {
    return attempt(async () => void (await this.client.renameImage(from, to)));
  }

  deleteImage(name: string): Promise<Outcome> {
    return attempt(async () => void (await this.client.deleteImage(name)));
  }

  /** Image `name` as a `.telos` file; the status bar shows how far it has got. */
  exportImage(name: string): Promise<Outcome<Blob>> {
    return attempt(() => this.client.call('exportImage', [name], { onProgress: showProgress }));
  }

  /** Imports a `.telos` file as a new image; the status bar (and `onProgress`) hear how far it has got. */
  importImage(file: File, name: string, onProgress?: (fraction: number | null) => void): Promise<Outcome> {
    const progress = (p: unknown) => {
      showProgress(p);
      onProgress?.((p as TaskProgress).fraction);
    };
    return attempt(async () => void (await this.client.call('importImage', [file, name], { onProgress: progress })));
  }

  private async layoutObject(): Promise<number | null> {
    const root = await this.readObject(this.rootOid);
    const slot = root.slots.find((s) => s.name === LAYOUT_SLOT);
    const v = slot && slot.kind !== 'method' ? (slot.value as { ref?: number } | null | undefined) : null;
    return v && typeof v === 'object' && typeof v.ref === 'number' ? v.ref : null;
  }

  async readLayout(): Promise<unknown | null> {
    const oid = await this.layoutObject();
    if (oid === null) return null;
    const slot = (await this.readObject(oid)).slots.find((s) => s.name === 'layout');
    if (!slot || slot.kind === 'method' || typeof slot.value !== 'string') return null;
    try {
      return JSON.parse(slot.value) as unknown;
    } catch {
      return null;
    }
  }

  writeLayout(layout: unknown): Promise<Outcome> {
    return attempt(async () => {
      const json = JSON.stringify(layout);
      let oid = await this.layoutObject();
      if (oid === null) {
        // One transaction creates the IDE world and hangs it from the lobby: an object is
        // stored only when reachable from the root at commit.
        const code = [
          'const ide = self.BaseObject.clone();',
          `reflect(ide).addSlot('layout', ${JSON.stringify(json)}, { kind: 'data', category: 'morphs', comment: 'Window morphs: kind, target, position, size, stacking' });`,
          `reflect(self).addSlot('${LAYOUT_SLOT}', ide, { kind: 'data', category: 'ide' });`,
          'return ide;',
        ].join('\n');
        await this.client.evaluate(code, { note: `${LAYOUT_NOTE} the IDE world` });
      } else {
        await this.client.setSlotValue(oid, 'layout', json, { note: `${LAYOUT_NOTE} arrange windows` });
      }
    });
  }

  subscribe(listener: (change: LinkChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onPrint(listener: (text: string) => void): () => void {
    this.printListeners.add(listener);
    return () => this.printListeners.delete(listener);
  }
}
