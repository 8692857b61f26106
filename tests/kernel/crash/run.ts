// `npm run crash:ps`: the PS crash-consistency harness in full (harness.ts): several
// recorded runs of random steps, every crash state of each mounted and judged. Prints the
// counts and every wrong recovery; exits non-zero when there is one.
//   npx tsx tests/kernel/crash/run.ts [--runs N] [--steps N] [--seed S]
import { crashStates, modelStates, recordRun, rng, verifyStates } from './harness';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('runs', 3);
const steps = arg('steps', 200);
const seed = arg('seed', 424242);

let checked = 0;
let toAcked = 0;
let toInFlight = 0;
let fresh = 0;
const wrong: string[] = [];
const started = Date.now();
for (let r = 0; r < runs; r++) {
  const run = await recordRun({ seed: seed + r, steps, diskBytes: 1 << 20, timeoutMs: 1_800_000 });
  const states = crashStates(run, rng(seed + 1000 + r));
  process.stdout.write(`run ${r + 1}/${runs} (seed ${seed + r}): ${run.steps.length} steps (${run.steps.filter((s) => s.kind === 'pack').length} packs, ${run.steps.filter((s) => s.kind === 'compact').length} compactions, ${run.forgeries} objects carrying a forged record), ${run.writes} writes, ${run.flushes} flushes, ${states.length} crash states\n`);
  const v = await verifyStates(states, modelStates(run), {
    freshEvery: 100,
    onProgress: (done) => {
      if (done % 250 === 0) process.stdout.write(`  ${done}/${states.length} checked\n`);
    },
  });
  checked += v.checked;
  toAcked += v.toAcked;
  toInFlight += v.toInFlight;
  fresh += v.freshBoots;
  wrong.push(...v.wrong.map((w) => `seed ${seed + r}: ${w}`));
}
console.log(
  `PS crash states: ${checked} checked in ${runs} runs of ${steps} steps (${((Date.now() - started) / 60000).toFixed(1)} min); ` +
    `${toAcked} recovered the acknowledged prefix, ${toInFlight} the step in flight, ${fresh} also booted afresh; ${wrong.length} wrong`,
);
for (const w of wrong) console.log(`WRONG ${w}`);
process.exit(wrong.length ? 1 : 0);
