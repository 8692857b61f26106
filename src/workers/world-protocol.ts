// The messages between the UI thread and the World worker: one request/response pair per API
// call (by id) and pushed events. Everything is plain JSON (structured-clone safe).

import type {
  EffectiveMethod,
  ErrorData,
  LookupResult,
  OID,
  ObjectState,
  Serial,
  SyntaxProblem,
  Tid,
  TraitConflictInfo,
  TraitUse,
  WorldChange,
} from '../world';
import type { EvalResult } from '../sandbox';
import type { ImageEntry, Revision, TxDetail, TxSummary } from '../store';

export type { ImageEntry, Revision, TxDetail, TxSummary };

/** One damaged record the image's integrity check found: the object's OID when the record
 * is an object, and what is wrong with it. */
export interface ImageProblem {
  oid?: OID;
  reason: string;
}

/** The open image, as the status bar and the Images window show it. */
export interface ImageView {
  name: string;
  root: OID;
  lastTid: Tid;
  nextOid: OID;
  objects: number;
  /** Why the image is read-only (integrity problems found at open), if it is. */
  readOnly: string | null;
  /** The damaged records its integrity check found (empty when none, or not checked yet);
   * damaged objects are left out of the World, which runs read-only on the rest. */
  problems: ImageProblem[];
}

/** One line of the object list. */
export interface ObjectSummary {
  oid: OID;
  name: string;
  slotCount: number;
  methodCount: number;
  parents: OID[];
  traits: OID[];
}

/** Everything an outliner shows about one object. */
export interface ObjectView {
  state: ObjectState;
  serial: Serial;
  /** Own methods and composed trait methods (own slots override traits). */
  methods: EffectiveMethod[];
  conflicts: TraitConflictInfo[];
  requires: { trait: OID; selectors: string[] }[];
  /** Display names of every object this one refers to (parents, traits, data references). */
  names: Record<OID, string>;
}

/** A slot of an object (query results). */
export interface SlotHit {
  oid: OID;
  name: string;
  slot: string;
}

export interface SearchHit {
  oid: OID;
  name: string;
  /** What matched: the object's name, a slot's name, or a method's source (slot set for the last two). */
  match: 'object' | 'slot' | 'source';
  slot?: string;
}

/** Result of a mutation: the transaction that committed it (null if nothing changed). */
export interface Committed {
  tid: Tid | null;
}

export interface RunResult extends Committed {
  result: EvalResult;
}

/** A slot as the UI describes it when adding one. */
export type SlotInput =
  | { name: string; kind: 'data'; value: unknown; constant?: boolean; category?: string; comment?: string }
  | { name: string; kind: 'parent'; value: { ref: OID }; constant?: boolean; category?: string; comment?: string }
  | { name: string; kind: 'method'; source: string; category?: string; comment?: string };

/** Options every mutation accepts: the transaction's note (a default one says what was done). */
export interface TxOptions {
  note?: string;
}

/**
 * The World worker's API. Every mutation is one named transaction: committed when it
 * succeeds, aborted (World untouched) when it fails; failures reject with the TelosError.
 */
export interface WorldApi {
  /** Root OID and the last committed transaction. */
  hello(): { root: OID; objects: number };
  listObjects(): ObjectSummary[];
  getObject(oid: OID): ObjectView;
  lookup(oid: OID, selector: string): LookupResult;
  /** Parses method source with the sandbox's parser (for live editor marks). */
  checkSyntax(source: string): SyntaxProblem | null;

  /** Workspace code as one transaction; `deadlineMs` overrides the 1 s default for this run. */
  evaluate(code: string, options?: TxOptions & { deadlineMs?: number }): RunResult;
  send(oid: OID, selector: string, args?: unknown[], options?: TxOptions & { deadlineMs?: number }): RunResult;

