// What the IDE reads from and asks of the World, in the IDE's own terms. The World worker
// holds the truth; worldLink.ts adapts the worker's typed client to these shapes so the
// windows stay small and do not depend on the client's wire format.

/** A value in a slot, as DESIGN.md lists them. */
export type Value =
  | null
  | boolean
  | number
  | string
  | { ref: number }
  | { blob: string; size: number; type: string }
  | Value[];

export type SlotKind = 'data' | 'method' | 'parent';

/** One slot as an outliner shows it: its kind, value, and where it lives. */
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
  /** Object that holds the slot (the object itself, a trait, or a parent). */
  holder: number;
  holderName: string;
  /** How the slot reaches this object. */
  via: 'own' | 'trait' | 'parent';
}

export interface TraitUseView {
  trait: number;
  traitName: string;
  exclude: string[];
  alias: Record<string, string>;
}

export interface ConflictView {
  selector: string;
  traits: { oid: number; name: string }[];
}

export interface RequiredView {
  trait: number;
  traitName: string;
  selectors: string[];
}

export interface ObjectView {
  oid: number;
  name: string;
  /** Own slots, in order. */
  slots: SlotView[];
  /** Methods the object gets from its traits (not overridden by own slots). */
  traitMethods: SlotView[];
  traits: TraitUseView[];
  conflicts: ConflictView[];
  requires: RequiredView[];
  /** Display names of the objects this view refers to (parents, references in values). */
  names: Record<number, string>;
}

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
  changes: ChangeView[];
}

export interface ImageInfo {
  name: string;
  createdAt?: number;
  lastCommit?: string;
  bytes?: number;
}

export interface SpotterHit {
  kind: 'object' | 'slot' | 'method';
  oid: number;
  objectName: string;
  slot?: string;
  /** A short excerpt (method source line) shown under the hit. */
  excerpt?: string;
}

export interface ObjectSummary {
  oid: number;
  name: string;
}

/** Result of an operation that may be refused (a syntax error, an undo that can't apply). */
export type Outcome<T = void> = { ok: true; value: T } | { ok: false; error: ErrorView };
