// The mutation run: builds the kernel once as it is (the control, which must pass every
// test the list names, or the run is void), then once per deliberate fault of mutations.ts,
// and runs the kernel tests named for that fault against the broken build on v86. A fault
// no test notices has survived: the run prints a table and exits non-zero.
//
//   npm run mutate                 every mutation
//   npm run mutate -- ID [ID...]   only these (the control still runs first)
//   npm run mutate -- --list       the list, nothing built
//   npm run mutate -- --survivors  the edits no test catches (expected to survive: each says why)
//   npm run mutate -- --keep       keep the temporary trees and builds
//
// The working tree is never touched: each build is a copy of images/telos in a temporary
// directory, built with the Makefile's own flags to an output of its own, and the tests
// boot it through TELOS_KERNEL (src/machine/node.ts).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { survivors, mutations, type KernelTestRef, type Mutation } from './mutations';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const sourceTree = join(repoRoot, 'images', 'telos');
const vitestBin = join(repoRoot, 'node_modules', '.bin', 'vitest');
/** A test that hangs the emulator ends by its own timeout; this only guards against a stuck vitest. */
const TEST_RUN_LIMIT_MS = 20 * 60_000;

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const survivorsRun = args.includes('--survivors');
const wanted = args.filter((a) => !a.startsWith('--'));

/** Occurrences of `needle` in `text`. */
function count(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) n++;
  return n;
}

/** Every edit must apply to today's source exactly once; otherwise the list has rotted. */
function checkList(list: Mutation[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const m of list) {
    if (ids.has(m.id)) problems.push(`${m.id}: the id is used twice`);
    ids.add(m.id);
    const path = join(sourceTree, m.file);
    if (!existsSync(path)) {
      problems.push(`${m.id}: ${m.file} does not exist`);
      continue;
    }
    const n = count(readFileSync(path, 'utf8'), m.original);
    if (n !== 1) problems.push(`${m.id}: the original text occurs ${n} times in ${m.file} (must be once):\n    ${JSON.stringify(m.original)}`);
    if (m.original === m.replacement) problems.push(`${m.id}: the replacement is the original`);
    if (m.tests.length === 0) problems.push(`${m.id}: names no test`);
  }
  return problems;
}

/** Copies the kernel tree (the run's snapshot of it), applies the mutation (if any) and
 * builds it; the ELF's path, or the build's errors. */
function build(work: string, name: string, m?: Mutation): { elf?: string; error?: string } {
  const tree = join(work, name, 'telos');
  const out = join(work, name, 'build');
  mkdirSync(dirname(tree), { recursive: true });
  cpSync(join(work, 'source'), tree, { recursive: true });
  if (m) {
    const path = join(tree, m.file);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.replace(m.original, () => m.replacement));
  }
  const r = spawnSync('make', ['-s', '-C', tree, `OUT=${out}`], { encoding: 'utf8' });
  if (r.status !== 0) return { error: `${r.stdout}${r.stderr}`.trim().split('\n').slice(-8).join('\n') };
  return { elf: join(out, 'telos.elf') };
}

