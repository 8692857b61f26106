// Test page for the living image store in real Chromium: Playwright specs and the store
// bench call `window.storeHarness` to run the shared conformance scenarios, the crash
// stream and the measurements against this browser's IndexedDB.
import { allScenarios, obj, runScenario, slot, measureBulkCommit, measureOpen, measureSmallCommit } from '../../src/store/harness';
import { ImageRegistry, ImageStore, StoreError } from '../../src/store';
import { genesisStates } from '../../src/world';

/** Opens the crash image, creating it (a lobby and CRASH_OBJECTS objects) the first time. */
async function openCrashImage(dbName: string): Promise<ImageStore> {
  try {
    return await ImageStore.open('crash', dbName, { syncIntervalMs: 0, verify: 'none' });
  } catch {
    const objects = [obj(0, 'lobby', { last: 0, ...Object.fromEntries(Array.from({ length: CRASH_OBJECTS }, (_, i) => [`o${i}`, { ref: i + 1 }])) })];
    for (let i = 1; i <= CRASH_OBJECTS; i++) objects.push(obj(i, `o${i}`, { n: 0, pad: '' }));
    return ImageStore.create('crash', dbName, { root: 0, objects }, { syncIntervalMs: 0, verify: 'none' });
  }
}

const scenarioOptions = { syncIntervalMs: 200, opTimeoutMs: 5_000, blockedTimeoutMs: 1_000 };
const CRASH_OBJECTS = 5;
const payload = 'x'.repeat(40_000);

declare global {
  interface Window {
    storeHarness: typeof harness;
    /** Exposed by the crash spec: told each acknowledged commit (and how many took the fast
     * path) before the next starts. */
    __ack?: (k: number, fastCommits: number) => Promise<void>;
  }
}

