// The kernel's objects as objects of the World: each PS object under the `kernel:`
// namespace (`kernel:20` is the PS's object 20), with its data slots as values, its parent
// slots, trait uses and capability slots, read over the bridge while the Machine runs and
// from the disk (marked stale: the last values written) when it is off. Sends to them
// cross the bridge and so are asynchronous: spawn and terminate go to the PMS, a data
// slot's new value is one PS transaction. With the Machine off they fail with
// MachineNotRunning and change nothing.
//
// Why a namespace and not a reserved range of World OIDs: the World's OIDs are taken from
// blocks the image reserves in IndexedDB and its objects commit in IndexedDB transactions;
// kernel objects are numbered by the PS and commit in PS transactions. A `kernel:` name
// keeps the two numberings apart (no range to guard on either side) and says in the
// outliner where the object lives.
import { BridgeError, type BridgeClient } from './bridge';
import { readPsDisk } from './psdisk';
import { decodePsObject, encodePsObject, type PsCap, type PsContent, type PsValue } from './psobject';

export const KERNEL_NAMESPACE = 'kernel:';

/** The World-side name of kernel object `oid`. */
export const kernelRef = (oid: number): string => `${KERNEL_NAMESPACE}${oid}`;

/** The kernel oid a `kernel:N` name stands for, or undefined for any other text. */
export function kernelOidOf(ref: string): number | undefined {
  const m = /^kernel:(\d{1,10})$/.exec(ref);
  const oid = m ? Number(m[1]) : NaN;
  return Number.isInteger(oid) && oid > 0 && oid <= 0xffffffff ? oid : undefined;
}

/** The genesis oids of include/telos/genesis.h this module needs. */
const GENESIS = { LOBBY: 1, PMS: 12, IMAGES: 15, FIRST_FREE: 1000 } as const;

/** A data slot's value with references to other kernel objects as `{ kernel: oid }`. */
export type KernelValue = null | boolean | number | string | { bytes: number } | { kernel: number } | KernelValue[];

export type KernelSlot =
  | { kind: 'data'; name: string; value: KernelValue }
  | { kind: 'parent'; name: string; kernel: number }
  | { kind: 'method'; name: string; label: number }
  | { kind: 'cap'; name: string; cap: PsCap };

/** A kernel object as the World sees it. */
export interface KernelWorldObject {
  /** `kernel:N`. */
  ref: string;
  oid: number;
  name: string;
  slots: KernelSlot[];
  traits: { kernel: number; exclude: string[]; alias: Record<string, string> }[];
  /** true when read from the disk of a Machine that is off: the last values committed. */
  stale: boolean;
}

/** A send to a kernel object while the Machine is off (or its bridge not serving yet). */
export class MachineNotRunning extends Error {
  override name = 'MachineNotRunning';
  constructor(what: string) {
    super(`${what}: the Machine is not running (boot it first); nothing was changed`);
  }
}

/** The PS or PMS refused a send; `refusal` names why (PS_ECONFLICT, ...). */
export class KernelRefused extends Error {
  override name = 'KernelRefused';
  constructor(readonly refusal: string, what: string) {
    super(`${what} was refused by the kernel (${refusal}); nothing was changed`);
  }
}

function worldValue(v: PsValue): KernelValue {
  if (v instanceof Uint8Array) return { bytes: v.length };
  if (Array.isArray(v)) return v.map(worldValue);
  if (v !== null && typeof v === 'object') return { kernel: v.ref };
  return v;
}

function psValue(v: KernelValue): PsValue {
  if (Array.isArray(v)) return v.map(psValue);
  if (v !== null && typeof v === 'object') {
    if ('kernel' in v) return { ref: v.kernel };
    throw new TypeError('raw bytes cannot be written from the World');
  }
  return v;
}

/** The World's view of one decoded PS object (blobs have none). */
export function kernelWorldObject(oid: number, content: PsContent, stale: boolean): KernelWorldObject | undefined {
  if (content.kind !== 'object') return undefined;
  return {
    ref: kernelRef(oid),
    oid,
    name: content.name || kernelRef(oid),
    stale,
    slots: content.slots.map((s): KernelSlot => {
      switch (s.kind) {
        case 'data':
          return { kind: 'data', name: s.name, value: worldValue(s.value) };
        case 'parent':
          return { kind: 'parent', name: s.name, kernel: s.ref };
        case 'method':
          return { kind: 'method', name: s.name, label: s.label };
        default:
          return { kind: 'cap', name: s.name, cap: { ...s.cap } };
      }
    }),
    traits: content.traits.map((t) => ({ kernel: t.trait, exclude: [...t.exclude], alias: { ...t.alias } })),
  };
}

/**
 * The kernel image for the World. `bridge` answers the client while the Machine runs and
 * its bridge serves (null otherwise); `disk` reads the kernel disk as it is stored.
 */
