// Shared helpers for benchmarks. Every benchmark measures our figure and a baseline in the
// same run and prints both with their ratio: on a noisy machine only the ratio means much.

export interface BenchRow {
  /** What was measured, e.g. "send (method → method)". */
  name: string;
  /** Our figure. */
  ours: number;
  /** The baseline's figure, measured in the same run. */
  baseline: number;
  /** Unit of both figures, e.g. "ops/s", "ms", "instructions". */
  unit: string;
  /** What the baseline is, e.g. "plain JS call in the same QuickJS context". */
  baselineName: string;
  /** true when a larger figure is better (throughput), false for times. */
  higherIsBetter?: boolean;
}

const fmt = (n: number): string =>
  Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(4);

/** Prints one benchmark's table: figure, baseline, ratio (ours ÷ baseline). */
export function printTable(title: string, rows: BenchRow[]): void {
  const lines = rows.map((r) => [
    r.name,
    `${fmt(r.ours)} ${r.unit}`,
    `${fmt(r.baseline)} ${r.unit} (${r.baselineName})`,
    `${(r.ours / r.baseline).toFixed(2)}x${r.higherIsBetter ? ' (higher is better)' : ''}`,
  ]);
  const head = ['measure', 'ours', 'baseline', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  console.log(`\n## ${title}`);
  console.log(row(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const l of lines) console.log(row(l));
}

/** Median and 99th percentile of a sample (sorted copy). */
export function percentiles(samples: number[]): { median: number; p99: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}
