// Opening a World session: a World, its sandbox, and (in the page) the living image it lives
// in. The worker opens an image from the store; tests and the CLI open genesis in memory.

import { ROOT_OID, World, createGenesisWorld, genesisStates, type OID, type ObjectStore } from '../../world';
import { Sandbox, type SandboxOptions } from '../../sandbox';
import { ImageRegistry, openImageStore, type ImageStore, type RegistryOptions } from '../../store';

// The .telos file format and the machine's stored state are loaded when first used (export,
// import, rename, delete), so the World worker starts without them.
const imagefile = () => import('../../imagefile');
const machine = () => import('../../machine');

export interface WorldSession {
  world: World;
  /** The sandbox, created on first need: reads answer before QuickJS has booted. */
  sandbox(): Promise<Sandbox>;
  /** The living image this World is stored in; absent for an in-memory World. */
  image?: ImageStore;
  /** Faults in every stored object not in memory yet (queries over the whole World). */
  loadAll?(): Promise<void>;
  /** The image the page asked for, when there is none of that name: this World runs in
   * memory in its place and no image was created. */
  missingImage?: string;
  /** Releases the sandbox and the image connection. */
  close(): void;
}

export interface SessionOptions {
  onPrint?: (line: string) => void;
  /** How many OIDs to load before the World answers (default 5,000); the rest load in the background. */
  firstLoad?: number;
  sandbox?: Omit<SandboxOptions, 'onPrint'>;
}

/** The genesis World in memory (nothing survives). */
export async function openMemorySession(options: SessionOptions = {}): Promise<WorldSession> {
  const { world } = await createGenesisWorld();
  const sandbox = lazySandbox(world, options);
  return { world, sandbox: sandbox.get, close: sandbox.dispose };
}

/** A World's sandbox, created when first asked for (and once only); disposing before or
 * while it is created disposes it as soon as it exists. */
function lazySandbox(world: World, options: SessionOptions): { get: () => Promise<Sandbox>; dispose: () => void } {
  let created: Promise<Sandbox> | null = null;
  let disposed = false;
  return {
    get: () =>
      (created ??= Sandbox.create(world, { ...options.sandbox, onPrint: options.onPrint }).then((s) => {
        if (disposed) s.dispose();
        return s;
      })),
    dispose: () => {
      disposed = true;
      void created?.then((s) => s.dispose(), () => {});
    },
  };
}

const LOAD_BATCH = 5_000;
/** Objects loaded before the World answers its first request; the rest follow in the background. */
const FIRST_LOAD = 5_000;

/** Loads stored objects with OIDs in [from, to) that are not in memory, in batches. */
async function loadStored(world: World, image: ImageStore, from = 0, to = Math.max(image.nextOid, world.nextOid)): Promise<void> {
  for (let start = from; start < to; start += LOAD_BATCH) {
    const oids: OID[] = [];
    for (let o = start; o < Math.min(to, start + LOAD_BATCH); o++) if (!world.isLoaded(o)) oids.push(o);
    if (oids.length) await world.fault(oids);
  }
}

/** The genesis objects as a store seed: a new image starts from them as transaction 1. */
export function genesisSeed() {
  const objects = genesisStates();
  return { root: ROOT_OID, objects, nextOid: objects.length, note: 'Genesis' };
}

/**
 * Opens (creating from genesis if needed) the image called `name` and a World on it. Other
 * tabs' commits invalidate and reload the objects they wrote.
 */
export async function openImageSession(name: string, options: SessionOptions & { registry?: RegistryOptions } = {}): Promise<WorldSession> {
  const image = await openImageStore(name, { ...options.registry, seed: genesisSeed });
  return sessionOnImage(image, options);
}

/** Objects whose stored records are damaged (a wrong shape, a mismatched OID), by the
 * image's integrity report; a record that only refers to a missing object is not one of them
 * (the World treats the dangling reference as absent). */
export function damagedObjects(image: ImageStore): Set<OID> {
  const out = new Set<OID>();
  for (const p of image.report?.problems ?? []) if (p.table === 'objects' && !p.problem.startsWith('refers to ')) out.add(Number(p.key));
  return out;
}

/** Whether a stored record has the shape the World needs to hold it (a cheap check on every
 * load, so a damaged record the background integrity check has not reached yet is left out
 * instead of failing the load it came with). */
function installable(r: { oid: OID; state: unknown }): boolean {
  const s = r.state as { oid?: unknown; slots?: unknown; traits?: unknown } | null;
  return (
    typeof s === 'object' && s !== null && s.oid === r.oid && Array.isArray(s.slots) && s.slots.every((x) => typeof x === 'object' && x !== null) &&
    Array.isArray(s.traits) && s.traits.every((t) => typeof t === 'object' && t !== null && Array.isArray((t as { exclude?: unknown }).exclude))
  );
}

