// The RPC mechanism both workers use, over a real MessageChannel: answers by id, errors with
// their fields, progress, cancellation, transfer, events, and a closed client.
import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { RemoteError, connect, serve, transfer, type CallContext, type Endpoint } from './rpc';

interface TestApi {
  add(a: number, b: number): number;
  fail(): void;
  slow(steps: number): string;
  waitForCancel(): string;
  buffer(size: number): ArrayBuffer;
}
type TestEvent = { type: 'tick'; n: number };

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

class Refused extends Error {
  constructor(readonly line: number, readonly sends: string[]) {
    super('no, on line 3');
    this.name = 'Refused';
  }
}

function pair() {
  const channel = new MessageChannel();
  let lastBuffer: ArrayBuffer | null = null;
  const handlers: Record<keyof TestApi, (args: unknown[], ctx: CallContext) => unknown> = {
    add: ([a, b]) => (a as number) + (b as number),
    fail: () => {
      throw new Refused(3, ['Circle>>area']);
    },
    slow: async ([steps], ctx) => {
      for (let i = 1; i <= (steps as number); i++) {
        await new Promise((r) => setTimeout(r, 1));
        ctx.progress({ done: i });
      }
      return 'finished';
    },
    waitForCancel: (_, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('stopped'))),
    buffer: ([size]) => {
      lastBuffer = new ArrayBuffer(size as number);
      return transfer(lastBuffer, [lastBuffer]);
    },
  };
  const server = serve<TestEvent>(channel.port1 as unknown as Endpoint, (method, args, ctx) => {
    const h = handlers[method as keyof TestApi];
    if (!h) throw new Error(`unknown method ${method}`);
    return h(args, ctx);
  });
  const client = connect<TestApi, TestEvent>(channel.port2 as unknown as Endpoint);
  cleanups.push(() => {
    client.close();
    server.close();
    channel.port1.close();
    channel.port2.close();
  });
  return { client, server, sent: () => lastBuffer };
}

describe('rpc between the page and a worker', () => {
  it('answers each call with its own result, by id', async () => {
    const { client } = pair();
    expect(await Promise.all([client.add(1, 2), client.add(40, 2), client.call('add', [5, 5])])).toEqual([3, 42, 10]);
  });

  it('rejects with the error’s name, message and own fields', async () => {
    const { client } = pair();
    const e = await client.fail().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RemoteError);
    expect(e).toMatchObject({ name: 'Refused', message: 'no, on line 3', line: 3, sends: ['Circle>>area'] });
    await expect((client as unknown as { nothing(): Promise<void> }).nothing()).rejects.toMatchObject({ message: 'unknown method nothing' });
  });

  it('delivers progress to the caller before the answer', async () => {
    const { client } = pair();
    const seen: unknown[] = [];
    expect(await client.call('slow', [3], { onProgress: (p) => seen.push(p) })).toBe('finished');
    expect(seen).toEqual([{ done: 1 }, { done: 2 }, { done: 3 }]);
  });

  it('a cancelled call is told through its signal and settles with the handler’s answer', async () => {
    const { client } = pair();
    const controller = new AbortController();
    const answer = client.call('waitForCancel', [], { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    expect(await answer).toBe('stopped');
  });

  it('moves a transferred buffer instead of copying it', async () => {
    const { client, sent } = pair();
    const got = await client.buffer(1024);
    expect(got.byteLength).toBe(1024);
    expect(sent()!.byteLength).toBe(0); // detached on the sending side
  });

  it('pushes events to every subscriber until it unsubscribes', async () => {
    const { client, server } = pair();
    const a: TestEvent[] = [];
    const b: TestEvent[] = [];
    client.subscribe((e) => a.push(e));
    const stopB = client.subscribe((e) => b.push(e));
    server.emit({ type: 'tick', n: 1 });
    await client.add(0, 0); // events and answers keep their order
    stopB();
    server.emit({ type: 'tick', n: 2 });
    await client.add(0, 0);
    expect(a.map((e) => e.n)).toEqual([1, 2]);
    expect(b.map((e) => e.n)).toEqual([1]);
  });

  it('a closed client rejects its pending calls and is not thenable', async () => {
    const { client } = pair();
    const pending = client.waitForCancel();
    client.close();
    await expect(pending).rejects.toMatchObject({ name: 'ConnectionClosed' });
    expect((client as unknown as { then?: unknown }).then).toBeUndefined();
  });
});
