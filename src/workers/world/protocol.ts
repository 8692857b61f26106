// What crosses the boundary between the page and the World worker, declared once: the
// worker's API (answered through ../rpc.ts), the views it answers with, and the events it
// pushes. Everything is structured-clone data. The IDE imports these as types.

import type { LookupResult, OID, Serial, SlotKind, SyntaxProblem, Tid, TraitUse, Value, WorldChange } from '../../world';
import type { EvalResult } from '../../sandbox';
import type { ImageEntry, Revision, TxDetail, TxSummary } from '../../store';

export type { ImageEntry, Revision, TxDetail, TxSummary, OID, SlotKind, Tid, Value, WorldChange };

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

/** One slot as an outliner shows it: its kind, value or source, and where it lives. */
export interface SlotView {
  name: string;
  kind: SlotKind;
  /** Data and parent slots: the value. */
  value?: Value;
  /** Method slots: the JavaScript source. */
  source?: string;
  category?: string;
  comment?: string;
  constant?: boolean;
  /** Object that holds the slot (the object itself, or the trait a method comes from). */
  holder: OID;
  holderName: string;
  /** How the slot reaches this object. */
  via: 'own' | 'trait' | 'parent';
}

export interface TraitUseView {
  trait: OID;
  traitName: string;
  exclude: string[];
  alias: Record<string, string>;
}

export interface ConflictView {
  selector: string;
  traits: { oid: OID; name: string }[];
}

export interface RequiredView {
  trait: OID;
  traitName: string;
  selectors: string[];
}

/** Everything an outliner shows about one object. */
export interface ObjectView {
  oid: OID;
  name: string;
  /** The transaction that last wrote it (0: never committed). */
  serial: Serial;
  /** Own slots, in order. */
  slots: SlotView[];
  /** Methods the object gets from its traits (not overridden by own slots), with their source. */
  traitMethods: SlotView[];
  traits: TraitUseView[];
  conflicts: ConflictView[];
  requires: RequiredView[];
  /** Display names of the object and of everything it refers to (parents, traits, values). */
  names: Record<OID, string>;
}

/** A hit of the spotter, senders, implementors or references. */
export interface QueryHit {
  kind: 'object' | 'slot' | 'method';
  oid: OID;
  objectName: string;
  slot?: string;
  /** A short excerpt (the matching source line, or what the hit is) shown under it. */
  excerpt?: string;
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

/** Options every mutation accepts: the transaction's note (a default one says what was done),
 * and the version of the object the edit was made on. */
export interface TxOptions {
  note?: string;
  /** The edited object's serial as the user saw it when the edit started (ObjectView.serial).
   * When given, a commit over a newer version is refused with a ConflictError
   * (StaleEditError: oid, seenSerial, currentSerial) and nothing is written. */
  seenSerial?: Serial;
}

/**
 * The World worker's API. Every mutation is one named transaction: committed when it
 * succeeds, aborted (World untouched) when it fails; failures reject with the TelosError.
 */
export interface WorldApi {
  /** Root OID and the last committed transaction. */
  /** The World's root and size; `missingImage` names the image the page asked for when no
   * image of that name exists (the World then runs in memory and nothing was created). */
  hello(): { root: OID; objects: number; missingImage?: string };
  listObjects(): ObjectSummary[];
  getObject(oid: OID): ObjectView;
  lookup(oid: OID, selector: string): LookupResult;
  /** Parses method source with the sandbox's parser (for live editor marks). */
  checkSyntax(source: string): SyntaxProblem | null;

  /** Workspace code as one transaction; `deadlineMs` overrides the 1 s default for this run.
   * `stop` is a SharedArrayBuffer of at least 4 bytes the page keeps: storing a non-zero
   * Int32 at its start stops the run (a Stopped error, transaction aborted). Only a
   * cross-origin isolated page can share one. */
  evaluate(code: string, options?: TxOptions & { deadlineMs?: number; stop?: SharedArrayBuffer }): RunResult;
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

  // Queries over every object of the image (stored objects not loaded yet are faulted in
  // first, so an answer is complete).
  /** Object names, slot names and method source containing `text` (case-insensitive): an
   * exact name first, then names (shortest first), slots, methods. */
  search(text: string, limit?: number): QueryHit[];
  /** Methods whose source sends `selector` (`.selector(` / `['selector']`), with the line. */
  senders(selector: string): QueryHit[];
  /** Objects with an own method named `selector`, with its first line. */
  implementors(selector: string): QueryHit[];
  /** Slots and trait uses that refer to the object. */
  references(oid: OID): QueryHit[];

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

/**
 * Pushed by the worker: World changes, Transcript lines, and `image` when another image was
 * opened (every cached object is stale then) or, with `checked`, when the open image's
 * background integrity check finished (same image; read-only with `problems` if it failed).
 */
export type WorldEvent =
  | { type: 'change'; change: WorldChange }
  | { type: 'transcript'; line: string }
  | { type: 'image'; image: ImageView | null; checked?: boolean };

/** How far a long call (export, import) has got, delivered to the caller's `onProgress`;
 * `fraction` is null while unknown. */
export interface TaskProgress {
  task: string;
  fraction: number | null;
}
