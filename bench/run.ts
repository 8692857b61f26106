// `npm run bench`: runs every benchmark in bench/ (files named *.bench.ts), one after the
// other so they do not compete for the machine's cores. Each prints its own table.
// `npm run bench -- ide-load machine` runs the files whose names contain those words;
// `--busy N` keeps N CPU-bound processes (`yes > /dev/null`) running for the whole run, so
// the figures on a busy machine can be taken on purpose (each table states the load).
import { readdirSync } from 'node:fs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let busy = 0;
const only: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--busy') busy = Number(args[++i]);
  else only.push(args[i]!);
}
if (!Number.isInteger(busy) || busy < 0 || busy > 64) {
  console.error('--busy takes a number of processes from 0 to 64');
  process.exit(2);
}
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const burners: ChildProcess[] = [];
for (let i = 0; i < busy; i++) burners.push(spawn('sh', ['-c', 'exec yes > /dev/null'], { stdio: 'ignore' }));
const stopBurners = () => {
  for (const b of burners) b.kill();
};
process.on('exit', stopBurners);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    stopBurners();
    process.exit(130);
  });

let failed = 0;
for (const f of files) {
  console.log(`\n# ${f}`);
  const r = spawnSync('npx', ['tsx', '--import', join(here, '../bin/raw-imports.mjs'), join(here, f)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_BUSY: String(busy) },
  });
  if (r.status !== 0) {
    failed++;
    console.log(`(benchmark ${f} failed with status ${r.status})`);
  }
}
stopBurners();
process.exit(failed ? 1 : 0);
