#!/usr/bin/env node
// `npm test`: every layer of the test pyramid in order — typecheck, unit tests, kernel tests
// (the real TelOS ELF booted in v86 under Node), then end-to-end specs in real Chromium
// against the built app. Every layer runs even when an earlier one fails, so one run shows
// everything that is broken; the exit status is non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';

/** A TCP port nobody is listening on, for the e2e preview server. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
const e2ePort = process.env.E2E_PORT || String(await freePort());

const results = 'test-results/summary';
rmSync(results, { recursive: true, force: true }); // never read a report from an earlier run
mkdirSync(results, { recursive: true });

const steps = [
  { name: 'typecheck', cmd: 'npx', args: ['tsc', '--noEmit', '-p', 'tsconfig.json'] },
  { name: 'kernel build', cmd: 'make', args: ['-s', '-C', 'images/telos'] },
  {
    name: 'unit',
    cmd: 'npx',
    args: ['vitest', 'run', '--project', 'unit', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/unit.json`],
    report: { kind: 'vitest', file: `${results}/unit.json` },
  },
  {
    name: 'kernel',
    cmd: 'npx',
    args: ['vitest', 'run', '--project', 'kernel', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/kernel.json`],
    report: { kind: 'vitest', file: `${results}/kernel.json` },
  },
  { name: 'app build', cmd: 'npx', args: ['vite', 'build', '--logLevel', 'warn'] },
  {
    name: 'e2e',
    cmd: 'npx',
    args: ['playwright', 'test'],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: `${results}/e2e.json`, E2E_PORT: e2ePort },
    extraArgs: ['--reporter=list,json'],
    report: { kind: 'playwright', file: `${results}/e2e.json` },
  },
];

function countVitest(file) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  return { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + (r.numTodoTests ?? 0) };
}

function countPlaywright(file) {
  const s = JSON.parse(readFileSync(file, 'utf8')).stats;
  return { passed: s.expected + (s.flaky ?? 0), failed: s.unexpected, skipped: s.skipped };
}

const total = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
let anyFailed = false;
for (const step of steps) {
  console.log(`\n=== ${step.name} ===`);
  const started = Date.now();
  const r = spawnSync(step.cmd, [...step.args, ...(step.extraArgs ?? [])], {
    stdio: 'inherit',
    env: { ...process.env, ...step.env },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = r.status === 0;
  if (!ok) anyFailed = true;
  let counts = '';
  let failuresCounted = false;
  if (step.report && existsSync(step.report.file)) {
    try {
      const c = step.report.kind === 'vitest' ? countVitest(step.report.file) : countPlaywright(step.report.file);
      total.passed += c.passed;
      total.failed += c.failed;
      total.skipped += c.skipped;
      counts = ` (${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped)`;
      failuresCounted = c.failed > 0;
    } catch (e) {
      counts = ` (could not read ${step.report.file}: ${e.message})`;
    }
  }
  // A runner that failed without a failing test (crash, port in use) still counts as one.
  if (!ok && step.report && !failuresCounted) total.failed += 1;
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${step.name}${counts} in ${seconds}s`);
}

console.log('\n=== summary ===');
for (const l of lines) console.log(l);
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(anyFailed ? 1 : 0);
