// The example images under images/ and the `telos image` command line, run as a user would
// run it: a separate Node process, exit status, one-line reasons on stderr.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildExampleImages, EXAMPLE_IMAGES_DIR } from '../../scripts/make-example-images';

const root = join(EXAMPLE_IMAGES_DIR, '..');

/** `telos image ARGS` as `npm run telos -- image ARGS` runs it (without npm's own noise). */
function telosImage(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/telos.mjs'), 'image', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Each case starts the command line (tsx) one or more times: seconds each on a busy machine.
describe('example images', { timeout: 180_000 }, () => {
  it('verify with the command line', () => {
    const r = telosImage('verify', 'images/genesis.telos', 'images/teaching.telos');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok images\/genesis.telos: 19 objects/m);
    expect(r.stdout).toMatch(/^ok images\/teaching.telos: \d{4} objects, 1 blobs, \d+ transactions/m);
  });

  it('are what scripts/make-example-images.ts makes today (rerun it when genesis changes)', async () => {
    for (const { name, bytes } of await buildExampleImages()) {
      const committed = readFileSync(join(EXAMPLE_IMAGES_DIR, name));
      expect(Buffer.from(bytes).equals(committed), `images/${name} is stale: run npx tsx scripts/make-example-images.ts`).toBe(true);
    }
  });
});

describe('telos image', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'telos-image-cli-'));

  it('inspects an image: header, counts, checksum and objects', () => {
    const r = telosImage('inspect', 'images/genesis.telos', '--objects');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/format:\s+telos-image version 1/);
    expect(r.stdout).toMatch(/sha256:\s+[0-9a-f]{64} \(verified\)/);
    expect(r.stdout).toMatch(/^\s+0 {2}lobby/m);
  });

  it('exports the genesis World and imports it into a new store image', () => {
    const out = join(dir, 'g.telos');
    expect(telosImage('export', '--genesis', out).status).toBe(0);
    const r = telosImage('import', out, '--name', 'Mine');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/imported .* as image “Mine”: 19 objects.*the store holds 19 objects/);
  });

  it('refuses a damaged file with one line naming the reason and a non-zero status', () => {
    const bad = join(dir, 'bad.telos');
    const good = readFileSync(join(EXAMPLE_IMAGES_DIR, 'teaching.telos'));
    writeFileSync(bad, good.subarray(0, good.length - 100));
    for (const command of ['verify', 'inspect', 'import']) {
      const r = telosImage(command, bad);
      expect(r.status, command).toBe(1);
      expect(r.stderr.trim().split('\n'), command).toHaveLength(1);
      expect(r.stderr).toMatch(/gzip stream is corrupt or truncated/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('says what is wrong with the command line itself, with status 2', () => {
    expect(telosImage('export', 'x.telos').status).toBe(2);
    expect(telosImage('frobnicate').stderr).toMatch(/unknown image command "frobnicate"/);
    const missing = telosImage('verify', join(dir, 'nope.telos'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
  });
});
