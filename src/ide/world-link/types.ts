// The IDE's own shapes for what it shows, beside the views the World worker answers with
// (declared once in src/workers and re-exported here for the windows): errors as a person
// reads them, evaluation outcomes, history rows.
export type {
  ConflictView,
  ImageEntry,
  ObjectSummary,
  ObjectView,
  QueryHit,
  RequiredView,
  SlotKind,
  SlotView,
  TraitUseView,
  Value,
} from '../../workers';
import type { Value } from '../../workers';

export interface FrameView {
  owner: number;
  ownerName: string;
  selector: string;
  line?: number;
  column?: number;
  source?: string;
}

/** An error a user can read: what failed, where, and the chain of sends. */
export interface ErrorView {
  name: string;
  message: string;
  line?: number;
  column?: number;
  frames: FrameView[];
  /** Set when an edit was refused because another tab changed the object since the user
   * read it (the World's StaleEditError): which object, and the version seen and now current. */
  stale?: StaleEdit;
}

/** An edit made on a version of an object that is no longer current. */
export interface StaleEdit {
  oid: number;
  seenSerial: number;
  currentSerial: number;
}

export type EvalOutcome =
  | { ok: true; value: Value; printString: string; output: string[] }
  | { ok: false; error: ErrorView; output: string[] };

export interface ChangeView {
  oid: number;
  name: string;
  summary: string;
}

export interface TransactionView {
  tid: number;
  time: number;
  note: string;
  origin: string;
  /** False when undo would have nothing to restore (the transaction only created objects). */
  undoable: boolean;
  changes: ChangeView[];
}

/** Result of an operation that may be refused (a syntax error, an undo that can't apply). */
export type Outcome<T = void> = { ok: true; value: T } | { ok: false; error: ErrorView };
