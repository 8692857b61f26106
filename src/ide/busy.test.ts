// A busy flag (a form's progress, a notice's disabled buttons) is lowered however the awaited
// work ends: a result, a rejection, or a throw before the work even started.
import { describe, expect, it } from 'vitest';
import { whileBusy } from './busy';

function flag() {
  const seen: boolean[] = [];
  return { seen, set: (b: boolean) => void seen.push(b), get busy() { return seen.at(-1) ?? false; } };
}

describe('whileBusy', () => {
  it('raises the flag for the work and lowers it with the result', async () => {
    const f = flag();
    let during: boolean | undefined;
    const value = await whileBusy(f.set, async () => {
      during = f.busy;
      return 42;
    });
    expect(value).toBe(42);
    expect(during).toBe(true);
    expect(f.seen).toEqual([true, false]);
  });

  it('lowers the flag when the awaited call rejects, and passes the error on', async () => {
    const f = flag();
    await expect(whileBusy(f.set, async () => Promise.reject(new Error('the World is not connected yet')))).rejects.toThrow('not connected');
    expect(f.busy).toBe(false);
  });

  it('lowers the flag when the work throws before it returns a promise', async () => {
    const f = flag();
    const work = (): Promise<void> => {
      throw new Error('no link');
    };
    await expect(whileBusy(f.set, work)).rejects.toThrow('no link');
    expect(f.seen).toEqual([true, false]);
  });
});
