// The World link over the World worker's typed client (src/workers/world-client.ts).
// The client answers per-object questions and performs named transactions; what it does
// not offer yet is composed here from those calls:
//  - search, senders, implementors and references scan every object's view (cached, and
//    dropped for the objects each commit names);
//  - trait methods' source is read from the trait that holds them;
//  - a value typed as source (`self.Circle`, `3 * 4`) is evaluated first, then assigned;
//  - the window layout is the `layout` slot of an `IDE world` object the lobby refers to
//    (slot `ideWorld`), written as transactions whose note starts with "Layout:".
// History, undo and the image registry are the worker's (its store); a World without a
// store refuses them with a reason, which the windows show.
import type { WorldClient, ObjectView as ClientObjectView, SlotInput, ImageView } from '../../workers/world-client';
import type { WorldChange, WorldLink } from './worldLink';
import { useViewState } from '../viewState';
import type {
  ErrorView,
  EvalOutcome,
  FrameView,
  ImageInfo,
  ObjectSummary,
  ObjectView,
  Outcome,
  SlotKind,
  SlotView,
  SpotterHit,
  TransactionView,
  Value,
} from './types';

export const LAYOUT_NOTE = 'Layout:';
const LAYOUT_SLOT = 'ideWorld';

type Raw = ClientObjectView;

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
  return {
    name,
    message: typeof d.reason === 'string' && name === 'MethodSyntaxError' ? String(d.reason) : message,
    line: typeof d.line === 'number' ? d.line : undefined,
    column: typeof d.column === 'number' ? d.column : undefined,
    frames,
  };
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