const harness = {
  scenarios: (): string[] => allScenarios().map(([suite, name]) => `${suite} › ${name}`),

  async run(id: string): Promise<string> {
    const found = allScenarios().find(([suite, name]) => `${suite} › ${name}` === id);
    if (!found) throw new Error(`no scenario ${id}`);
    await runScenario(found[2], scenarioOptions);
    return 'ok';
  },

  /** Commits forever: commit k sets every crash object's `n` (and the lobby's `last`) to k
   * and carries a large payload, so a kill often lands mid-transaction. */
  async crashStream(dbName: string): Promise<void> {
    const store = await openCrashImage(dbName);
    const loaded = await store.load(Array.from({ length: CRASH_OBJECTS + 1 }, (_, i) => i));
    let k = slot(loaded[0]!.state, 'last') as number;
    const serials = loaded.map((o) => o.serial);
    const states = loaded.map((o) => o.state);
    for (;;) {
      k++;
      // Even commits hand over before-images (the fast path), odd ones do not (the careful path).
      const withBefore = k % 2 === 0;
      const afters = [obj(0, 'lobby', { last: k, ...Object.fromEntries(Array.from({ length: CRASH_OBJECTS }, (_, i) => [`o${i}`, { ref: i + 1 }])) })];
      for (let i = 1; i <= CRASH_OBJECTS; i++) afters.push(obj(i, `o${i}`, { n: k, pad: k % 3 === 0 ? payload : '' }));
      const writes = afters.map((after, i) => ({ oid: i, serial: serials[i]!, after, ...(withBefore ? { before: states[i]! } : {}) }));
      const r = await store.commit({ note: `commit ${k}`, origin: 'crash', writes });
      for (let i = 0; i <= CRASH_OBJECTS; i++) {
        serials[i] = r.tid;
        states[i] = afters[i]!;
      }
      await window.__ack?.(k, store.stats.fastCommits);
    }
  },

  /** Creates the crash image (if it is not there yet) and closes it. */
  async crashCreate(dbName: string): Promise<void> {
    (await openCrashImage(dbName)).close();
  },

  /** What the crash image holds after a restart: the k of the last commit it contains, and
   * whether every object, the log and meta agree on it. */
  async crashCheck(dbName: string): Promise<{ k: number; lastTid: number; consistent: boolean; detail: string }> {
    let store: ImageStore;
    try {
      store = await ImageStore.open('crash', dbName, { syncIntervalMs: 0, verify: 'eager' });
    } catch (e) {
      // A kill before the image's creation transaction committed leaves a database with no
      // meta record: no image, which is right when no commit was acknowledged yet (the spec
      // compares k = 0 with what was acknowledged).
      if (e instanceof StoreError && e.code === 'corrupt' && /no meta record/.test(e.message))
        return { k: 0, lastTid: 0, consistent: true, detail: 'the image was never created: its creation did not commit before the kill' };
      throw e;
    }
    try {
      const loaded = await store.load(Array.from({ length: CRASH_OBJECTS + 1 }, (_, i) => i));
      const k = slot(loaded[0]!.state, 'last') as number;
      const ns = loaded.slice(1).map((o) => slot(o.state, 'n'));
      const serials = loaded.map((o) => o.serial);
      const [latest] = await store.history({ limit: 1 });
      const info = store.info;
      const problems: string[] = [];
      if (loaded.length !== CRASH_OBJECTS + 1) problems.push(`only ${loaded.length} objects`);
      if (ns.some((n) => n !== k)) problems.push(`objects hold n=${JSON.stringify(ns)} but lobby.last=${k}`);
      if (serials.some((s) => s !== info.lastTid)) problems.push(`serials ${JSON.stringify(serials)} vs lastTid ${info.lastTid}`);
      if (info.lastTid !== k + 1) problems.push(`lastTid ${info.lastTid} vs k ${k}`);
      if (latest && latest.tid !== info.lastTid) problems.push(`newest log record ${latest.tid} vs lastTid ${info.lastTid}`);
      if (k > 0 && latest?.note !== `commit ${k}`) problems.push(`newest log note “${latest?.note}”`);
      if (store.readOnly) problems.push(`integrity: ${store.readOnly}`);
      return { k, lastTid: info.lastTid, consistent: problems.length === 0, detail: problems.join('; ') };
    } finally {
      store.close();
    }
  },

  /** One tab's view of a shared image, for the multi-tab and reload specs. */
  tab: {
    store: undefined as ImageStore | undefined,
    invalidations: [] as number[][],
    async open(dbName: string): Promise<number> {
      try {
        this.store = await ImageStore.open('tabs', dbName, { syncIntervalMs: 750 });
      } catch {
        this.store = await ImageStore.create('tabs', dbName, { root: 0, objects: [obj(0, 'lobby', { a: { ref: 1 } }), obj(1, 'a', { x: 0 })] }, { syncIntervalMs: 750 });
      }
      this.store.subscribe((e) => {
        if (e.type === 'invalidate') this.invalidations.push(e.oids === 'all' ? [-1] : e.oids);
      });
      return this.store.info.lastTid;
    },
    async read(oid: number): Promise<{ serial: number; x: unknown }> {
      const [o] = await this.store!.load([oid]);
      return { serial: o!.serial, x: slot(o!.state, 'x') };
    },
    async write(oid: number, x: number, serial: number): Promise<{ tid?: number; error?: { name: string; code?: string; message: string } }> {
      try {
        const r = await this.store!.commit({ note: `set x to ${x}`, origin: 'tab', writes: [{ oid, serial, after: obj(oid, 'a', { x }) }] });
        return { tid: r.tid };
      } catch (e) {
        const err = e as Error & { code?: string };
        return { error: { name: err.name, code: err.code, message: err.message } };
      }
    },
  },

  /** Puts an image the app can open (`/?image=NAME`) in the browser's registry: the
   * genesis World plus `extra` objects chained from the lobby's `bulk` slot. */
  async makeAppImage(name: string, extra: number): Promise<number> {
    const states = genesisStates();
    const base = Math.max(...states.map((s) => s.oid)) + 1;
    const objects = states.map((s) => (s.oid === 0 && extra > 0 ? { ...s, slots: [...s.slots, { kind: 'data' as const, name: 'bulk', value: { ref: base } }] } : s));
    for (let i = 0; i < extra; i++) objects.push(obj(base + i, `bulk ${i}`, { x: i, ...(i + 1 < extra ? { next: { ref: base + i + 1 } } : {}) }));
    const registry = await ImageRegistry.open();
    try {
      if (await registry.get(name)) await registry.delete(name);
      (await registry.create(name, { root: 0, objects, nextOid: base + extra })).close();
    } finally {
      registry.close();
    }
    return objects.length;
  },
  async deleteAppImage(name: string): Promise<void> {
    const registry = await ImageRegistry.open();
    try {
      if (await registry.get(name)) await registry.delete(name);
    } finally {
      registry.close();
    }
  },

  async measureSmall(rounds: number, durability: 'relaxed' | 'strict') {
    return measureSmallCommit(rounds, durability);
  },
  async measureBulkAndOpen(count: number) {
    const bulk = await measureBulkCommit(count);
    const open = await measureOpen(bulk.dbName);
    return { bulk: { ours: bulk.ours, baseline: bulk.baseline }, open };
  },
};

window.storeHarness = harness;
document.body.dataset.ready = 'true';
