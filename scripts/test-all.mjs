#!/usr/bin/env node
// `npm test`: every layer of the test pyramid in order — typecheck, lint (the layout rules), unit tests, kernel tests
// (the real TelOS ELF booted in v86 under Node and QEMU), then end-to-end specs in real
// Chromium and Firefox ESR against the built app. Every layer runs even when an earlier one fails, so one run shows
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
/** Whether `cmd args` runs and exits 0 (quietly). */
function runs(cmd, args, input) {
  const r = spawnSync(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'], input });
  return r.status === 0;
}

// Prerequisites first: one line per missing one, with the command that installs it, instead
// of a launch error deep inside a layer.
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const firefoxPath = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const prerequisites = [
  { what: `Chromium (${chromiumPath})`, ok: () => existsSync(chromiumPath), install: 'apt-get install chromium' },
  { what: `Firefox ESR (${firefoxPath})`, ok: () => existsSync(firefoxPath), install: 'apt-get install firefox-esr' },
  { what: 'QEMU (qemu-system-i386)', ok: () => runs('qemu-system-i386', ['--version']), install: 'apt-get install qemu-system-x86' },
  { what: 'make', ok: () => runs('make', ['--version']), install: 'apt-get install make' },
  {
    what: 'gcc able to build 32-bit freestanding code (gcc -m32)',
    ok: () => runs('gcc', ['-m32', '-ffreestanding', '-nostdlib', '-c', '-x', 'c', '-', '-o', '/dev/null'], 'int telos_probe;\n'),
    install: 'apt-get install gcc',
  },
  { what: 'GNU ld for i386 (ld -m elf_i386)', ok: () => runs('ld', ['-m', 'elf_i386', '-V']), install: 'apt-get install binutils' },
];
const missing = prerequisites.filter((p) => !p.ok());
if (missing.length) {
  console.error('npm test needs what is missing here:');
  for (const m of missing) console.error(`missing: ${m.what} — install it with: ${m.install}`);
  console.error('(`bash .ci/run` installs all of them on a Debian machine.)');
  process.exit(2);
}

const e2ePort = process.env.E2E_PORT || String(await freePort());

const results = 'test-results/summary';
rmSync(results, { recursive: true, force: true }); // never read a report from an earlier run
mkdirSync(results, { recursive: true });

const steps = [
  { name: 'typecheck', cmd: 'npm', args: ['run', '-s', 'typecheck'] },
  { name: 'lint', cmd: 'npm', args: ['run', '-s', 'lint'] },
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
  {
    name: 'posix fs',
    cmd: 'node',
    args: ['tests/posix/host-checks.mjs', '--json', `${results}/posix.json`],
    report: { kind: 'counts', file: `${results}/posix.json` },
  },
  {
    name: 'pjdfstest',
    cmd: 'node',
    args: ['tests/posix/pjdfstest.mjs', '--json', `${results}/pjdfstest.json`],
    report: { kind: 'counts', file: `${results}/pjdfstest.json` },
  },
  { name: 'app build', cmd: 'npx', args: ['vite', 'build', '--logLevel', 'warn'] },
  {
    name: 'e2e chromium',
    cmd: 'npx',
    args: ['playwright', 'test', '--project=chromium'],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: `${results}/e2e-chromium.json`, E2E_PORT: e2ePort },
    extraArgs: ['--reporter=list,json'],
    report: { kind: 'playwright', file: `${results}/e2e-chromium.json` },
  },
  {
    name: 'e2e firefox',
    cmd: 'npx',
    args: ['playwright', 'test', '--project=firefox'],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: `${results}/e2e-firefox.json`, E2E_PORT: e2ePort },
    extraArgs: ['--reporter=list,json'],
    report: { kind: 'playwright', file: `${results}/e2e-firefox.json` },
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
      const c =
        step.report.kind === 'vitest'
          ? countVitest(step.report.file)
          : step.report.kind === 'counts' // {passed, failed, skipped} written by the step itself
            ? JSON.parse(readFileSync(step.report.file, 'utf8'))
            : countPlaywright(step.report.file);
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
