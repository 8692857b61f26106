// The IDE's one door to the World worker. Every window talks to the World through this
// interface; connect.ts builds it over the worker's typed client. Each mutation is one
// named transaction in the worker; the link never holds the truth, it only asks.
import type {
  EvalOutcome,
  ImageInfo,
  ObjectSummary,
  ObjectView,
  Outcome,
  SlotKind,
  SpotterHit,
  TransactionView,
  Value,
} from './types';

export interface WorldChange {
  /** Objects whose state changed; empty means "anything may have changed". */
  oids: number[];
  /** Transaction note, when the change was a commit. */
  note?: string;
  tid?: number;
}

export interface WorldLink {
  /** Root (lobby) object id. */
  readonly rootOid: number;
  imageName(): string;
  listObjects(): Promise<ObjectSummary[]>;
  readObject(oid: number): Promise<ObjectView>;
  /** Workspace code with the lobby as self; one transaction (commit on success, abort on error). */
  evaluate(source: string): Promise<EvalOutcome>;
  /** Re-runs a previous evaluation (from the debugger). */
  addSlot(oid: number, name: string, kind: SlotKind, valueOrSource: Value | string, category?: string): Promise<Outcome>;
  removeSlot(oid: number, name: string): Promise<Outcome>;
  renameSlot(oid: number, from: string, to: string): Promise<Outcome>;
  recategorizeSlot(oid: number, name: string, category: string): Promise<Outcome>;
  /** Sets a data slot from source text of a value (e.g. `42`, `'text'`, `self.Circle`). */
  setSlotValue(oid: number, name: string, valueSource: string): Promise<Outcome>;
  /** Saves a method; a syntax error comes back with line and column and nothing is committed. */
  setMethod(oid: number, name: string, source: string): Promise<Outcome>;
  clone(oid: number): Promise<Outcome<number>>;
  setTraitUse(oid: number, trait: number, exclude: string[], alias: Record<string, string>): Promise<Outcome>;
  search(text: string, limit: number): Promise<SpotterHit[]>;
  senders(selector: string): Promise<SpotterHit[]>;
  implementors(selector: string): Promise<SpotterHit[]>;
  references(oid: number): Promise<SpotterHit[]>;
  history(limit: number): Promise<TransactionView[]>;
  undo(tid: number): Promise<Outcome>;
  listImages(): Promise<ImageInfo[]>;
  newImage(name: string): Promise<Outcome>;
  openImage(name: string): Promise<Outcome>;
  renameImage(from: string, to: string): Promise<Outcome>;
  deleteImage(name: string): Promise<Outcome>;
  exportImage?(name: string): Promise<Outcome<Blob>>;
  importImage?(file: File, name: string): Promise<Outcome>;
  /** Reads the window layout stored in the image (null when none). */
  readLayout(): Promise<unknown | null>;
  /** Stores the window layout in the image. */
  writeLayout(layout: unknown): Promise<Outcome>;
  /** Change events (commits from this tab or others); returns an unsubscribe function. */
  subscribe(listener: (change: WorldChange) => void): () => void;
  /** Transcript output from `print` in methods. */
  onPrint(listener: (text: string) => void): () => void;
}
