// Running code as one transaction: begin, evaluate, commit on success, abort on error, and
// load faulted objects then retry (lazy loading from a store).

import { ObjectFault, type Tid } from '../world';
import type { EvalResult, Sandbox } from './sandbox';

export interface RunOutcome {
  result: EvalResult;
  /** Transaction id of the commit, or null if nothing changed. */
  tid: Tid | null;
}

const MAX_FAULT_ROUNDS = 50;

/**
 * Runs `body` (an evaluate or send on `sandbox`) in a transaction named `note` and commits it.
 * An ObjectFault aborts, loads the missing objects and runs `body` again.
 */
export async function runTransaction(sandbox: Sandbox, note: string, body: () => EvalResult, origin = 'workspace'): Promise<RunOutcome> {
  const world = sandbox.world;
  for (let round = 0; ; round++) {
    world.begin(note, origin);
    let result: EvalResult;
    try {
      result = body();
    } catch (e) {
      if (world.inTransaction) world.abort();
      if (e instanceof ObjectFault && round < MAX_FAULT_ROUNDS) {
        await world.fault(e.oids);
        continue;
      }
      throw e;
    }
    const committed = await world.commit(note);
    return { result, tid: committed?.tid ?? null };
  }
}

/** Evaluates workspace code as one committed transaction. */
export function evaluateAndCommit(sandbox: Sandbox, code: string, note = 'Evaluate'): Promise<RunOutcome> {
  return runTransaction(sandbox, note, () => sandbox.evaluate(code));
}