  createObject(init: { name?: string; slots?: SlotInput[]; traits?: TraitUse[] }, options?: TxOptions): Committed & { oid: OID };
  clone(oid: OID, options?: TxOptions): Committed & { oid: OID };
  setName(oid: OID, name: string, options?: TxOptions): Committed;
  addSlot(oid: OID, slot: SlotInput, index?: number, options?: TxOptions): Committed;
  removeSlot(oid: OID, name: string, options?: TxOptions): Committed;
  renameSlot(oid: OID, oldName: string, newName: string, options?: TxOptions): Committed;
  moveSlot(oid: OID, name: string, toIndex: number, options?: TxOptions): Committed;
  setSlotInfo(oid: OID, name: string, info: { category?: string; comment?: string; constant?: boolean }, options?: TxOptions): Committed;
  setSlotValue(oid: OID, name: string, value: unknown, options?: TxOptions): Committed;
  setMethod(oid: OID, name: string, source: string, options?: TxOptions): Committed;
  useTrait(oid: OID, use: TraitUse, options?: TxOptions): Committed;
  removeTrait(oid: OID, trait: OID, options?: TxOptions): Committed;

  // Queries over every loaded object (the spotter, senders, implementors, references).
  /** Object names, slot names and method source containing `text` (case-insensitive). */
  search(text: string, limit?: number): SearchHit[];
  /** Methods whose source sends `selector` (`.selector(` / `['selector']`). */
  senders(selector: string): SlotHit[];
  /** Objects with an own slot named `selector`. */
  implementors(selector: string): SlotHit[];
  /** Slots and trait uses that refer to the object. */
  references(oid: OID): SlotHit[];

  // The living image (refused with InvalidInput when the World runs without a store).
  /** The open image, or null for a World in memory. */
  imageInfo(): ImageView | null;
  /** Transactions, newest first. */
  history(options?: { limit?: number; beforeTid?: Tid }): TxSummary[];
  /** One transaction with its before/after images, or null. */
  transaction(tid: Tid): TxDetail | null;
  /** Stored states of one object, newest first. */
  objectHistory(oid: OID, limit?: number): Revision[];
  /** Undoes a transaction as a new one (refused with a reason when its objects changed since). */
  undo(tid: Tid, options?: TxOptions): Committed;

  // The browser's images (the store's registry).
  listImages(): ImageEntry[];
  /** Closes the open image and opens another; the World is replaced. */
  openImage(name: string): ImageView;
  /** Creates an image (from genesis by default) and opens it. */
  createImage(name: string, from?: 'genesis' | 'empty'): ImageView;
  renameImage(from: string, to: string): void;
  /** Deletes an image that is not the open one. */
  deleteImage(name: string): void;
  /** Image `name` as a `.telos` file (objects, blobs, kernel disk, suspended machine;
   * history when asked). */
  exportImage(name: string, options?: { includeHistory?: boolean }): Blob;
  /** Imports a `.telos` file as a new image `name`; never overwrites, and on any failure
   * deletes what it created and names the line and reason. */
  importImage(file: Blob, name: string): { name: string; skipped: string[] };
}

export type WorldMethod = keyof WorldApi;

export interface WorldRequest {
  id: number;
  method: WorldMethod;
  args: unknown[];
}

export type WorldResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: ErrorData };

/**
 * Pushed by the worker: World changes, Transcript lines, and `image` when another image was
 * opened (every cached object is stale then) or, with `checked`, when the open image's
 * background integrity check finished (same image; read-only with `problems` if it failed).
 */
export type WorldEvent =
  | { type: 'change'; change: WorldChange }
  | { type: 'transcript'; line: string }
  | { type: 'image'; image: ImageView | null; checked?: boolean }
  | { type: 'progress'; progress: TaskProgress };

/** How far a long task (export, import) has got; `fraction` is null while unknown. */
export interface TaskProgress {
  task: string;
  fraction: number | null;
  done: boolean;
}

/** What the worker posts: a response or an event. */
export type WorldMessage = { response: WorldResponse } | { event: WorldEvent };

/** The part of Worker / MessagePort / DedicatedWorkerGlobalScope both ends use. */
export interface Endpoint {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
}
