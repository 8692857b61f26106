// Errors the store raises. Each is a value a person can read: what failed, on which object
// or transaction, and what is unchanged. `name` lets code (and workspace scripts) tell them
// apart; `code` is stable for the UI.
import { ConflictError as WorldConflictError } from '../world';
import type { Oid, Tid } from './format';

export type StoreErrorCode =
  | 'conflict'
  | 'storage-full'
  | 'aborted'
  | 'timeout'
  | 'closed'
  | 'blocked'
  | 'format-too-new'
  | 'migration-failed'
  | 'corrupt'
  | 'read-only'
  | 'undo-refused'
  | 'dangling-reference'
  | 'not-found'
  | 'name-taken'
  | 'bad-request';

export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  /** Plain-JSON form, so the error crosses the worker boundary with its code intact. */
  toJSON(): { name: string; message: string; code: StoreErrorCode } {
    return { name: this.name, message: this.message, code: this.code };
  }
}

export interface Conflict {
  oid: Oid;
  /** The serial this tab read (0: it believed the object new or absent). */
  readSerial: Tid;
  /** The serial stored now (0: the object is gone; -1: another writer created that oid). */
  storedSerial: Tid;
  /** The transaction that wrote the stored revision, when its log record is kept. */
  byNote?: string;
  byOrigin?: string;
}

/** Another transaction wrote an object this one read or writes. Nothing was written.
 * It is the World's ConflictError (so the World and workspace code recognise it), with
 * the store's details: which objects, which serials, and which transaction changed them. */
export class ConflictError extends WorldConflictError {
  readonly code = 'conflict';
  constructor(
    readonly conflicts: Conflict[],
    readonly note: string,
  ) {
    super(conflicts.map((c) => c.oid));
    this.message = conflictMessage(conflicts, note);
  }
}

function conflictMessage(conflicts: Conflict[], note: string): string {
  const shown = conflicts.slice(0, 5).map((c) => {
    if (c.storedSerial < 0) return `object ${c.oid} was created by another writer first`;
    if (c.storedSerial === 0) return `object ${c.oid} no longer exists`;
    const by = c.byNote !== undefined ? ` by transaction ${c.storedSerial} “${c.byNote}”${c.byOrigin ? ` (${c.byOrigin})` : ''}` : ` by transaction ${c.storedSerial}`;
    return c.readSerial === 0
      ? `object ${c.oid} was created elsewhere${by}`
      : `object ${c.oid} was changed${by} after this tab read it (at transaction ${c.readSerial})`;
  });
  const more = conflicts.length > 5 ? ` and ${conflicts.length - 5} more` : '';
  return `“${note}” was not committed: ${shown.join('; ')}${more}. Nothing was written; reload those objects to see the newer state and try again.`;
}

/** Undo is refused: the transaction is gone, or its objects changed since. Nothing was written. */
export class UndoRefusedError extends StoreError {
  override name = 'UndoRefusedError';
  constructor(
    readonly tid: Tid,
    reason: string,
  ) {
    super('undo-refused', `Cannot undo transaction ${tid}: ${reason}. Nothing was written.`);
  }
}

/** The image was written by a newer TelOS Studio; it was left untouched. */
export class FormatTooNewError extends StoreError {
  override name = 'FormatTooNewError';
  constructor(
    readonly image: string,
    readonly imageVersion: number,
    readonly supportedVersion: number,
  ) {
    super(
      'format-too-new',
      `Image “${image}” has format version ${imageVersion}, newer than version ${supportedVersion} that this TelOS Studio reads. It was not opened and nothing in it was changed; open it with a newer TelOS Studio.`,
    );
  }
}

/** Turns whatever IndexedDB or Dexie threw into a StoreError that says what is unchanged. */
export function storageError(e: unknown, what: string, unchanged: string): StoreError {
  if (e instanceof StoreError) return e;
  const name = errorName(e);
  const detail = e instanceof Error ? e.message : String(e);
  switch (name) {
    case 'QuotaExceededError':
      return new StoreError(
        'storage-full',
        `${what} failed: the browser refused to store more data (storage quota exceeded). ${unchanged} Free space by packing or deleting images, then try again.`,
        { cause: e },
      );
    case 'DatabaseClosedError':
    case 'VersionChangeError':
      return new StoreError(
        'closed',
        `${what} failed: the image's database connection was closed (another tab upgraded or deleted it, or the browser closed it). ${unchanged} Reload the page to reopen the image.`,
        { cause: e },
      );
    case 'AbortError':
    case 'InvalidStateError':
    case 'TransactionInactiveError':
      return new StoreError(
        'aborted',
        `${what} failed: the browser aborted the IndexedDB transaction${detail ? ` (${detail})` : ''}. ${unchanged}`,
        { cause: e },
      );
    default:
      return new StoreError('aborted', `${what} failed: ${name}: ${detail}. ${unchanged}`, { cause: e });
  }
}

/** The name of an error, looking through Dexie's wrappers to the IndexedDB error inside
 * (a quota failure often arrives as an AbortError whose inner error is the real reason). */
export function errorName(e: unknown): string {
  const names: string[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const name = (cur as { name?: unknown }).name;
    if (typeof name === 'string') names.push(name);
    cur = (cur as { inner?: unknown }).inner ?? (cur as { cause?: unknown }).cause;
  }
  if (names.includes('QuotaExceededError')) return 'QuotaExceededError';
  return names.find((n) => n !== 'Error' && n !== 'DexieError') ?? 'Error';
}
