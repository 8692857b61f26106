// Long evaluations: the workspace's time limit, and Stop. Stop reaches the World worker
// through a flag both share (an Int32 in a SharedArrayBuffer): the worker's thread is busy
// inside QuickJS while code runs, so no message could reach it, but the sandbox's interrupt
// handler reads the flag. We chose this over terminating and restarting the worker because
// the World, its open image and the IDE's connection all stay as they were; the transaction
// of the stopped run is aborted like any failed one. Sharing the buffer needs a cross-origin
// isolated page (COOP/COEP headers, see vite.config.ts): where the host does not send them,
// evaluations cannot be stopped, and the workspace offers no Stop and no run without a limit.

/** The time limits a workspace offers; null is no limit (only where a run can be stopped). */
export const TIME_LIMITS: readonly { label: string; ms: number | null }[] = [
  { label: '1 s', ms: 1000 },
  { label: '10 s', ms: 10_000 },
  { label: '60 s', ms: 60_000 },
  { label: 'none', ms: null },
];

export const DEFAULT_TIME_LIMIT_MS = 1000;

/** Whether this page can share a stop flag with the World worker. */
export function canStop(scope: { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown } = globalThis): boolean {
  return scope.crossOriginIsolated === true && typeof scope.SharedArrayBuffer === 'function';
}

/** The limits to offer: without Stop, a run with no limit could never end. */
export function timeLimitChoices(stoppable: boolean): readonly { label: string; ms: number | null }[] {
  return stoppable ? TIME_LIMITS : TIME_LIMITS.filter((l) => l.ms !== null);
}

/** The deadline an evaluation is sent with: no limit is an infinite one, and a limit the page
 * cannot stop cannot be "none" (it falls back to the longest finite one). */
export function deadlineFor(limitMs: number | null, stoppable: boolean): number {
  if (limitMs === null) return stoppable ? Infinity : 60_000;
  return limitMs > 0 ? limitMs : DEFAULT_TIME_LIMIT_MS;
}

/** One evaluation's stop flag. */
export class StopFlag {
  readonly buffer = new SharedArrayBuffer(4);
  private readonly cell = new Int32Array(this.buffer);
  raise(): void {
    Atomics.store(this.cell, 0, 1);
  }
  get raised(): boolean {
    return Atomics.load(this.cell, 0) !== 0;
  }
}

/** A new stop flag, or null where the page cannot share one. */
export function newStopFlag(): StopFlag | null {
  return canStop() ? new StopFlag() : null;
}

/** The evaluations of one workspace that have not answered yet, to stop them all at once. */
export class RunningEvaluations {
  private readonly flags = new Set<StopFlag>();
  start(flag: StopFlag | null): () => void {
    if (!flag) return () => {};
    this.flags.add(flag);
    return () => this.flags.delete(flag);
  }
  /** Raises every pending flag; answers how many evaluations were asked to stop. */
  stopAll(): number {
    for (const f of this.flags) f.raise();
    return this.flags.size;
  }
  get size(): number {
    return this.flags.size;
  }
}
