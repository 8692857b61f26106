// The posix file-system core on the host: 4 MiB written (and synced) and read back through the
// core on a file-backed block device, against the same bytes moved raw (same 64 KiB chunks,
// fdatasync) on a file of the same size, in the same run. The TelOS figure (through
// vfs_server against the raw block session) comes with issue 14's vfs_server.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, type BenchRow } from './lib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const host = join(root, 'images/build/host');
const make = spawnSync('make', ['-s', '-C', join(root, 'tests/posix'), join(host, 'e2host'), `OUT=${host}`], { stdio: 'inherit' });
if (make.status !== 0) process.exit(1);
const work = mkdtempSync(join(tmpdir(), 'posix-bench-'));
try {
  const rows: BenchRow[] = [];
  for (const bs of [1024, 4096]) {
    const img = join(work, `fs-${bs}.img`);
    const raw = join(work, 'raw.img');
    spawnSync('mke2fs', ['-q', '-F', '-t', 'ext2', '-I', '256', '-b', String(bs), img, '64M']);
    spawnSync('truncate', ['-s', '64M', raw]);
    const r = spawnSync(join(host, 'e2host'), ['bench', img, raw], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`e2host bench: ${r.stdout}${r.stderr}`);
    for (const line of r.stdout.trim().split('\n')) {
      const m = JSON.parse(line) as { name: string; ours: number; baseline: number };
      rows.push({ name: `${m.name}, ${bs} B blocks`, ours: m.ours, baseline: m.baseline, unit: 'ms', baselineName: 'raw pwrite/pread + fdatasync' });
    }
  }
  printTable('posix core on the host (median of 7)', rows);
} finally {
  rmSync(work, { recursive: true, force: true });
}
