import { describe, expect, it } from 'vitest';
import { RunningEvaluations, StopFlag, canStop, deadlineFor, timeLimitChoices } from './evaluation-control';

describe('evaluation control', () => {
  it('Stop needs a cross-origin isolated page with SharedArrayBuffer', () => {
    expect(canStop({ crossOriginIsolated: true, SharedArrayBuffer })).toBe(true);
    expect(canStop({ crossOriginIsolated: false, SharedArrayBuffer })).toBe(false);
    expect(canStop({ crossOriginIsolated: true })).toBe(false);
  });

  // Catches a page that cannot stop a run still offering one with no end.
  it('no limit is offered only where a run can be stopped', () => {
    expect(timeLimitChoices(true).map((l) => l.label)).toEqual(['1 s', '10 s', '60 s', 'none']);
    expect(timeLimitChoices(false).map((l) => l.label)).toEqual(['1 s', '10 s', '60 s']);
    expect(deadlineFor(null, true)).toBe(Infinity);
    expect(deadlineFor(null, false)).toBe(60_000);
    expect(deadlineFor(10_000, false)).toBe(10_000);
    expect(deadlineFor(0, true)).toBe(1000);
  });

  it('Stop raises the flag of every evaluation still pending, and only those', () => {
    const running = new RunningEvaluations();
    const a = new StopFlag();
    const b = new StopFlag();
    const done = new StopFlag();
    running.start(a);
    const endB = running.start(b);
    running.start(done)();
    endB();
    running.start(b);
    expect(running.stopAll()).toBe(2);
    expect([a.raised, b.raised, done.raised]).toEqual([true, true, false]);
    // The flag is the one the worker reads: an Int32 at the buffer's start.
    expect(Atomics.load(new Int32Array(a.buffer), 0)).toBe(1);
    expect(running.start(null)).toBeTypeOf('function');
  });
});
