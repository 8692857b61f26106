import { describe, expect, it, vi } from 'vitest';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, main } from './telos';
import { ImageLockedError, lockImageFile, runImageCommand } from './image';

const genesisFile = fileURLToPath(new URL('../../images/genesis.telos', import.meta.url));

/** The genesis image with its lines edited (header first, no end record), resealed. */
async function editedGenesis(edit: (lines: any[]) => void): Promise<Buffer> {
  const lines = gunzipSync(await readFile(genesisFile)).toString('utf8').split('\n').filter((l) => l.length > 0);
  lines.pop();
  const json = lines.map((l) => JSON.parse(l));
  edit(json);
  const body = json.map((j) => JSON.stringify(j) + '\n').join('');
  const sha256 = createHash('sha256').update(body).digest('hex');
  return gzipSync(body + JSON.stringify({ type: 'end', records: json.length - 1, sha256 }) + '\n');
}

/** The id of a process that has exited. */
function deadPid(): Promise<number> {
  return new Promise<number>((resolve) => {
    const child = execFile(process.execPath, ['-e', '']);
    child.on('exit', () => resolve(child.pid!));
  });
}

/** Runs `telos image ...`, answering its status and what it wrote to stderr. */
async function runImage(...argv: string[]) {
  const err: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    return { status: await runImageCommand(argv), err };
  } finally {
    spy.mockRestore();
    log.mockRestore();
  }
}

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { status, out, err };
}

