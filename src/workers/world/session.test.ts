// The World worker on a living image (fake-indexeddb): changes survive a reopen, history and
// undo, another tab's commits, and the Images operations, all through the typed client.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { connectWorld } from './client';
import type { WorldEvent } from './protocol';
import { serveWorld } from './service';
import { ImageCatalog, openImageSession, type WorldSession } from './session';
import type { Endpoint } from '../rpc';

let n = 0;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function registry(syncIntervalMs = 0) {
  return { registryName: `telos-images-world-${n++}-${Math.random().toString(36).slice(2)}`, syncIntervalMs };
}

async function connect(reg: ReturnType<typeof registry>, image = 'default', firstLoad?: number) {
  const channel = new MessageChannel();
  const serverEnd = channel.port1 as unknown as Endpoint;
  const events: WorldEvent[] = [];
  let session: WorldSession | undefined;
  const service = await serveWorld(
    serverEnd,
    async () => (session = await openImageSession(image, { registry: reg, firstLoad })),
    { catalog: new ImageCatalog(reg), sessionOptions: {} },
  );
  const client = connectWorld(channel.port2 as unknown as Endpoint);
  client.subscribe((e) => events.push(e));
  const close = () => {
    client.close();
    channel.port1.close();
    channel.port2.close();
    (service as unknown as { session: WorldSession }).session.close();
  };
  cleanups.push(close);
  return { client, events, session: session!, close };
}

