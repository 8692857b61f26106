// Busy flags (an import form's progress, a stale notice's disabled Keep mine) are raised for
// the awaited work and lowered however it ends: a flag left up would leave the buttons
// disabled for good after one failure.

/** Runs `work` with the busy flag raised and lowers it when the work ends: with a result, a
 * rejection, or a throw before the work returned a promise (the error is passed on). */
export async function whileBusy<T>(setBusy: (busy: boolean) => void, work: () => Promise<T>): Promise<T> {
  setBusy(true);
  try {
    return await work();
  } finally {
    setBusy(false);
  }
}