interface TestOutcome {
  result: 'passed' | 'failed' | 'no test' | 'error';
  detail: string;
  seconds: number;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Runs one kernel test against `elf` on v86 (QEMU's half is not selected by the name). */
function runTest(elf: string, ref: KernelTestRef, reportPath: string): TestOutcome {
  const started = Date.now();
  rmSync(reportPath, { force: true });
  const r = spawnSync(
    vitestBin,
    ['run', '--project', 'kernel', ref.file, '-t', escapeRegExp(ref.name), '--reporter=json', `--outputFile=${reportPath}`],
    { cwd: repoRoot, env: { ...process.env, TELOS_KERNEL: elf }, encoding: 'utf8', timeout: TEST_RUN_LIMIT_MS },
  );
  const seconds = (Date.now() - started) / 1000;
  if (!existsSync(reportPath)) {
    return { result: 'error', detail: `vitest wrote no report (status ${r.status}): ${`${r.stderr}`.trim().split('\n').slice(-3).join(' | ')}`, seconds };
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    testResults: { message?: string; assertionResults: { status: string; failureMessages: string[] }[] }[];
  };
  if (report.numFailedTests > 0) {
    const failure = report.testResults.flatMap((f) => f.assertionResults).find((a) => a.status === 'failed');
    const first = (failure?.failureMessages[0] ?? '').split('\n')[0].replace(/\s+/g, ' ');
    return { result: 'failed', detail: first.length > 140 ? `${first.slice(0, 140)}…` : first, seconds };
  }
  const fileError = report.testResults.find((f) => f.message)?.message;
  if (fileError) return { result: 'failed', detail: fileError.split('\n')[0], seconds };
  if (report.numPassedTests === 0) return { result: 'no test', detail: `no test named "${ref.name}" in ${ref.file}`, seconds };
  return { result: 'passed', detail: '', seconds };
}

const shortName = (ref: KernelTestRef) => `${ref.file.replace('tests/kernel/', '')}: ${ref.name.replace(/^.*? on '?v86'? /, '')}`;

// ---------------------------------------------------------------- the run

const list: Mutation[] = survivorsRun ? survivors : mutations;
const selected = wanted.length ? list.filter((m) => wanted.includes(m.id)) : list;
const unknown = wanted.filter((w) => !list.some((m) => m.id === w));
if (unknown.length) {
  console.error(`unknown mutation(s): ${unknown.join(', ')}; --list shows them`);
  process.exit(2);
}
if (args.includes('--list')) {
  for (const m of list) console.log(`${m.id.padEnd(32)} ${m.file.padEnd(20)} ${m.breaks}`);
  process.exit(0);
}
const problems = checkList([...mutations, ...survivors]);
if (problems.length) {
  console.error(`the mutation list no longer fits the source:\n  ${problems.join('\n  ')}`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'telos-mutate-'));
// No signal handler: every step is a synchronous child process, so a handler would only run
// at the end and would keep Ctrl-C from stopping the run. A stopped run leaves its directory
// (named on the first line it prints) behind.
const runStarted = Date.now();
let exitCode = 0;
try {
  // One snapshot of the source for every build, so edits made while the run goes on do not
  // mix into it. The control: the unmutated build must pass every test the mutations name.
  cpSync(sourceTree, join(work, 'source'), { recursive: true });
  console.log(`control: building images/telos unchanged (${work})`);
  const control = build(work, 'control');
  if (!control.elf) throw new Error(`the unmutated kernel does not build:\n${control.error}`);
  const refs = new Map<string, KernelTestRef>();
  for (const m of selected) for (const t of m.tests) refs.set(`${t.file}\0${t.name}`, t);
  let i = 0;
  for (const ref of refs.values()) {
    const o = runTest(control.elf, ref, join(work, 'control', `report-${i++}.json`));
    console.log(`control: ${o.result.padEnd(7)} ${o.seconds.toFixed(0).padStart(4)} s  ${shortName(ref)}${o.detail ? ` (${o.detail})` : ''}`);
    if (o.result !== 'passed') throw new Error('the control failed: the run is void (fix the tests or the kernel first)');
  }

  const rows: { m: Mutation; status: 'caught' | 'SURVIVED' | 'VOID'; by: string; seconds: number }[] = [];
  for (const m of selected) {
    const started = Date.now();
    const b = build(work, m.id, m);
    let status: 'caught' | 'SURVIVED' | 'VOID' = 'SURVIVED';
    let by = '';
    if (!b.elf) {
      status = 'VOID';
      by = `does not build: ${b.error?.split('\n').find((l) => l.includes('error')) ?? b.error}`;
    } else {
      for (const [k, ref] of m.tests.entries()) {
        const o = runTest(b.elf, ref, join(work, m.id, `report-${k}.json`));
        if (o.result === 'failed') {
          status = 'caught';
          by = `${shortName(ref)} — ${o.detail}`;
          break;
        }
        if (o.result !== 'passed') {
          status = 'VOID';
          by = `${shortName(ref)}: ${o.result}: ${o.detail}`;
          break;
        }
      }
      if (status === 'SURVIVED') {
        const why = (m as Mutation & { why?: string }).why;
        by = `passed: ${m.tests.map(shortName).join('; ')}${why ? ` (${why})` : ''}`;
      }
    }
    const seconds = (Date.now() - started) / 1000;
    rows.push({ m, status, by, seconds });
    console.log(`${status.padEnd(8)} ${m.id} (${seconds.toFixed(0)} s): ${by}`);
    if (!keep) rmSync(join(work, m.id), { recursive: true, force: true });
  }

  const caught = rows.filter((r) => r.status === 'caught').length;
  const survived = rows.filter((r) => r.status === 'SURVIVED').length;
  const voided = rows.filter((r) => r.status === 'VOID').length;
  console.log('\n| mutation | file | breaks | result | caught by |\n|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| \`${r.m.id}\` | \`${r.m.file}\` | ${r.m.breaks} | ${r.status} | ${r.status === 'caught' ? r.by.split(' — ')[0] : r.by} |`);
  }
  const minutes = ((Date.now() - runStarted) / 60_000).toFixed(1);
  console.log(`\n${rows.length} mutations: ${caught} caught, ${survived} survived, ${voided} void; ${minutes} min in all`);
  // A survivor that a test now catches belongs in the main list.
  if (voided || (survivorsRun ? caught : survived)) exitCode = 1;
} catch (e) {
  console.error(String((e as Error).message ?? e));
  exitCode = 1;
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