describe('telos eval', () => {
  it('prints the value and exits 0', async () => {
    expect(await run('eval', 'self.Point.at(3, 4).dist(self.Point)')).toEqual({ status: EXIT.ok, out: ['5'], err: [] });
  });

  it('prints Transcript lines before the value', async () => {
    expect((await run('eval', 'print("hello"); self.Circle')).out).toEqual(['hello', 'a Circle at 0@0 radius 1']);
  });

  it('--commit commits the evaluation', async () => {
    expect((await run('eval', '--commit', 'self.Circle.radius = 2; self.Circle.area()')).out).toEqual([String(4 * Math.PI)]);
  });

  it('a failing evaluation gives one line on stderr naming the error and where, and exit 1', async () => {
    const r = await run('eval', 'var a = 1;\nself.Circle.nope()');
    expect(r.status).toBe(EXIT.failed);
    expect(r.err).toEqual(["telos: MessageNotUnderstood: Circle (#16) does not understand 'nope' (in the workspace, line 2, column 12)"]);
    expect(r.out).toEqual([]);
  });

  it('bad command lines give one line and exit 2', async () => {
    for (const argv of [[], ['frob'], ['eval'], ['eval', '--frob', '1'], ['eval', '--deadline', 'soon', '1'], ['eval', '1', '--image']]) {
      const r = await run(...argv);
      expect(r.status).toBe(EXIT.usage);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^telos: /);
    }
  });

  it('--image evaluates against an image file, and --commit writes the change back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'telos-eval-'));
    const file = join(dir, 'g.telos');
    await copyFile(fileURLToPath(new URL('../../images/genesis.telos', import.meta.url)), file);
    expect((await run('eval', '--image', file, 'self.Circle.radius')).out).toEqual(['1']);
    expect((await run('eval', '--image', file, '--commit', 'self.Circle.radius = 6; reflect(self.Circle).addSlot("tag", "saved")')).status).toBe(EXIT.ok);
    expect((await run('eval', '--image', file, '[self.Circle.radius, self.Circle.tag]')).out).toEqual(['[6, "saved"]']);
    const missing = await run('eval', '--image', join(dir, 'none.telos'), '1');
    expect(missing.status).toBe(EXIT.failed);
    expect(missing.err).toHaveLength(1);
    await rm(dir, { recursive: true, force: true });
  });

  it('a commit that would make a file the reader refuses is refused, and the file is left as it was', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'telos-eval-'));
    const file = join(dir, 'g.telos');
    await copyFile(fileURLToPath(new URL('../../images/genesis.telos', import.meta.url)), file);
    const before = await readFile(file);
    // Seventeen 1 MB strings on one object: its record line is past the reader's 16 MiB. Adding
    // them is host work that counts against the deadline, and takes about a second on a busy machine.
    const r = await run('eval', '--image', file, '--commit', '--deadline', '30000', 'for (let i = 0; i < 17; i++) reflect(self).addSlot("big" + i, "x".repeat(1 << 20)); 1');
    expect(r.status).toBe(EXIT.failed);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/line is longer than .*16777216 bytes/);
    expect(r.err[0]).toMatch(/not changed/);
    expect((await readFile(file)).equals(before)).toBe(true);
    expect(await runImageCommand(['verify', file])).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  it('verify refuses a file no commit could follow, and eval --image refuses to open it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'telos-ids-'));
    const header = (j: any[]) => j[0];
    const tx = (j: any[]) => j.find((r) => r.type === 'tx');
    const cases: [string, (j: any[]) => void, RegExp][] = [
      ['tid', (j) => void (tx(j).tid = 5), /transaction 5 is above the header's lastTid 1/],
      ['serial', (j) => void (j[1].serial = 7), /object 0 has serial 7, above the header's lastTid 1/],
      ['nextOid', (j) => void (header(j).nextOid = 2 ** 53 - 1), /nextOid.*below 2\^52/],
      ['lastTid', (j) => void (header(j).lastTid = 2 ** 52), /lastTid.*below 2\^52/],
    ];
    for (const [name, edit, reason] of cases) {
      const file = join(dir, `${name}.telos`);
      await writeFile(file, await editedGenesis(edit));
      const verified = await runImage('verify', file);
      expect(verified.status, name).toBe(1);
      expect(verified.err, name).toHaveLength(1);
      expect(verified.err[0]).toMatch(reason);
      const before = await readFile(file);
      const r = await run('eval', '--image', file, '--commit', 'self.Circle.radius = 3');
      expect(r.status, name).toBe(EXIT.failed);
      expect(r.err[0]).toMatch(reason);
      expect((await readFile(file)).equals(before), name).toBe(true);
    }
    // The unedited image verifies, so each refusal above is its edit's.
    const plain = join(dir, 'plain.telos');
    await writeFile(plain, await editedGenesis(() => undefined));
    expect((await runImage('verify', plain)).status).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  it('import and verify refuse two gzip members, or junk after the end record, with one line and no stack trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'telos-members-'));
    const image = await editedGenesis(() => undefined);
    const plain = gunzipSync(image);
    const files: [string, Buffer][] = [
      // Two whole images, each its own gzip member, one after the other (cat a.telos b.telos).
      ['two-members.telos', Buffer.concat([image, image])],
      // One member: the image, then 20 MB that is not blank.
      ['junk-after-end.telos', gzipSync(Buffer.concat([plain, Buffer.alloc(20_000_000, 'x')]))],
    ];
    const bin = fileURLToPath(new URL('../../bin/telos.mjs', import.meta.url));
    for (const [name, bytes] of files) {
      const file = join(dir, name);
      await writeFile(file, bytes);
      for (const command of ['import', 'verify']) {
        const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
          execFile(process.execPath, [bin, 'image', command, file], (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr })),
        );
        expect(result.stderr.trim().split('\n'), `${command} ${name}`).toEqual([expect.stringMatching(/: line \d+: data after the end record \(appended data, or a second gzip member\?\)$/)]);
        expect(result.code, `${command} ${name}`).toBe(1);
      }
    }
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('two commits to one file at once: each either lands or is refused as the file being written, never lost', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'telos-lock-'));
    const file = join(dir, 'g.telos');
    await copyFile(genesisFile, file);
    // Each evaluation runs 300 ms between reading the file and writing it back.
    const commit = (slot: string) =>
      run('eval', '--image', file, '--commit', `const t = Date.now(); while (Date.now() - t < 300) {} reflect(self.Circle).addSlot("${slot}", 1); 1`);
    const [a, b] = await Promise.all([commit('fromA'), commit('fromB')]);
    const slots = JSON.parse((await run('eval', '--image', file, 'reflect(self.Circle).slots().map((s) => s.name).join(" ")')).out[0]!).split(' ');
    for (const [r, slot] of [[a, 'fromA'], [b, 'fromB']] as const) {
      if (r.status === EXIT.ok) expect(slots, `${slot} exited 0`).toContain(slot);
      else expect(r.err).toEqual([expect.stringMatching(/is being written by another process/)]);
    }
    // Here they overlap, so one of them is refused; and the lock is gone with the commit.
    expect([a.status, b.status].sort()).toEqual([EXIT.ok, EXIT.failed]);
    expect(await readdir(dir)).toEqual(['g.telos']);
    expect((await commit('later')).status).toBe(EXIT.ok);
    await rm(dir, { recursive: true, force: true });
  });

  it('a commit sweeps temporary files and locks left by processes that died, and keeps those of live ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'telos-sweep-'));
    const file = join(dir, 'g.telos');
    await copyFile(genesisFile, file);
    const dead = await new Promise<number>((resolve) => {
      const child = execFile(process.execPath, ['-e', '']);
      child.on('exit', () => resolve(child.pid!));
    });
    const live = process.ppid;
    await writeFile(`${file}.partial-${dead}`, 'half a file');
    await writeFile(`${file}.partial-${live}`, 'being written');
    await writeFile(`${file}.lock`, `${dead}\n`);
    await writeFile(`${file}.lock-${dead}-k2x9`, `${dead}\n`);
    // A takeover's link of a lock, left by a taker that died after removing that lock.
    await writeFile(`${file}.lock-${dead}-5e1f.stale`, `${dead} 5e1f\n`);
    expect((await run('eval', '--image', file, '--commit', 'self.Circle.radius = 5')).status).toBe(EXIT.ok);
    expect((await readdir(dir)).sort()).toEqual(['g.telos', `g.telos.partial-${live}`]);
    expect((await run('eval', '--image', file, 'self.Circle.radius')).out).toEqual(['5']);
    // A lock held by a live process refuses the commit and leaves the file as it was.
    await writeFile(`${file}.lock`, `${live}\n`);
    const before = await readFile(file);
    const r = await run('eval', '--image', file, '--commit', 'self.Circle.radius = 6');
    expect(r.status).toBe(EXIT.failed);
    expect(r.err).toEqual([`telos: ${file} is being written by another process (pid ${live}); if it is not, remove ${file}.lock`]);
    expect((await readFile(file)).equals(before)).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });

  it('a stale lock is taken over by exactly one of many takers at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'telos-takeover-'));
    const file = join(dir, 'g.telos');
    const dead = await new Promise<number>((resolve) => {
      const child = execFile(process.execPath, ['-e', '']);
      child.on('exit', () => resolve(child.pid!));
    });
    for (let round = 0; round < 20; round++) {
      await writeFile(`${file}.lock`, `${dead}\n`);
      // 12 takers see the same dead holder; each takes the lock whole or is refused by the
      // winner (this process, running): a taker that removed the lock another had just taken
      // would also win, and two commits would write over each other.
      const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => lockImageFile(file)));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      expect(won, `round ${round}`).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason, `round ${round}`).toBeInstanceOf(ImageLockedError);
      const held = await readFile(`${file}.lock`, 'utf8');
      expect(Number.parseInt(held, 10), held).toBe(process.pid);
      await won[0]!.value.check();
      await won[0]!.value.release();
      expect(await readdir(dir), `round ${round}`).toEqual([]);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('a lock whose takeover was left half done by a taker that died is taken over by the next opener', async () => {
    // What a taker that died between linking the stale lock to its takeover name and removing
    // the lock left before: both names, holding the dead holder's text. Every later commit was
    // refused until a person removed both files.
    const dir = await mkdtemp(join(tmpdir(), 'telos-halfdone-'));
    const file = join(dir, 'g.telos');
    const dead = await deadPid();
    await writeFile(`${file}.lock`, `${dead} 5e1f\n`);
    await writeFile(`${file}.lock-${dead}-5e1f.stale`, `${dead} 5e1f\n`);
    const lock = await lockImageFile(file);
    expect(Number.parseInt(await readFile(`${file}.lock`, 'utf8'), 10)).toBe(process.pid);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });

  it('a taker killed at any step of taking over a stale lock (or of recovering from such a kill) leaves what the next opener completes or undoes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'telos-killed-'));
    const file = join(dir, 'g.telos');
    await copyFile(genesisFile, file);
    const dead = await deadPid();
    const script = join(dir, 'taker.mjs');
    const image = fileURLToPath(new URL('./image.ts', import.meta.url));
    // Takes the lock with a hook that kills the process (SIGKILL: no finally runs) at one step.
    await writeFile(
      script,
      `await import(${JSON.stringify(fileURLToPath(new URL('../../bin/raw-imports.mjs', import.meta.url)))});
const { lockImageFile } = await import(${JSON.stringify(image)});
const [path, at] = process.argv.slice(2);
await lockImageFile(path, { onStep: (step, depth) => { if (step + ':' + depth === at) process.kill(process.pid, 'SIGKILL'); } });
process.exit(3);`,
    );
    // Run from the project, whose tsx loader (--import tsx) reads the TypeScript.
    const takerKilledAt = async (at: string) => {
      const exit = await new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, ['--import', 'tsx', script, file, at], { cwd: process.cwd() }, (_e, _out, stderr) =>
          resolve({ code: child.exitCode, signal: child.signalCode, stderr }),
        );
      });
      expect({ at, ...exit }).toEqual({ at, code: null, signal: 'SIGKILL', stderr: '' });
    };
    const killSequences = [['identity:0'], ['claimed:0'], ['removed:0'], ['locked:0'], ['claimed:0', 'claimed:1'], ['claimed:0', 'removed:1'], ['claimed:0', 'claimed:1', 'claimed:2']];
    for (const kills of killSequences) {
      await writeFile(`${file}.lock`, `${dead} 0ld\n`);
      for (const at of kills) await takerKilledAt(at);
      const left = (await readdir(dir)).filter((n) => n.startsWith('g.telos.'));
      expect(left.length, `${kills.join(' then ')} left files`).toBeGreaterThan(0);
      // The next commit takes the lock without anyone removing a file by hand, and sweeps
      // what the killed takers left.
      const r = await run('eval', '--image', file, '--commit', `self.Circle.radius = ${kills.length + 10}`);
      expect({ kills, status: r.status, err: r.err }).toEqual({ kills, status: EXIT.ok, err: [] });
      expect((await readdir(dir)).sort(), kills.join(' then ')).toEqual(['g.telos', 'taker.mjs']);
    }
    expect((await run('eval', '--image', file, 'self.Circle.radius')).out).toEqual([String(killSequences.at(-1)!.length + 10)]);
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('runaway code stops at the deadline', async () => {
    const r = await run('eval', '--deadline', '100', 'while (true) {}');
    expect(r.status).toBe(EXIT.failed);
    expect(r.err[0]).toMatch(/SandboxLimit: deadline limit reached/);
  });

  it('the telos bin runs the same command with no stack trace on failure', async () => {
    const bin = fileURLToPath(new URL('../../bin/telos.mjs', import.meta.url));
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [bin, 'eval', 'self.nothing'], (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr })),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual(["telos: MessageNotUnderstood: lobby (#0) does not understand 'nothing' (in the workspace, line 1, column 5)"]);
  });
});
