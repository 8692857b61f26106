import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, main } from './telos';

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
