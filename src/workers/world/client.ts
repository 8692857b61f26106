// The page's typed handle on the World worker: every WorldApi method answers a Promise,
// failures reject with a RemoteError carrying the World error's name and details (send
// chain, line, selector), and `subscribe` delivers World changes, Transcript lines and image
// events. Only ../rpc.ts and types are imported: the World itself stays out of the page.
import { connect, type Client, type Endpoint } from '../rpc';
import type { WorldApi, WorldEvent } from './protocol';

/** The World worker's client (a MessagePort to a served World in tests). */
export type WorldClient = Client<WorldApi, WorldEvent>;

/** A client of the World served on `endpoint`. */
export function connectWorld(endpoint: Endpoint): WorldClient {
  return connect<WorldApi, WorldEvent>(endpoint);
}

let shared: WorldClient | null = null;

/**
 * The page's one World worker and its client, started on first use. The image it opens is
 * the page's `?image=NAME` (default "default"); the Images window switches with openImage,
 * and the IDE keeps the address naming the open image (src/ide/image-address.ts).
 */
export function getWorldClient(): WorldClient {
  if (!shared) {
    const image = new URLSearchParams(globalThis.location?.search ?? '').get('image') || 'default';
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: `world:${image}` });
    performance.mark('telos:world-worker-created');
    shared = connectWorld(worker);
  }
  return shared;
}