/** Runs `open` with no BroadcastChannel, so a store opened in it gets no hints of other tabs' commits. */
async function withoutCrossTabHints<T>(open: () => Promise<T>): Promise<T> {
  const channel = globalThis.BroadcastChannel;
  (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = undefined;
  try {
    return await open();
  } finally {
    globalThis.BroadcastChannel = channel;
  }
}

/** Damages one stored object record, as a bad disk or a buggy writer might. */
function damageRecord(dbName: string, oid: number): Promise<void> {
  return new Promise<void>((done, fail) => {
    const open = indexedDB.open(dbName);
    open.onerror = () => fail(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const objects = db.transaction('objects', 'readwrite').objectStore('objects');
      const get = objects.get(oid);
      get.onsuccess = () => {
        const rec = get.result as { state: { slots: unknown } };
        rec.state.slots = 'not a slot list';
        objects.put(rec).onsuccess = () => {
          db.close();
          done();
        };
      };
    };
  });
}

describe('the World on a living image', () => {
  it('a new image starts from genesis and a committed change survives reopening', async () => {
    const reg = registry();
    const first = await connect(reg);
    expect(await first.client.imageInfo()).toMatchObject({ name: 'default', lastTid: 1 });
    await first.client.evaluate('self.Circle.radius = 5; reflect(self.Circle).addSlot("note", "kept")');
    first.close();
    cleanups.pop();
    const second = await connect(reg);
    expect((await second.client.evaluate('[self.Circle.radius, self.Circle.note]')).result.value).toEqual([5, 'kept']);
    expect((await second.client.history()).map((t) => t.note)).toEqual([expect.stringMatching(/^Evaluate: self.Circle.radius = 5/), 'Genesis']);
  });

  it('a large image opens before all its objects are loaded; the rest fault in or arrive in the background', async () => {
    const reg = registry();
    const first = await connect(reg);
    // A generous deadline: 200 sends take far less than 1 s, except on a machine this busy.
    await first.client.evaluate('var l = []; for (var i = 0; i < 200; i++) l.push(self.Point.at(i, i)); reflect(self).addSlot("points", l); l.length', {
      deadlineMs: 30_000,
    });
    first.close();
    cleanups.pop();
    const second = await connect(reg, 'default', 5);
    // the last point is loaded on demand (or has already arrived)
    expect((await second.client.evaluate('self.points[199].printString()', { deadlineMs: 30_000 })).result.value).toBe('199@199');
    // The rest arrives in the background: wait for it as long as a busy machine needs.
    await expect.poll(async () => (await second.client.listObjects()).length, { timeout: 20_000 }).toBe(219);
    await expect.poll(() => second.events.some((e) => e.type === 'change' && e.change.type === 'loaded'), { timeout: 20_000 }).toBe(true);
  });

  // The stop flag crosses the port with the request and the sandbox reads it: a flag raised
  // already stops a 10 s loop at its start, with Stopped and nothing written.
  it('an evaluation with its stop flag raised is stopped and writes nothing; a bad flag is refused', async () => {
    const { client } = await connect(registry());
    const stop = new SharedArrayBuffer(4);
    Atomics.store(new Int32Array(stop), 0, 1);
    const t0 = Date.now();
    await expect(client.evaluate('self.Circle.radius = 9; var t = Date.now(); while (Date.now() - t < 10000) {}', { deadlineMs: 20_000, stop })).rejects.toMatchObject({
      name: 'Stopped',
    });
    expect(Date.now() - t0).toBeLessThan(8000);
    await expect(client.evaluate('1', { stop: new ArrayBuffer(4) as unknown as SharedArrayBuffer })).rejects.toMatchObject({ name: 'InvalidInput' });
    expect((await client.history()).length).toBe(1);
    expect((await client.evaluate('self.Circle.radius', { stop: new SharedArrayBuffer(4) })).result.value).toBe(1);
  });

  it('a failed evaluation writes nothing', async () => {
    const { client } = await connect(registry());
    await expect(client.evaluate('self.Circle.radius = 9; self.nope()')).rejects.toMatchObject({ name: 'MessageNotUnderstood' });
    expect((await client.history()).length).toBe(1);
    expect((await client.evaluate('self.Circle.radius')).result.value).toBe(1);
  });

  it('undo is a new transaction from before-images; the World shows it at once', async () => {
    const { client, events } = await connect(registry());
    const circle = (await client.evaluate('self.Circle.oid')).result.value as number;
    const { tid } = await client.setSlotValue(circle, 'radius', 7);
    const undone = await client.undo(tid!);
    expect(undone.tid).toBe(tid! + 1);
    expect((await client.evaluate('self.Circle.radius')).result.value).toBe(1);
    expect((await client.getObject(circle)).slots.find((s) => s.name === 'radius')).toMatchObject({ value: 1 });
    const history = await client.history();
    expect(history[0]).toMatchObject({ note: 'Undo: Set radius on Circle', undoOf: tid });
    expect(events).toContainEqual({ type: 'change', change: expect.objectContaining({ type: 'committed', tid: undone.tid }) });
  });

  it("another tab's commit reaches this World", async () => {
    const reg = registry(50);
    const a = await connect(reg);
    const b = await connect(reg);
    await a.client.evaluate('self.Circle.radius = 3');
    let seen: unknown = null;
    for (let i = 0; i < 60 && seen !== 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = (await b.client.evaluate('self.Circle.radius')).result.value;
    }
    expect(seen).toBe(3);
  });

  it('two tabs changing the same slot: the second commit is refused and loses nothing', async () => {
    const reg = registry(0);
    const a = await connect(reg);
    // Tab 2 hears nothing of tab 1 (no cross-tab hint, no timer), as when the hint is late:
    // its edit follows tab 1's commit before it has heard of it, and only the store's check is left.
    const b = await withoutCrossTabHints(() => connect(reg));
    await b.client.evaluate('1');
    await a.client.evaluate('self.Circle.radius = 3');
    await expect(b.client.evaluate('self.Circle.radius = 4')).rejects.toMatchObject({ name: 'ConflictError' });
    expect((await b.client.history()).map((t) => t.note)).toEqual([expect.stringContaining('radius = 3'), 'Genesis']);
    // the conflict invalidated the object: a second try reads the newer state and commits
    expect((await b.client.evaluate('self.Circle.radius')).result.value).toBe(3);
    await b.client.evaluate('self.Circle.radius = 4');
    expect((await a.client.history())[0]!.note).toContain('radius = 4');
  });

  it('an edit carries the version the user saw: over a newer version it is refused and nothing is written', async () => {
    const reg = registry(50);
    const a = await connect(reg);
    const b = await connect(reg);
    const circle = (await a.client.evaluate('reflect(self.Circle).oid()')).result.value as number;
    // Tab 2 opens its inline editor on radius and its method editor on area: both start here.
    const seen = (await b.client.getObject(circle)).serial;
    // Tab 1 sets the radius to 5 and saves a new area.
    const first = await a.client.setSlotValue(circle, 'radius', 5, { seenSerial: (await a.client.getObject(circle)).serial });
    const area = 'function () {\n  return 3 * self.radius * self.radius;\n}';
    await a.client.setMethod(circle, 'area', area, { seenSerial: first.tid! });
    // Tab 2's World hears of it (its outliner updates) ...
    await expect.poll(async () => (await b.client.getObject(circle)).serial, { timeout: 10_000 }).toBeGreaterThan(seen);
    const current = (await b.client.getObject(circle)).serial;
    const historyBefore = (await b.client.history()).length;
    // ... but the edits it started before are refused, naming both versions; nothing is written.
    const refusal = { name: 'ConflictError', oid: circle, seenSerial: seen, currentSerial: current, message: expect.stringMatching(/Circle .* changed by another tab/) };
    await expect(b.client.setSlotValue(circle, 'radius', 6, { seenSerial: seen })).rejects.toMatchObject(refusal);
    await expect(b.client.setMethod(circle, 'area', 'function () { return 0; }', { seenSerial: seen })).rejects.toMatchObject(refusal);
    await expect(b.client.renameSlot(circle, 'radius', 'r', { seenSerial: seen })).rejects.toMatchObject(refusal);
    await expect(b.client.removeSlot(circle, 'radius', { seenSerial: seen })).rejects.toMatchObject(refusal);
    await expect(b.client.addSlot(circle, { name: 'extra', kind: 'data', value: 1 }, undefined, { seenSerial: seen })).rejects.toMatchObject(refusal);
    expect((await b.client.history()).length).toBe(historyBefore);
    const view = await a.client.getObject(circle);
    expect(view.slots.find((s) => s.name === 'radius')).toMatchObject({ value: 5 });
    expect(view.slots.find((s) => s.name === 'area')).toMatchObject({ source: area });
    // Re-applied over the version now current (Keep mine), the edit commits.
    const kept = await b.client.setSlotValue(circle, 'radius', 6, { seenSerial: current });
    expect(kept.tid).toBeGreaterThan(current);
    expect((await a.client.history())[0]).toMatchObject({ tid: kept.tid, note: 'Set radius on Circle' });
  });

  it("an edit sent at once after the other tab's commit is refused, whether this World has heard of it yet (the check before the edit) or not (the store's serial check)", async () => {
    const reg = registry(0);
    const a = await connect(reg);
    const b = await connect(reg);
    const circle = (await a.client.evaluate('reflect(self.Circle).oid()')).result.value as number;
    const seen = (await b.client.getObject(circle)).serial;
    await a.client.setSlotValue(circle, 'radius', 5, { seenSerial: seen });
    await expect(b.client.setSlotValue(circle, 'radius', 6, { seenSerial: seen })).rejects.toMatchObject({ name: 'ConflictError' });
    expect((await a.client.getObject(circle)).slots.find((s) => s.name === 'radius')).toMatchObject({ value: 5 });
    // The refusal reloaded the object: the version now current names tab 1's commit.
    expect((await b.client.getObject(circle)).serial).toBe((await a.client.history())[0]!.tid);
  });

  it("the store's refusal of an edit from a tab that has not heard of the other tab's commit names the versions like the World's own check", async () => {
    const reg = registry(0);
    const a = await connect(reg);
    // Tab 2 hears nothing of tab 1: only the store's serial check can refuse its edit.
    const b = await withoutCrossTabHints(() => connect(reg));
    const circle = (await a.client.evaluate('reflect(self.Circle).oid()')).result.value as number;
    const seen = (await b.client.getObject(circle)).serial;
    const first = await a.client.setSlotValue(circle, 'radius', 5, { seenSerial: seen });
    await expect(b.client.setSlotValue(circle, 'radius', 6, { seenSerial: seen })).rejects.toMatchObject({
      name: 'ConflictError',
      oid: circle,
      seenSerial: seen,
      currentSerial: first.tid,
      message: expect.stringMatching(/Circle .* changed by another tab/),
    });
    expect((await a.client.getObject(circle)).slots.find((s) => s.name === 'radius')).toMatchObject({ value: 5 });
    // Keep mine: over the version now current the edit commits.
    const kept = await b.client.setSlotValue(circle, 'radius', 6, { seenSerial: first.tid! });
    expect(kept.tid).toBeGreaterThan(first.tid!);
  });

  it('two tabs creating objects at once take OIDs from their own reserved blocks: both commit, no OID shared', async () => {
    const reg = registry(0);
    const a = await connect(reg);
    const b = await connect(reg);
    // 300 objects each: more than one block of reserved OIDs, so each tab reserves again mid-run.
    const make = (holder: string, slot: string) =>
      `var l = []; for (var i = 0; i < 300; i++) l.push(self.Point.at(i, i)); reflect(self.${holder}).addSlot("${slot}", l); l.map(function (p) { return reflect(p).oid(); })`;
    // 300 sends each: well under the 1 s default deadline, except on a machine this busy.
    const [ra, rb] = await Promise.all([
      a.client.evaluate(make('Circle', 'fromA'), { deadlineMs: 30_000 }),
      b.client.evaluate(make('ColoredCircle', 'fromB'), { deadlineMs: 30_000 }),
    ]);
    expect(ra.tid).not.toBeNull();
    expect(rb.tid).not.toBeNull();
    const oidsA = ra.result.value as number[];
    const oidsB = rb.result.value as number[];
    expect(new Set([...oidsA, ...oidsB]).size).toBe(600);
    // A third tab sees both sets of objects, each under the OID its creator gave it.
    const c = await connect(reg);
    const seen = (await c.client.evaluate('[self.Circle.fromA.map(function (p) { return reflect(p).oid(); }), self.ColoredCircle.fromB.map(function (p) { return reflect(p).oid(); })]')).result.value;
    expect(seen).toEqual([oidsA, oidsB]);
  });

  it('an image with a damaged object opens read-only without it, naming its OID and what is wrong', async () => {
    const reg = registry();
    const first = await connect(reg);
    const point = (await first.client.evaluate('reflect(self.Point).oid()')).result.value as number;
    const dbName = first.session.image!.info.dbName;
    first.close();
    cleanups.pop();
    await damageRecord(dbName, point);
    const second = await connect(reg);
    const info = (await second.client.imageInfo())!;
    expect(info.readOnly).toMatch(/damaged/);
    expect(info.problems).toEqual([{ oid: point, reason: expect.any(String) }]);
    // Everything else answers; the damaged object reads as absent, and nothing can be written.
    expect((await second.client.evaluate('3 + 4')).result.value).toBe(7);
    expect((await second.client.getObject(info.root)).name).toBe('lobby');
    await expect(second.client.getObject(point)).rejects.toMatchObject({ message: expect.stringContaining(`#${point}`) });
    await expect(second.client.evaluate('self.Circle.radius = 9')).rejects.toMatchObject({ message: expect.stringMatching(/read-only/) });
  });

  it("a large image's background check announces damage as a checked image event; the damaged object never loads", async () => {
    const reg = registry();
    const first = await connect(reg);
    const point = (await first.client.evaluate('reflect(self.Point).oid()')).result.value as number;
    const dbName = first.session.image!.info.dbName;
    first.close();
    cleanups.pop();
    await damageRecord(dbName, point);
    // As for an image too large to check before it opens: the check runs after a delay.
    const second = await connect({ ...reg, verify: 'background', verifyDelayMs: 50 } as ReturnType<typeof registry>);
    expect((await second.client.imageInfo())!.readOnly).toBeNull();
    await expect(second.client.getObject(point)).rejects.toMatchObject({ message: expect.stringContaining(`#${point}`) });
    for (let i = 0; i < 100 && !second.events.some((e) => e.type === 'image'); i++) await new Promise((r) => setTimeout(r, 20));
    const event = second.events.find((e) => e.type === 'image');
    expect(event).toMatchObject({ type: 'image', checked: true, image: { readOnly: expect.stringMatching(/damaged/), problems: [{ oid: point }] } });
  });

  it('Images: create, list, open, rename and delete', async () => {
    const { client, events } = await connect(registry());
    expect(await client.createImage('Scratch', 'empty')).toMatchObject({ name: 'Scratch', objects: 1 });
    expect(events).toContainEqual({ type: 'image', image: expect.objectContaining({ name: 'Scratch' }) });
    expect((await client.listObjects()).map((o) => o.name)).toEqual(['lobby']);
    expect((await client.listImages()).map((i) => i.name)).toEqual(['Scratch', 'default']);
    await expect(client.deleteImage('Scratch')).rejects.toMatchObject({ name: 'InvalidInput' });
    await client.openImage('default');
    expect((await client.listObjects()).length).toBeGreaterThan(10);
    await client.renameImage('Scratch', 'Old scratch');
    await client.deleteImage('Old scratch');
    expect((await client.listImages()).map((i) => i.name)).toEqual(['default']);
    await expect(client.openImage('missing')).rejects.toMatchObject({ message: expect.stringMatching(/no image named “missing”/) });
    expect((await client.imageInfo())!.name).toBe('default');
  });
});
