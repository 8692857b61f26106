import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { createGenesisWorld } from '../world';
import { Sandbox } from '../sandbox';
import { WorldClient, type WorldEvent } from './world-client';
import { serveWorld } from './world-service';
import type { Endpoint } from './world-protocol';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function connect() {
  const channel = new MessageChannel();
  const { world, oids } = await createGenesisWorld();
  const events: WorldEvent[] = [];
  const serverEnd = channel.port1 as unknown as Endpoint;
  const sandbox = await Sandbox.create(world, { onPrint: (line) => serverEnd.postMessage({ event: { type: 'transcript', line } }) });
  await serveWorld(serverEnd, async () => ({ world, sandbox: async () => sandbox, close: () => sandbox.dispose() }));
  const client = new WorldClient(channel.port2 as unknown as Endpoint);
  client.subscribe((e) => events.push(e));
  cleanups.push(() => {
    client.close();
    channel.port1.close();
    channel.port2.close();
    sandbox.dispose();
  });
  return { client, world, oids, events };
}

describe('World worker client', () => {
  it('lists the genesis objects and reads one with its traits table', async () => {
    const { client, oids } = await connect();
    const list = await client.listObjects();
    expect(list.map((o) => o.name)).toEqual(expect.arrayContaining(['lobby', 'Circle', 'PS', 'Callable']));
    const view = await client.getObject(oids.ColoredCircle);
    expect(view.state.name).toBe('ColoredCircle');
    expect(view.conflicts.map((c) => c.selector)).toEqual(['equals', 'hash']);
    expect(view.names[oids.TColor]).toBe('TColor');
  });

  it('evaluates as one committed transaction and reports changes and transcript', async () => {
    const { client, events } = await connect();
    const r = await client.evaluate('print("hello"); self.Circle.radius = 3; self.Circle.area()');
    expect(r.result.value).toBeCloseTo(9 * Math.PI);
    expect(r.tid).toBe(2);
    await new Promise((res) => setTimeout(res, 10));
    expect(events).toContainEqual({ type: 'transcript', line: 'hello' });
    expect(events).toContainEqual({ type: 'change', change: expect.objectContaining({ type: 'committed', tid: 2, note: expect.stringContaining('Evaluate') }) });
  });

  it('every mutation is a named transaction; failures reject with the World error and change nothing', async () => {
    const { client, world, oids, events } = await connect();
    await client.addSlot(oids.Circle, { name: 'color', kind: 'data', value: 'red' });
    await client.renameSlot(oids.Circle, 'color', 'colour');
    await client.setSlotValue(oids.Circle, 'colour', 'blue', { note: 'paint it' });
    const c = await client.clone(oids.Circle);
    await client.setMethod(c.oid, 'area', 'function () { return 42; }');
    expect((await client.send(c.oid, 'area')).result.value).toBe(42);
    await client.useTrait(oids.ColoredCircle, { trait: oids.TColor, exclude: ['equals', 'hash'], alias: {} });
    expect((await client.getObject(oids.ColoredCircle)).conflicts).toEqual([]);
    await expect(client.setMethod(oids.Circle, 'area', 'function () { return ; ; ) }')).rejects.toMatchObject({ name: 'MethodSyntaxError', line: 1 });
    await expect(client.addSlot(oids.Circle, { name: 'bad name', kind: 'data', value: 1 })).rejects.toMatchObject({ name: 'InvalidInput' });
    await expect(client.evaluate('self.nothing()')).rejects.toMatchObject({ name: 'MessageNotUnderstood', selector: 'nothing' });
    expect(world.inTransaction).toBe(false);
    const notes = events.flatMap((e) => (e.type === 'change' && e.change.type === 'committed' ? [e.change.note] : []));
    expect(notes).toEqual([
      'Add slot color to Circle',
      'Rename slot color to colour on Circle',
      'paint it',
      'Clone Circle',
      'Save method area of a Circle',
      // the send changed nothing, so it committed no transaction
      'Use trait TColor in ColoredCircle',
    ]);
  });

  it('answers queries: search, senders, implementors, references', async () => {
    const { client, oids } = await connect();
    expect(await client.search('circle', 5)).toEqual(expect.arrayContaining([{ oid: oids.Circle, name: 'Circle', match: 'object' }]));
    expect(await client.search('Math.PI')).toEqual(expect.arrayContaining([{ oid: oids.TCircle, name: 'TCircle', match: 'source', slot: 'area' }]));
    expect((await client.senders('printString')).map((h) => `${h.name}.${h.slot}`)).toEqual(expect.arrayContaining(['Process.spawn', 'Circle.printString']));
    expect((await client.senders('print')).map((h) => h.slot)).not.toContain('spawn');
    expect((await client.implementors('hash')).map((h) => h.name)).toEqual(['Point', 'a Point', 'TCircle', 'TColor']); // 'a Point' is Circle's center, a clone
    expect((await client.references(oids.Point)).map((h) => `${h.name}.${h.slot}`)).toEqual(['lobby.Point']);
  });

  it('refuses an unknown method by name', async () => {
    const { client } = await connect();
    await expect((client.call as (m: string) => Promise<unknown>)('dropDatabase')).rejects.toMatchObject({ name: 'InvalidInput' });
  });
});
