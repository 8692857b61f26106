// Shared helpers for benchmarks. Every benchmark measures our figure and a baseline in the
// same run and prints both with their ratio: on a noisy machine only the ratio means much.
// A row measured several times (`runs`) reports its best ratio and lists every run; a row
// whose baseline is (near) zero prints the absolute figure instead of a meaningless ratio;
// a row's `phases` say where its time went, so the next step is visible.
import { cpus, loadavg } from 'node:os';

export interface BenchRun {
  ours: number;
  baseline: number;
}

export interface BenchPhase {
  /** What the phase is, e.g. "worker script loaded" or "style + layout". */
  name: string;
  /** Its figure, in the row's unit unless `unit` says otherwise. */
  value: number;
  unit?: string;
}

export interface BenchRow {
  /** What was measured, e.g. "send (method → method)". */
  name: string;
  /** Our figure (of the best run when `runs` is given). */
  ours: number;
  /** The baseline's figure, measured in the same run. */
  baseline: number;
  /** Unit of both figures, e.g. "ops/s", "ms", "instructions". */
  unit: string;
  /** What the baseline is, e.g. "plain JS call in the same QuickJS context". */
  baselineName: string;
  /** true when a larger figure is better (throughput), false for times. */
  higherIsBetter?: boolean;
  /** Every run of this row, each with its own baseline measured beside it; `ours` and
   * `baseline` are then taken from the best run (by ratio). */
  runs?: BenchRun[];
  /** Where our figure's time went (in the best run, or a median over runs; see the name). */
  phases?: BenchPhase[];
}

const fmt = (n: number): string =>
  !Number.isFinite(n) ? String(n) : Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : n === 0 ? '0' : n.toPrecision(4);

/** A baseline this small against our figure makes the ratio meaningless (e.g. 0 long
 * frames while idle): the row prints the absolute figure instead. */
export function nearZero(baseline: number, ours: number): boolean {
  return baseline <= 0 || Math.abs(baseline) < 1e-3 * Math.abs(ours);
}

const ratioOf = (r: BenchRun): number => r.ours / r.baseline;

/** The best run of a row: the lowest ratio for times, the highest for throughputs; runs
 * with a near-zero baseline are compared by their own figure. */
export function bestRun(runs: BenchRun[], higherIsBetter = false): BenchRun {
  const better = (a: BenchRun, b: BenchRun): boolean => {
    const za = nearZero(a.baseline, a.ours);
    const zb = nearZero(b.baseline, b.ours);
    if (za || zb) return higherIsBetter ? a.ours > b.ours : a.ours < b.ours;
    return higherIsBetter ? ratioOf(a) > ratioOf(b) : ratioOf(a) < ratioOf(b);
  };
  return runs.reduce((best, r) => (better(r, best) ? r : best));
}

/** Builds a row from several runs: figures of the best one, every run listed. */
export function rowFromRuns(row: Omit<BenchRow, 'ours' | 'baseline' | 'runs'>, runs: BenchRun[]): BenchRow {
  const best = bestRun(runs, row.higherIsBetter);
  return { ...row, ours: best.ours, baseline: best.baseline, runs };
}

function ratioText(r: BenchRun): string {
  return nearZero(r.baseline, r.ours) ? 'abs' : `${ratioOf(r).toFixed(2)}x`;
}

/** What the machine was doing: cores, load average, and the extra CPU-bound processes the
 * bench runner started (`npm run bench -- --busy 2`). */
export function machineNote(): string {
  const busy = Number(process.env.BENCH_BUSY ?? 0);
  const [one, five] = loadavg();
  return `${cpus().length} cores, load average ${one!.toFixed(1)} (1 min) ${five!.toFixed(1)} (5 min)${busy ? `, ${busy} extra \`yes > /dev/null\` running` : ', no extra load started'}`;
}

/** Prints one benchmark's table: figure, baseline, ratio (ours ÷ baseline), then each
 * row's runs and phases. */
export function printTable(title: string, rows: BenchRow[]): void {
  const lines = rows.map((r) => {
    const zero = nearZero(r.baseline, r.ours);
    const ratio = zero
      ? `n/a: baseline ≈ 0, ours ${fmt(r.ours)} ${r.unit}`
      : `${(r.ours / r.baseline).toFixed(2)}x${r.higherIsBetter ? ' (higher is better)' : ''}${r.runs && r.runs.length > 1 ? ` (best of ${r.runs.length})` : ''}`;
    return [r.name, `${fmt(r.ours)} ${r.unit}`, `${fmt(r.baseline)} ${r.unit} (${r.baselineName})`, ratio, r.runs && r.runs.length > 1 ? r.runs.map(ratioText).join(', ') : ''];
  });
  const withRuns = rows.some((r) => r.runs && r.runs.length > 1);
  const head = ['measure', 'ours', 'baseline', 'ratio', ...(withRuns ? ['every run'] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => '| ' + head.map((_, i) => cells[i]!.padEnd(widths[i]!)).join(' | ') + ' |';
  console.log(`\n## ${title}`);
  console.log(`(${machineNote()})`);
  console.log(row(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const l of lines) console.log(row(l));
  for (const r of rows) {
    if (r.runs && r.runs.length > 1)
      console.log(`- ${r.name}, every run (ours / baseline): ${r.runs.map((x) => `${fmt(x.ours)} / ${fmt(x.baseline)}`).join('; ')} ${r.unit}`);
    if (r.phases?.length)
      console.log(`  phases: ${r.phases.map((p) => `${p.name} ${fmt(p.value)}${p.unit ?? (r.unit === 'ms' ? ' ms' : ` ${r.unit}`)}`).join(' · ')}`);
  }
}

/** Median and 99th percentile of a sample (sorted copy). */
export function percentiles(samples: number[]): { median: number; p99: number; mean: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length, max: s[s.length - 1]! };
}

/** Median of a sample (NaN when empty). */
export function median(samples: number[]): number {
  return samples.length ? percentiles(samples).median : NaN;
}
