// `npm run bench`: runs every benchmark in bench/ (files named *.bench.ts), one after the
// other so they do not compete for the machine's cores. Each prints its own table.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

let failed = 0;
for (const f of files) {
  console.log(`\n# ${f}`);
  const r = spawnSync('npx', ['tsx', join(here, f)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`(benchmark ${f} failed with status ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
