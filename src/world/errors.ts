// Errors a user can read: what failed, on which object and selector, and what is unchanged.
// Each has a stable `name` (workspace code tests `e.name`) and serializes to plain JSON so it
// crosses the worker boundary and the sandbox boundary intact.

import type { OID } from './types';

export interface ErrorData {
  name: string;
  message: string;
  [detail: string]: unknown;
}

export class TelosError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
  /** Plain-JSON form: name, message and the subclass's details. */
  toJSON(): ErrorData {
    const out: ErrorData = { name: this.name, message: this.message };
    for (const [k, v] of Object.entries(this)) if (k !== 'name' && k !== 'message' && k !== 'stack') out[k] = v;
    return out;
  }
}

export class MessageNotUnderstood extends TelosError {
  constructor(readonly receiver: OID, readonly selector: string, receiverName = `#${receiver}`) {
    super('MessageNotUnderstood', `${receiverName} (#${receiver}) does not understand '${selector}'`);
  }
}

export class TraitConflict extends TelosError {
  constructor(
    readonly receiver: OID,
    readonly selector: string,
    readonly traits: OID[],
    names: string[] = traits.map((t) => `#${t}`),
  ) {
    super(
      'TraitConflict',
      `'${selector}' is provided by both ${names[0]} (#${traits[0]}) and ${names[1]} (#${traits[1]}) on #${receiver}; ` +
        `exclude it from one trait, alias it, or define it on the object`,
    );
  }
}

export class AmbiguousSend extends TelosError {
  constructor(
    readonly receiver: OID,
    readonly selector: string,
    /** The two parent slots (names) through which different holders were found. */
    readonly parents: string[],
    readonly holders: OID[],
  ) {
    super(
      'AmbiguousSend',
      `'${selector}' sent to #${receiver} is ambiguous: found in #${holders[0]} through parent '${parents[0]}' ` +
        `and in #${holders[1]} through parent '${parents[1]}'`,
    );
  }
}

export type LimitName = 'deadline' | 'memory' | 'stack';

export class SandboxLimit extends TelosError {
  constructor(readonly limit: LimitName, readonly detail: string) {
    super('SandboxLimit', `${limit} limit reached: ${detail}; the evaluation was aborted and the World is unchanged`);
  }
}

/** An evaluation the user stopped (the page raised its stop flag while it ran). */
export class EvaluationStopped extends TelosError {
  constructor() {
    super('Stopped', 'stopped by the user; the evaluation was aborted and the World is unchanged');
  }
}

export class ConflictError extends TelosError {
  constructor(readonly oids: OID[], detail = 'changed by another writer since they were read') {
    super('ConflictError', `objects ${oids.map((o) => `#${o}`).join(', ')} ${detail}; nothing was written`);
  }
}

/** An edit made on a version of an object that is no longer the current one (another tab
 * committed over it since the user read it): refused before anything is written. */
export class StaleEditError extends ConflictError {
  constructor(
    readonly oid: OID,
    /** The object's serial as the user saw it when the edit started. */
    readonly seenSerial: number,
    /** The serial of the object's current version. */
    readonly currentSerial: number,
    objectName = `#${oid}`,
  ) {
    super([oid]);
    this.message =
      currentSerial === 0
        ? `${objectName} (#${oid}) no longer exists; nothing was written`
        : `${objectName} (#${oid}) was changed by another tab (transaction ${currentSerial}) after you read it (at transaction ${seenSerial}); nothing was written`;
  }
}

/** Bad slot names, bad values, bad trait uses, missing objects: refused with a reason. */
export class InvalidInput extends TelosError {
  constructor(message: string) {
    super('InvalidInput', message);
  }
}

/** Method source that does not parse; the old method is kept. Line and column are 1-based. */
export class MethodSyntaxError extends TelosError {
  constructor(
    readonly owner: OID,
    readonly selector: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super('MethodSyntaxError', `syntax error in #${owner} ${selector} at line ${line}, column ${column}: ${reason}; the old method is kept`);
  }
}

/** No transaction open, or one is being committed. */
export class TransactionError extends TelosError {
  constructor(message: string) {
    super('TransactionError', message);
  }
}

/**
 * An object is known to exist but its state is not in memory (lazy loading). The caller
 * aborts, awaits `world.fault(oids)`, and runs the operation again.
 */
export class ObjectFault extends TelosError {
  /** `needsOids`: the World's reserved block of OIDs is empty; `fault` reserves another. */
  constructor(
    readonly oids: OID[],
    readonly needsOids = false,
  ) {
    const what = oids.length ? `objects ${oids.map((o) => `#${o}`).join(', ')} are not loaded yet` : '';
    super('ObjectFault', [what, needsOids ? 'the World needs more OIDs reserved from its image' : ''].filter(Boolean).join('; '));
  }
}

/** Rebuilds a TelosError (or a plain Error-like record) from its JSON form. */
export function errorFromData(data: ErrorData): TelosError {
  const e = new TelosError(data.name, data.message);
  for (const [k, v] of Object.entries(data)) if (k !== 'name' && k !== 'message') (e as unknown as Record<string, unknown>)[k] = v;
  return e;
}
