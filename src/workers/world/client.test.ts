import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { InMemoryStore, World, createGenesisWorld } from '../../world';
import { Sandbox } from '../../sandbox';
import { connectWorld } from './client';
import type { WorldEvent } from './protocol';
import { serveWorld } from './service';
import type { Endpoint } from '../rpc';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function connect() {
  const channel = new MessageChannel();
  const { world, oids } = await createGenesisWorld();
  const events: WorldEvent[] = [];
  const serverEnd = channel.port1 as unknown as Endpoint;
  let emit: (e: WorldEvent) => void = () => {};
  const sandbox = await Sandbox.create(world, { onPrint: (line) => emit({ type: 'transcript', line }) });
  await serveWorld(serverEnd, async (push) => {
    emit = push;
    return { world, sandbox: async () => sandbox, close: () => sandbox.dispose() };
  });
  const client = connectWorld(channel.port2 as unknown as Endpoint);
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
    expect(view.name).toBe('ColoredCircle');
    expect(view.conflicts.map((c) => c.selector)).toEqual(['equals', 'hash']);
    expect(view.conflicts[0]!.traits.map((t) => t.name)).toEqual(expect.arrayContaining(['TColor']));
    expect(view.names[oids.TColor]).toBe('TColor');
    // Methods the traits give it come with their source, read from the trait that holds them.
    const area = (await client.getObject(oids.Circle)).traitMethods.find((m) => m.name === 'area');
    expect(area).toMatchObject({ holder: oids.TCircle, holderName: 'TCircle', via: 'trait', source: expect.stringContaining('Math.PI') });
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
    const circle = await client.search('circle', 5);
    expect(circle[0]).toEqual({ kind: 'object', oid: oids.Circle, objectName: 'Circle' }); // the exact name first
    expect(circle).toHaveLength(5);
    expect(await client.search('Math.PI')).toEqual(expect.arrayContaining([{ kind: 'method', oid: oids.TCircle, objectName: 'TCircle', slot: 'area', excerpt: expect.stringContaining('Math.PI') }]));
    expect(await client.search('')).toEqual([]);
    expect((await client.senders('printString')).map((h) => `${h.objectName}.${h.slot}`)).toEqual(expect.arrayContaining(['Process.spawn', 'Circle.printString']));
    expect((await client.senders('print')).map((h) => h.slot)).not.toContain('spawn');
    expect((await client.senders('printString')).find((h) => h.objectName === 'Process')?.excerpt).toContain('printString');
    expect((await client.implementors('hash')).map((h) => h.objectName)).toEqual(['Point', 'a Point', 'TCircle', 'TColor']); // 'a Point' is Circle's center, a clone
    expect((await client.implementors('radius')).map((h) => h.objectName)).toEqual([]); // a data slot is not a method
    expect((await client.references(oids.Point)).map((h) => `${h.objectName}.${h.slot}`)).toEqual(['lobby.Point']);
    expect(await client.references(oids.TColor)).toEqual(expect.arrayContaining([{ kind: 'object', oid: oids.ColoredCircle, objectName: 'ColoredCircle', excerpt: 'uses it as a trait' }]));
  });

  it('queries and reads over a World that has loaded only its lobby fault in what they need first', async () => {
    const store = new InMemoryStore();
    const { oids } = await createGenesisWorld({ store });
    const world = new World({ store, nextOid: store.nextOid });
    await world.fault([0]);
    const channel = new MessageChannel();
    const sandbox = await Sandbox.create(world);
    await serveWorld(channel.port1 as unknown as Endpoint, async () => ({
      world,
      sandbox: async () => sandbox,
      loadAll: () => world.fault(store.oids()),
      close: () => sandbox.dispose(),
    }));
    const client = connectWorld(channel.port2 as unknown as Endpoint);
    cleanups.push(() => {
      client.close();
      channel.port1.close();
      channel.port2.close();
      sandbox.dispose();
    });
    expect(world.isLoaded(oids.TColor)).toBe(false);
    expect((await client.search('TColor', 10)).map((h) => h.objectName)).toContain('TColor');
    expect((await client.implementors('hash')).map((h) => h.objectName)).toEqual(['Point', 'a Point', 'TCircle', 'TColor']);
    // A view names the trait a method comes from and carries its source.
    const view = await client.getObject(oids.Circle);
    expect(view.traitMethods.find((m) => m.name === 'area')?.source).toContain('Math.PI');
  });

  it('refuses an unknown method by name', async () => {
    const { client } = await connect();
    await expect((client.call as (m: string, a: unknown[]) => Promise<unknown>)('dropDatabase', [])).rejects.toMatchObject({ name: 'InvalidInput' });
  });
});
