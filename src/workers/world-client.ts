// The UI's typed handle on the World worker: each WorldApi method returns a Promise, failures
// reject with a TelosError (name, message and details as the World raised them), and
// `subscribe` delivers World changes and Transcript lines.

// Only the errors module: the World itself stays out of the page's bundle.
import { errorFromData, type TelosError } from '../world/errors';
import type { Endpoint, WorldApi, WorldEvent, WorldMessage, WorldMethod, WorldRequest } from './world-protocol';

export type { ObjectSummary, ObjectView, RunResult, Committed, SlotInput, TxOptions, WorldApi, WorldEvent, ImageView, ImageEntry, TxSummary, TxDetail, Revision, SearchHit, SlotHit } from './world-protocol';

/** Rejection reason of every failed call: a TelosError with the World's name and details. */
export type WorldError = TelosError & Record<string, unknown>;

export class WorldClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private readonly listeners = new Set<(e: WorldEvent) => void>();
  private readonly onMessage = (ev: MessageEvent) => this.receive(ev.data as WorldMessage);

  /** `endpoint` is the World worker (or a MessagePort to a WorldService). */
  constructor(private readonly endpoint: Endpoint) {
    endpoint.addEventListener('message', this.onMessage);
    (endpoint as { start?: () => void }).start?.();
  }

  private receive(m: WorldMessage): void {
    if (!m || typeof m !== 'object') return;
    if ('event' in m) {
      for (const l of this.listeners) l(m.event);
      return;
    }
    const r = m.response;
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (r.ok) p.resolve(r.result);
    else p.reject(errorFromData(r.error));
  }

  /** Calls one API method by name. */
  call<K extends WorldMethod>(method: K, ...args: Parameters<WorldApi[K]>): Promise<Awaited<ReturnType<WorldApi[K]>>> {
    const id = this.nextId++;
    const request: WorldRequest = { id, method, args };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.endpoint.postMessage(request);
    });
  }

  /** World changes (committed / aborted / invalidated) and Transcript lines. Returns an unsubscribe. */
  subscribe(listener: (e: WorldEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops listening; pending calls are rejected. */
  close(): void {
    this.endpoint.removeEventListener('message', this.onMessage);
    for (const p of this.pending.values()) p.reject(new Error('the World client was closed'));
    this.pending.clear();
  }

  // The API, one typed method each (same names and arguments as WorldApi).
  hello = (...a: Parameters<WorldApi['hello']>) => this.call('hello', ...a);
  listObjects = (...a: Parameters<WorldApi['listObjects']>) => this.call('listObjects', ...a);
  getObject = (...a: Parameters<WorldApi['getObject']>) => this.call('getObject', ...a);
  lookup = (...a: Parameters<WorldApi['lookup']>) => this.call('lookup', ...a);
  checkSyntax = (...a: Parameters<WorldApi['checkSyntax']>) => this.call('checkSyntax', ...a);
  evaluate = (...a: Parameters<WorldApi['evaluate']>) => this.call('evaluate', ...a);
  send = (...a: Parameters<WorldApi['send']>) => this.call('send', ...a);
  createObject = (...a: Parameters<WorldApi['createObject']>) => this.call('createObject', ...a);
  clone = (...a: Parameters<WorldApi['clone']>) => this.call('clone', ...a);
  setName = (...a: Parameters<WorldApi['setName']>) => this.call('setName', ...a);
  addSlot = (...a: Parameters<WorldApi['addSlot']>) => this.call('addSlot', ...a);
  removeSlot = (...a: Parameters<WorldApi['removeSlot']>) => this.call('removeSlot', ...a);
  renameSlot = (...a: Parameters<WorldApi['renameSlot']>) => this.call('renameSlot', ...a);
  moveSlot = (...a: Parameters<WorldApi['moveSlot']>) => this.call('moveSlot', ...a);
  setSlotInfo = (...a: Parameters<WorldApi['setSlotInfo']>) => this.call('setSlotInfo', ...a);
  setSlotValue = (...a: Parameters<WorldApi['setSlotValue']>) => this.call('setSlotValue', ...a);
  setMethod = (...a: Parameters<WorldApi['setMethod']>) => this.call('setMethod', ...a);
  useTrait = (...a: Parameters<WorldApi['useTrait']>) => this.call('useTrait', ...a);
  removeTrait = (...a: Parameters<WorldApi['removeTrait']>) => this.call('removeTrait', ...a);
  search = (...a: Parameters<WorldApi['search']>) => this.call('search', ...a);
  senders = (...a: Parameters<WorldApi['senders']>) => this.call('senders', ...a);
  implementors = (...a: Parameters<WorldApi['implementors']>) => this.call('implementors', ...a);
  references = (...a: Parameters<WorldApi['references']>) => this.call('references', ...a);
  imageInfo = (...a: Parameters<WorldApi['imageInfo']>) => this.call('imageInfo', ...a);
  history = (...a: Parameters<WorldApi['history']>) => this.call('history', ...a);
  transaction = (...a: Parameters<WorldApi['transaction']>) => this.call('transaction', ...a);
  objectHistory = (...a: Parameters<WorldApi['objectHistory']>) => this.call('objectHistory', ...a);
  undo = (...a: Parameters<WorldApi['undo']>) => this.call('undo', ...a);
  listImages = (...a: Parameters<WorldApi['listImages']>) => this.call('listImages', ...a);
  openImage = (...a: Parameters<WorldApi['openImage']>) => this.call('openImage', ...a);
  createImage = (...a: Parameters<WorldApi['createImage']>) => this.call('createImage', ...a);
  renameImage = (...a: Parameters<WorldApi['renameImage']>) => this.call('renameImage', ...a);
  deleteImage = (...a: Parameters<WorldApi['deleteImage']>) => this.call('deleteImage', ...a);
  exportImage = (...a: Parameters<WorldApi['exportImage']>) => this.call('exportImage', ...a);
  importImage = (...a: Parameters<WorldApi['importImage']>) => this.call('importImage', ...a);
}

let shared: WorldClient | null = null;

/**
 * The page's one World worker and its client, started on first use. The image it opens is
 * the page's `?image=NAME` (default "default"); the Images window switches with openImage.
 */
export function getWorldClient(): WorldClient {
  if (!shared) {
    const image = new URLSearchParams(globalThis.location?.search ?? '').get('image') || 'default';
    const worker = new Worker(new URL('./world.worker.ts', import.meta.url), { type: 'module', name: `world:${image}` });
    performance.mark('telos:world-worker-created');
    shared = new WorldClient(worker as unknown as Endpoint);
  }
  return shared;
}