export async function sessionOnImage(image: ImageStore, options: SessionOptions = {}): Promise<WorldSession> {
  // A damaged image opens read-only (the store refuses writes) with its damaged objects left
  // out: loading one answers nothing, so the World treats it as absent. Without its root
  // there is no World to show, so that refuses to open.
  if (damagedObjects(image).has(image.info.root)) {
    image.close();
    throw new Error(`its root object ${image.info.root} is damaged (${image.readOnly ?? 'see the integrity report'})`);
  }
  const store: ObjectStore = {
    load: async (oids) => {
      const damaged = damagedObjects(image);
      const got = await image.load(damaged.size ? oids.filter((o) => !damaged.has(o)) : oids);
      return got.every(installable) ? got : got.filter(installable);
    },
    commit: (writes) => image.commit(writes),
  };
  // New objects take OIDs from blocks reserved in the image, so tabs never pick the same one.
  const world = new World({ store, nextOid: image.nextOid, reserveOids: (count) => image.reserveOids(count) });
  // A large image opens fast: the first objects (the lobby and genesis among them) now, the
  // rest in the background; anything touched before it arrives faults in on demand.
  const first = options.firstLoad ?? FIRST_LOAD;
  const end = Math.max(image.nextOid, world.nextOid);
  // Only OIDs below the image's next one can be stored: asking for all of [0, first) would
  // read (and mark missing) thousands of absent records in a small image.
  await loadStored(world, image, 0, Math.min(first, end));
  if (end > first)
    void loadStored(world, image, first, end).catch(() => {
      // What failed to load faults in again when needed.
    });
  // The sandbox boots when first needed (an evaluation, a syntax check, a change), so the
  // first reads (the lobby's outliner, the window layout) do not wait for QuickJS.
  const sandbox = lazySandbox(world, options);
  const fromStore = image.subscribe((e) => {
    // The background check found damaged objects: drop any copies, so they read as absent.
    if (e.type === 'integrity' && !e.report.ok) world.invalidate([...damagedObjects(image)]);
    if (e.type !== 'invalidate') return;
    world.noteStoreNextOid(image.nextOid);
    world.invalidate(e.oids === 'all' ? world.loadedOids() : e.oids);
  });
  // Whatever was invalidated (another tab's commit, a refused commit) is read again.
  const fromWorld = world.onChange((c) => {
    if (c.type !== 'invalidated') return;
    void loadStored(world, image).catch(() => {
      // Objects that fail to load now fault in again when next needed.
    });
  });
  const unsubscribe = () => {
    fromStore();
    fromWorld();
  };
  return {
    world,
    sandbox: sandbox.get,
    image,
    loadAll: () => loadStored(world, image),
    close: () => {
      unsubscribe();
      sandbox.dispose();
      image.close();
    },
  };
}

/** The browser's images, by name (the store's registry), for the Images window. */
export class ImageCatalog {
  constructor(private readonly options: RegistryOptions = {}) {}

  private async withRegistry<T>(fn: (r: ImageRegistry) => Promise<T>): Promise<T> {
    const registry = await ImageRegistry.open(this.options);
    try {
      return await fn(registry);
    } finally {
      registry.close();
    }
  }

  list() {
    return this.withRegistry((r) => r.list());
  }

  /** Creates an image from genesis (or empty) and opens a session on it. */
  async create(name: string, from: 'genesis' | 'empty', options: SessionOptions): Promise<WorldSession> {
    const seed = from === 'genesis' ? genesisSeed() : { root: ROOT_OID, objects: [{ oid: ROOT_OID, name: 'lobby', slots: [], traits: [], meta: {} }], nextOid: 1, note: 'Empty image' };
    const image = await this.withRegistry((r) => r.create(name, seed));
    return sessionOnImage(image, options);
  }

  async open(name: string, options: SessionOptions): Promise<WorldSession> {
    const image = await this.withRegistry((r) => r.open(name));
    return sessionOnImage(image, options);
  }

  /** Renames an image and moves its kernel disk and suspended machine with it. */
  async rename(from: string, to: string): Promise<void> {
    await this.withRegistry((r) => r.rename(from, to));
    await (await machine()).renameMachineState(from, to);
  }

  /** Image `name` as a `.telos` file, with its kernel disk and suspended machine. Reads
   * committed state only, through a connection of its own. */
  exportFile(name: string, options: { includeHistory?: boolean; onProgress?: (fraction: number) => void } = {}): Promise<Blob> {
    return this.withRegistry(async (r) => {
      const [{ exportImage, storeExportSource }, { withMachineExport }] = await Promise.all([imagefile(), machine()]);
      const image = await r.open(name);
      try {
        const stream = await exportImage(withMachineExport(storeExportSource(image), name), {
          includeHistory: options.includeHistory,
          onProgress: (p) => options.onProgress?.(p.totalRecords ? p.records / p.totalRecords : 0),
        });
        return await new Response(stream).blob();
      } finally {
        image.close();
      }
    });
  }

  /** Imports a `.telos` file as a new image `name` (never over an existing one); on any
   * failure what was created is deleted again and the error names the line and reason. */
  importFile(file: Blob, name: string, onProgress?: (fraction: number) => void): Promise<{ name: string; skipped: string[] }> {
    return this.withRegistry(async (r) => {
      const [{ importImage, storeImportTarget }, { withMachineImport }] = await Promise.all([imagefile(), machine()]);
      const result = await importImage(file.stream(), withMachineImport(storeImportTarget(r)), {
        name,
        onProgress: (p) => onProgress?.(file.size ? p.compressedBytes / file.size : 0),
      });
      return { name: result.name, skipped: result.skipped };
    });
  }

  /** Deletes an image with its kernel disk and suspended machine. */
  async delete(name: string): Promise<void> {
    await this.withRegistry((r) => r.delete(name));
    await (await machine()).deleteMachineState(name);
  }
}
