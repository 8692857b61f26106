// The IDE's World link against a real World on an image (fake-indexeddb), served over a
// MessageChannel: what the link
// adds to the worker's answers (cached views dropped by commits, values typed as source,
// errors a window can show, the window layout in the image, history without layout
// transactions).
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { connectWorld, type Endpoint, type WorldEvent } from '../../workers';
import { openImageSession, serveWorld } from '../../workers/node';
import { WorldLink, errorView, type LinkChange } from './world-link';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function link() {
  const channel = new MessageChannel();
  let push: (e: WorldEvent) => void = () => {};
  const service = await serveWorld(channel.port1 as unknown as Endpoint, (emit) => {
    push = emit;
    const registry = { registryName: `telos-images-link-${Math.random().toString(36).slice(2)}`, syncIntervalMs: 0 };
    return openImageSession('default', { registry, onPrint: (line) => push({ type: 'transcript', line }) });
  });
  const client = connectWorld(channel.port2 as unknown as Endpoint);
  const hello = await client.hello();
  const l = new WorldLink(client, hello.root, 'genesis');
  const changes: LinkChange[] = [];
  l.subscribe((c) => changes.push(c));
  cleanups.push(() => {
    client.close();
    channel.port1.close();
    channel.port2.close();
    (service as unknown as { session: { close(): void } }).session.close();
  });
  const circle = (await l.listObjects()).find((o) => o.name === 'Circle')!.oid;
  return { l, circle, changes };
}

const slotValue = async (l: WorldLink, oid: number, name: string) => (await l.readObject(oid)).slots.find((s) => s.name === name)?.value;

describe('the IDE’s World link', () => {
  it('keeps an object’s view until a commit names it, then reads it again', async () => {
    const { l, circle, changes } = await link();
    const first = await l.readObject(circle);
    expect(await l.readObject(circle)).toBe(first); // cached
    expect(await l.setSlotValue(circle, 'radius', '5')).toEqual({ ok: true, value: expect.any(Number) });
    await expect.poll(() => changes.some((c) => c.oids.includes(circle))).toBe(true);
    expect(await slotValue(l, circle, 'radius')).toBe(5);
  });

  it('a value typed as source is evaluated first; literals, strings and #oids are taken as they are', async () => {
    const { l, circle } = await link();
    await l.setSlotValue(circle, 'radius', '3 * 4');
    await expect.poll(() => slotValue(l, circle, 'radius')).toBe(12);
    await l.setSlotValue(circle, 'radius', "'wide'");
    await expect.poll(() => slotValue(l, circle, 'radius')).toBe('wide');
    await l.addSlot(circle, 'home', 'data', '#0');
    await expect.poll(() => slotValue(l, circle, 'home')).toEqual({ ref: 0 });
    await l.addSlot(circle, 'point', 'data', 'self.Point');
    const point = (await l.listObjects()).find((o) => o.name === 'Point')!.oid;
    await expect.poll(() => slotValue(l, circle, 'point')).toEqual({ ref: point });
  });

  it('a refused change comes back as an error a window can show, and changes nothing', async () => {
    const { l, circle } = await link();
    const saved = await l.setMethod(circle, 'area', 'function () {\n  return ; ; )\n}');
    expect(saved.ok).toBe(false);
    if (saved.ok) return;
    expect(saved.error).toMatchObject({ name: 'MethodSyntaxError', line: expect.any(Number) });
    const failed = await l.evaluate('self.Circle.nothing()');
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.error.name).toBe('MessageNotUnderstood');
    expect(failed.error.frames[0]).toMatchObject({ ownerName: 'Workspace', source: 'self.Circle.nothing()' });
    expect(errorView('plain text')).toEqual({ name: 'Error', message: 'plain text', line: undefined, column: undefined, frames: [] });
  });

  it('an edit carries the version the user saw: over a newer one it is refused with both versions, and the view is read again', async () => {
    const { l, circle, changes } = await link();
    const seen = await l.readObject(circle);
    // Another writer commits over Circle after the edit started.
    expect((await l.evaluate('self.Circle.radius = 5')).ok).toBe(true);
    await expect.poll(() => changes.some((c) => c.oids.includes(circle))).toBe(true);
    const current = (await l.readObject(circle)).serial;
    expect(current).toBeGreaterThan(seen.serial);
    changes.length = 0;
    for (const refused of [
      await l.setSlotValue(circle, 'radius', '6', seen.serial),
      await l.setMethod(circle, 'area', 'function () { return 0; }', seen.serial),
      await l.renameSlot(circle, 'radius', 'r', seen.serial),
      await l.removeSlot(circle, 'radius', seen.serial),
    ]) {
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      expect(refused.error).toMatchObject({ name: 'ConflictError', stale: { oid: circle, seenSerial: seen.serial, currentSerial: current } });
    }
    // Nothing was written, and the windows were told to read Circle again.
    expect(await slotValue(l, circle, 'radius')).toBe(5);
    expect(changes[0]).toEqual({ oids: [circle] });
    // Over the version now current, the same edit commits and answers its transaction.
    const kept = await l.setSlotValue(circle, 'radius', '6', current);
    expect(kept).toEqual({ ok: true, value: expect.any(Number) });
    if (kept.ok) expect(kept.value).toBeGreaterThan(current);
    await expect.poll(() => slotValue(l, circle, 'radius')).toBe(6);
  });

  it('keeps the window layout in the image and leaves layout commits out of History', async () => {
    const { l } = await link();
    expect(await l.readLayout()).toBeNull();
    await l.writeLayout({ windows: [{ kind: 'workspace', x: 10 }] });
    await l.writeLayout({ windows: [{ kind: 'workspace', x: 20 }] });
    await expect.poll(() => l.readLayout()).toEqual({ windows: [{ kind: 'workspace', x: 20 }] });
    await l.evaluate('self.Circle.radius = 2');
    const history = await l.history(10);
    expect(history.map((t) => t.note)).toEqual([expect.stringMatching(/^Evaluate: self.Circle.radius = 2/), 'Genesis']);
    expect(history[0]!.changes.map((c) => c.name)).toContain('Circle');
  });
});
