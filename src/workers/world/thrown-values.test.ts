// The World worker's request loop survives any thrown value: whatever a request throws (a
// value shaped by method code, an error whose own toJSON throws, data that cannot be posted),
// that request is answered with an error and every later request is answered too.
import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { TelosError, createGenesisWorld } from '../../world';
import { Sandbox } from '../../sandbox';
import { connectWorld } from './client';
import { serveWorld } from './service';
import type { Endpoint } from '../rpc';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A client of a World service whose sandbox, when `sabotage` is set, rejects with that value. */
async function connect() {
  const channel = new MessageChannel();
  const { world } = await createGenesisWorld();
  const sandbox = await Sandbox.create(world);
  const state: { sabotage?: unknown } = {};
  const serverEnd = channel.port1 as unknown as Endpoint;
  await serveWorld(serverEnd, async () => ({
    world,
    sandbox: async () => {
      if ('sabotage' in state) throw state.sabotage;
      return sandbox;
    },
    close: () => sandbox.dispose(),
  }));
  const client = connectWorld(channel.port2 as unknown as Endpoint);
  cleanups.push(() => {
    client.close();
    channel.port1.close();
    channel.port2.close();
    sandbox.dispose();
  });
  return { client, state };
}

/** Rejects if the worker has not answered within a (generous) bound: a wedged loop never answers. */
function answered<T>(p: Promise<T>, ms = 15_000): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('the World worker stopped answering')), ms))]);
}

describe('the World worker and thrown values', () => {
  it('an evaluation throwing values shaped to break error handling is answered, and so is the next request', async () => {
    const { client } = await connect();
    const thrown = [
      "{ name: 'X', message: 'm', toJSON: 'not a function' }",
      "{ name: 'X', message: 'm', toJSON: function () { throw new Error('no') } }",
      "{ name: 'X', message: 'm', where: 'x', sends: 1 }",
      "{ get name() { throw 1 }, message: 'm' }",
      "new Proxy({}, { get: function () { throw 1 } })",
      "Symbol('s')",
      "{ name: 'X', message: 'm', stack: 'at '.repeat(50000) }",
    ];
    for (const t of thrown) {
      await expect(answered(client.evaluate(`throw ${t}`))).rejects.toMatchObject({ message: expect.any(String) });
      expect((await answered(client.evaluate('3 + 4'))).result.value).toBe(7);
    }
  });

  it('a request whose error cannot be turned into data or posted is answered, and the worker keeps answering', async () => {
    const { client, state } = await connect();
    const hostile = [
      Object.assign(new TelosError('Hostile', 'toJSON is not a function here'), { toJSON: 'x' }),
      Object.assign(new TelosError('Hostile', 'toJSON throws'), {
        toJSON() {
          throw new Error('no');
        },
      }),
      Object.assign(new TelosError('Hostile', 'a detail that cannot be cloned'), { detail: () => 1 }),
      { toString: () => { throw new Error('no'); } },
      Object.create(null),
    ];
    for (const h of hostile) {
      state.sabotage = h;
      await expect(answered(client.evaluate('1'))).rejects.toMatchObject({ message: expect.any(String) });
      delete state.sabotage;
      expect((await answered(client.evaluate('3 + 4'))).result.value).toBe(7);
    }
  });
});