export class KernelImage {
  constructor(
    private readonly bridge: () => BridgeClient | null,
    private readonly disk: () => Promise<ArrayBuffer | Uint8Array>,
  ) {}

  private live(what: string): BridgeClient {
    const b = this.bridge();
    if (!b) throw new MachineNotRunning(what);
    return b;
  }

  /** Every typed kernel object: live over the bridge (one batched request), else from the disk, stale. */
  async objects(): Promise<KernelWorldObject[]> {
    const b = this.bridge();
    const out: KernelWorldObject[] = [];
    if (b) {
      const all = await b.getObjects(await b.listObjects());
      for (const [oid, bytes] of all) {
        const o = bytes && this.decode(oid, bytes, false);
        if (o) out.push(o);
      }
    } else {
      const read = readPsDisk(await this.disk());
      if (read.kind === 'ok') for (const o of read.objects.values()) {
        const w = this.decode(o.oid, o.bytes, true);
        if (w) out.push(w);
      }
    }
    return out.sort((x, y) => x.oid - y.oid);
  }

  /** One kernel object (undefined when the PS has none of that oid, or it is a blob). */
  async object(oid: number): Promise<KernelWorldObject | undefined> {
    const b = this.bridge();
    if (b) {
      const bytes = (await b.getObjects([oid])).get(oid);
      return bytes && this.decode(oid, bytes, false);
    }
    const read = readPsDisk(await this.disk());
    const o = read.kind === 'ok' ? read.objects.get(oid) : undefined;
    return o && this.decode(oid, o.bytes, true);
  }

  private decode(oid: number, bytes: Uint8Array, stale: boolean): KernelWorldObject | undefined {
    try {
      return kernelWorldObject(oid, decodePsObject(bytes), stale);
    } catch {
      return undefined; // a damaged object is shown by the Kernel objects window, not here
    }
  }

  /** `PMS spawn: name`: a new process running the program image `name`, answered as its object. */
  async spawn(name: string): Promise<KernelWorldObject> {
    const b = this.live(`PMS spawn('${name}')`);
    const images = await b.getObjects([GENESIS.IMAGES]);
    const mapping = images.get(GENESIS.IMAGES);
    const content = mapping && decodePsObject(mapping);
    const slot = content?.kind === 'object' ? content.slots.find((s) => s.kind === 'data' && s.name === name) : undefined;
    const image = slot?.kind === 'data' && slot.value && typeof slot.value === 'object' && 'ref' in slot.value ? slot.value.ref : undefined;
    if (image === undefined) throw new KernelRefused('ENOT_FOUND', `PMS spawn('${name}'): there is no program image of that name;`);
    const oid = Math.max(GENESIS.FIRST_FREE - 1, ...(await b.listObjects())) + 1;
    await this.refusing(`PMS spawn('${name}')`, () => b.spawn(image, oid));
    const made = await this.object(oid);
    if (!made) throw new Error(`the PMS answered kernel:${oid} but the PS has no such object`);
    return made;
  }

  /** `process terminate`: the process stops; its object's state says terminated. */
  async terminate(oid: number): Promise<KernelWorldObject> {
    const b = this.live(`${kernelRef(oid)} terminate`);
    await this.refusing(`${kernelRef(oid)} terminate`, () => b.terminate(oid));
    return (await this.object(oid))!;
  }

  /**
   * A data slot's new value in one PS transaction (read, change, put, commit); answers the
   * tid. A slot that is not a data slot, or a value the PS cannot hold, is refused before
   * anything is sent.
   */
  async setDataSlot(oid: number, name: string, value: KernelValue): Promise<number> {
    const what = `${kernelRef(oid)} ${name}:`;
    const b = this.live(what);
    const bytes = (await b.getObjects([oid])).get(oid);
    if (!bytes) throw new KernelRefused('PS_ENOT_FOUND', what);
    const content = decodePsObject(bytes);
    if (content.kind !== 'object' || !content.slots.some((s) => s.kind === 'data' && s.name === name)) {
      throw new TypeError(`${what} ${kernelRef(oid)} has no data slot '${name}'`);
    }
    const changed = encodePsObject({
      ...content,
      slots: content.slots.map((s) => (s.kind === 'data' && s.name === name ? { ...s, value: psValue(value) } : s)),
    });
    return this.inTransaction(what, b, async (txid) => b.put(txid, oid, changed));
  }

  /** Runs `stage` in a PS transaction and commits it; any failure aborts it. */
  private async inTransaction(what: string, b: BridgeClient, stage: (txid: number) => Promise<void>): Promise<number> {
    const { txid } = await this.refusing(what, () => b.begin());
    try {
      await this.refusing(what, () => stage(txid));
      return await this.refusing(what, () => b.commit(txid));
    } catch (e) {
      await b.abort(txid).catch(() => {}); // already ended by a refused commit
      throw e;
    }
  }

  private async refusing<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof BridgeError) throw new KernelRefused(e.refusal ?? e.message, what);
      throw e;
    }
  }
}
