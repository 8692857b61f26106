// Long host work (validating a big value, parsing a long method source, walking every object
// for references, writing a big answer) calls `workCheckpoint` as it goes. While an evaluation
// runs, the sandbox installs a check that throws once the evaluation is past its deadline, so
// one host call that starts just before the deadline cannot run on for its whole length.

let check: (() => void) | null = null;
let countdown = 0;
/** Units of work (value nodes, tokens, characters / 64) between two checks. */
const CHECK_EVERY = 4096;

/**
 * Installs the check long work runs now and then (null: none); answers the one it replaces,
 * for the caller to put back.
 */
export function setWorkCheck(fn: (() => void) | null): (() => void) | null {
  const before = check;
  check = fn;
  countdown = 0;
  return before;
}

/** Counts `units` of work done; now and then runs the installed check, which may throw. */
export function workCheckpoint(units = 1): void {
  if (check === null) return;
  countdown -= units;
  if (countdown > 0) return;
  countdown = CHECK_EVERY;
  check();
}