export class ClientLink implements WorldLink {
  private raw = new Map<number, Promise<Raw>>();
  private summaries: Promise<ObjectSummary[]> | null = null;
  private changeListeners = new Set<(c: WorldChange) => void>();
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
      if (event.type === 'progress') {
        // Long tasks (export, import) report how far they got in the status bar.
        const { task, fraction, done } = event.progress;
        if (!done) useViewState.getState().setStatus(`${task}: ${fraction === null ? '…' : `${Math.round(fraction * 100)}%`}`);
        return;
      }
      // The open image's background check finished: connect.ts shows its verdict.
      if (event.type === 'image' && event.checked) return;
      if (event.type === 'image') {
        // Another image was opened: every cached object belongs to the old one.
        this.raw.clear();
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
      for (const oid of c.oids) this.raw.delete(oid);
      this.summaries = null;
      const change: WorldChange =
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

  private getRaw(oid: number): Promise<Raw> {
    let p = this.raw.get(oid);
    if (!p) {
      p = this.client.getObject(oid);
      this.raw.set(oid, p);
      p.catch(() => this.raw.delete(oid));
    }
    return p;
  }

  listObjects(): Promise<ObjectSummary[]> {
    this.summaries ??= this.client.listObjects().then((list) => list.map((o) => ({ oid: o.oid, name: o.name })));
    return this.summaries;
  }

  async readObject(oid: number): Promise<ObjectView> {
    const raw = await this.getRaw(oid);
    const st = raw.state;
    const names: Record<number, string> = { ...raw.names, [oid]: st.name };
    const slots: SlotView[] = st.slots.map((s) => ({
      name: s.name,
      kind: s.kind,
      value: s.kind === 'method' ? undefined : (s.value as Value),
      source: s.kind === 'method' ? s.source : undefined,
      category: s.category,
      comment: s.comment,
      constant: s.kind !== 'method' ? s.constant : undefined,
      holder: oid,
      holderName: st.name,
      via: 'own',
    }));
    const fromTraits = raw.methods.filter((m) => m.holder !== oid);
    const holders = await Promise.all([...new Set(fromTraits.map((m) => m.holder))].map((h) => this.getRaw(h)));
    const byOid = new Map(holders.map((h) => [h.state.oid, h.state]));
    const traitMethods: SlotView[] = fromTraits.map((m) => {
      const holder = byOid.get(m.holder);
      const slot = holder?.slots.find((s) => s.name === m.slot);
      return {
        name: m.selector,
        kind: 'method',
        source: slot && slot.kind === 'method' ? slot.source : undefined,
        category: slot?.category,
        holder: m.holder,
        holderName: holder?.name ?? names[m.holder] ?? `#${m.holder}`,
        via: 'trait',
      };
    });
    const nameOf = (o: number) => names[o] ?? byOid.get(o)?.name ?? `#${o}`;
    return {
      oid,
      name: st.name,
      slots,
      traitMethods,
      traits: st.traits.map((u) => ({ trait: u.trait, traitName: nameOf(u.trait), exclude: u.exclude, alias: u.alias })),
      conflicts: raw.conflicts.map((c) => ({ selector: c.selector, traits: c.traits.map((t) => ({ oid: t, name: nameOf(t) })) })),
      requires: raw.requires.map((r) => ({ trait: r.trait, traitName: nameOf(r.trait), selectors: r.selectors })),
      names,
    };
  }

  async evaluate(source: string): Promise<EvalOutcome> {
    try {
      const r = await this.client.evaluate(source);
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

  addSlot(oid: number, name: string, kind: SlotKind, valueOrSource: Value | string, category?: string): Promise<Outcome> {
    return attempt(async () => {
      let slot: SlotInput;
      if (kind === 'method') slot = { name, kind, source: String(valueOrSource), category };
      else {
        const value = typeof valueOrSource === 'string' ? await this.valueOf(valueOrSource) : valueOrSource;
        slot = kind === 'parent' ? { name, kind, value: value as { ref: number }, category } : { name, kind, value, category };
      }
      await this.client.addSlot(oid, slot);
    });
  }

  removeSlot(oid: number, name: string): Promise<Outcome> {
    return attempt(async () => void (await this.client.removeSlot(oid, name)));
  }

  renameSlot(oid: number, from: string, to: string): Promise<Outcome> {
    return attempt(async () => void (await this.client.renameSlot(oid, from, to)));
  }

  recategorizeSlot(oid: number, name: string, category: string): Promise<Outcome> {
    return attempt(async () => void (await this.client.setSlotInfo(oid, name, { category })));
  }

  setSlotValue(oid: number, name: string, valueSource: string): Promise<Outcome> {
    return attempt(async () => void (await this.client.setSlotValue(oid, name, await this.valueOf(valueSource))));
  }

  setMethod(oid: number, name: string, source: string): Promise<Outcome> {
    return attempt(async () => void (await this.client.setMethod(oid, name, source)));
  }

  clone(oid: number): Promise<Outcome<number>> {
    return attempt(async () => (await this.client.clone(oid)).oid);
  }

  setTraitUse(oid: number, trait: number, exclude: string[], alias: Record<string, string>): Promise<Outcome> {
    return attempt(async () => void (await this.client.useTrait(oid, { trait, exclude, alias })));
  }

  /** Every object's view, for the queries that scan the whole World. */
  private async everything(): Promise<Raw[]> {
    const list = await this.listObjects();
    const all = await Promise.all(list.map((o) => this.getRaw(o.oid).catch(() => null)));
    return all.filter((r): r is Raw => r !== null);
  }

  async search(text: string, limit: number): Promise<SpotterHit[]> {
    const q = text.toLowerCase();
    const exact: SpotterHit[] = [];
    const objects: SpotterHit[] = [];
    const slots: SpotterHit[] = [];
    const methods: SpotterHit[] = [];
    for (const r of await this.everything()) {
      const st = r.state;
      const n = st.name.toLowerCase();
      if (n === q) exact.push({ kind: 'object', oid: st.oid, objectName: st.name });
      else if (n.includes(q)) objects.push({ kind: 'object', oid: st.oid, objectName: st.name });
      for (const s of st.slots) {
        if (s.name.toLowerCase().includes(q)) {
          (s.kind === 'method' ? methods : slots).push({ kind: s.kind === 'method' ? 'method' : 'slot', oid: st.oid, objectName: st.name, slot: s.name });
        } else if (s.kind === 'method') {
          const line = s.source.split('\n').find((l) => l.toLowerCase().includes(q));
          if (line) methods.push({ kind: 'method', oid: st.oid, objectName: st.name, slot: s.name, excerpt: line.trim() });
        }
      }
    }
    objects.sort((a, b) => a.objectName.length - b.objectName.length);
    return [...exact, ...objects, ...slots, ...methods].slice(0, limit);
  }

  async senders(selector: string): Promise<SpotterHit[]> {
    const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const send = new RegExp(`\\.${escaped}\\s*\\(|\\.${escaped}\\b`);
    const hits: SpotterHit[] = [];
    for (const r of await this.everything()) {
      for (const s of r.state.slots) {
        if (s.kind !== 'method') continue;
        const line = s.source.split('\n').find((l) => send.test(l));
        if (line) hits.push({ kind: 'method', oid: r.state.oid, objectName: r.state.name, slot: s.name, excerpt: line.trim() });
      }
    }
    return hits;
  }

  async implementors(selector: string): Promise<SpotterHit[]> {
    const hits: SpotterHit[] = [];
    for (const r of await this.everything()) {
      const s = r.state.slots.find((x) => x.name === selector && x.kind === 'method');
      if (s && s.kind === 'method') hits.push({ kind: 'method', oid: r.state.oid, objectName: r.state.name, slot: s.name, excerpt: s.source.split('\n')[0] });
    }
    return hits;
  }

  async references(oid: number): Promise<SpotterHit[]> {
    const refersTo = (v: unknown): boolean =>
      Array.isArray(v) ? v.some(refersTo) : typeof v === 'object' && v !== null && (v as { ref?: number }).ref === oid;
    const hits: SpotterHit[] = [];
    for (const r of await this.everything()) {
      for (const s of r.state.slots) {
        if (s.kind !== 'method' && refersTo(s.value)) hits.push({ kind: 'slot', oid: r.state.oid, objectName: r.state.name, slot: s.name });
      }
      for (const u of r.state.traits) if (u.trait === oid) hits.push({ kind: 'object', oid: r.state.oid, objectName: r.state.name, excerpt: 'uses it as a trait' });
    }
    return hits;
  }

  async history(limit: number): Promise<TransactionView[]> {
    const [txs, objects] = await Promise.all([this.client.history({ limit }), this.listObjects()]);
    const names = new Map(objects.map((o) => [o.oid, o.name]));
    return txs.filter((t) => !t.note.startsWith(LAYOUT_NOTE)).map((t) => ({
      tid: t.tid,
      time: t.time,
      note: t.note,
      origin: t.origin,
      changes: t.oids.map((oid) => ({ oid, name: names.get(oid) ?? `#${oid}`, summary: '' })),
    }));
  }

  undo(tid: number): Promise<Outcome> {
    return attempt(async () => void (await this.client.undo(tid)));
  }

  async listImages(): Promise<ImageInfo[]> {
    const list = await this.client.listImages();
    return list.map((i) => ({ name: i.name, createdAt: i.createdAt }));
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

  exportImage(name: string): Promise<Outcome<Blob>> {
    return attempt(() => this.client.exportImage(name));
  }

  importImage(file: File, name: string): Promise<Outcome> {
    return attempt(async () => void (await this.client.importImage(file, name)));
  }

  private async layoutObject(): Promise<number | null> {
    const root = await this.getRaw(this.rootOid);
    const slot = root.state.slots.find((s) => s.name === LAYOUT_SLOT);
    const v = slot && slot.kind !== 'method' ? (slot.value as { ref?: number } | null) : null;
    return v && typeof v === 'object' && typeof v.ref === 'number' ? v.ref : null;
  }

  async readLayout(): Promise<unknown | null> {
    const oid = await this.layoutObject();
    if (oid === null) return null;
    const slot = (await this.getRaw(oid)).state.slots.find((s) => s.name === 'layout');
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

  subscribe(listener: (change: WorldChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onPrint(listener: (text: string) => void): () => void {
    this.printListeners.add(listener);
    return () => this.printListeners.delete(listener);
  }
}
