// The PS crash-consistency harness (tests/kernel/crash/harness.ts) on a bounded sample:
// one recorded run of random transactions, compactions and packs, and a random sample of
// the disks a power cut could leave (after a write, inside a torn multi-sector write, with
// an unflushed write lost), each mounted by the PS and checked against the state after
// the acknowledged steps or after the one in flight. `npm run crash:ps` checks them all,
// over several runs.
import { describe, expect, it } from 'vitest';
import { crashStates, modelStates, recordRun, rng, verifyStates } from './crash/harness';

const SAMPLE = 160;

describe('PS crash consistency (sample)', () => {
  // Catches: a PS recovery that yields a state no acknowledged prefix had (a torn or forged record accepted,
  // a lost acknowledged commit); 20 wrong recoveries in the sample for a PS without payload checksum and
  // marker check.
  it('recovers every sampled crash state to an acknowledged prefix of transactions, never anything else', async () => {
    const run = await recordRun({ seed: 20261201, steps: 80, diskBytes: 1 << 20 });
    const model = modelStates(run);
    const random = rng(77);
    const all = crashStates(run, random);
    // Keep the first state, then a random sample in order.
    const sample = [all[0]!, ...all.slice(1).filter(() => random() < SAMPLE / all.length)];
    const verdict = await verifyStates(sample, model, { freshEvery: 80 });
    console.log(
      `PS crash states: ${verdict.checked} checked of ${all.length} (${run.steps.length} steps, ${run.writes} writes, ${run.flushes} flushes); ` +
        `${verdict.toAcked} recovered the acknowledged prefix, ${verdict.toInFlight} the step in flight; ${verdict.freshBoots} also booted afresh; ${verdict.wrong.length} wrong`,
    );
    expect(verdict.wrong).toEqual([]);
    expect(run.steps.some((s) => s.kind === 'pack')).toBe(true);
    expect(verdict.checked).toBe(sample.length);
  }, 900_000);
});
