// Error mapping under attack: a thrown value is method code's to shape, so nothing in it may
// steer the host. Only known fields are taken, stack text is cut before it is read and read in
// linear time, and no host exception escapes as the evaluation's error.
import { afterEach, describe, expect, it } from 'vitest';
import { createGenesisWorld, type World } from '../world';
import { EvaluationError, Sandbox, type SandboxOptions } from './index';

let open: Sandbox[] = [];
afterEach(() => {
  for (const s of open) s.dispose();
  open = [];
});

async function setup(options: SandboxOptions = {}): Promise<{ world: World; sandbox: Sandbox }> {
  const { world } = await createGenesisWorld();
  const sandbox = await Sandbox.create(world, options);
  open.push(sandbox);
  return { world, sandbox };
}

/** The error an evaluation throws, and how long it took to come back. */
function failure(sandbox: Sandbox, code: string): { error: EvaluationError & Record<string, unknown>; ms: number } {
  const started = Date.now();
  try {
    sandbox.evaluate(code);
  } catch (e) {
    return { error: e as EvaluationError & Record<string, unknown>, ms: Date.now() - started };
  }
  throw new Error('expected an error');
}

// Generous: a busy two-core machine, not a speed claim (the failures these catch took 20 s and more).
const BOUND_MS = 5000;

describe('error mapping takes only what it knows from a thrown value', () => {
  it('a stack text built to make a regular expression backtrack is read in linear time', async () => {
    const { sandbox } = await setup();
    const { error, ms } = failure(sandbox, "throw { name: 'Trap', message: 'm', stack: 'at '.repeat(60000) }");
    expect(error).toBeInstanceOf(EvaluationError);
    expect(error.name).toBe('Trap');
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('a stack of millions of frame lines is cut before it is read: a bounded chain of sends', async () => {
    const { sandbox } = await setup({ deadlineMs: 10_000 });
    const { error, ms } = failure(sandbox, "throw { name: 'Deep', message: 'm', stack: '    at f (<input>:1:1)\\n'.repeat(2000000) }");
    expect(error.name).toBe('Deep');
    expect(error.sends.length).toBeLessThanOrEqual(40);
    expect(error.sends.length).toBeGreaterThan(0);
    expect(ms).toBeLessThan(BOUND_MS * 2);
  });

  it('a malformed percent-escape in a frame file name is not a host URIError', async () => {
    const { sandbox } = await setup();
    const { error } = failure(sandbox, "throw { name: 'Odd', message: 'm', stack: '    at f (m1.%E0%A4%A:2:3)\\n    at g (m2.a%ZZ:4:5)' }");
    expect(error).toBeInstanceOf(EvaluationError);
    expect(error.name).toBe('Odd');
    expect(error.message).toBe('m');
  });

  it("fields named like the host's own (where, sends, transcript, toJSON, owner) do not reach the error", async () => {
    const { sandbox } = await setup();
    const { error } = failure(
      sandbox,
      "throw { name: 'Sly', message: 'm', where: 'x', sends: 'x', transcript: 5, toJSON: 'x', owner: 'nobody', constructor: 1, __proto__x: 1, line: 'one' }",
    );
    expect(error).toBeInstanceOf(EvaluationError);
    expect(error.name).toBe('Sly');
    expect(error.where).toBe('');
    expect(error.sends).toEqual([]);
    expect(error.transcript).toEqual([]);
    expect(typeof error.toJSON).toBe('function');
    expect(error.toJSON()).toMatchObject({ name: 'Sly', message: 'm' });
    expect(error.owner).toBeUndefined();
    expect(error.line).toBeUndefined();
    expect(JSON.stringify(error)).toContain('"Sly"');
  });

  it("a World error's own details still arrive, checked: MessageNotUnderstood keeps receiver and selector", async () => {
    const { sandbox } = await setup();
    const { error } = failure(sandbox, 'self.nothingHere()');
    expect(error.name).toBe('MessageNotUnderstood');
    expect(error.receiver).toBe(0);
    expect(error.selector).toBe('nothingHere');
    const forged = failure(sandbox, "throw { name: 'MessageNotUnderstood', message: 'm', receiver: 'not an oid', selector: 'x'.repeat(100000), traits: [1, 'two'] }").error;
    expect(forged.receiver).toBeUndefined();
    expect(forged.selector).toBeUndefined();
    expect(forged.traits).toBeUndefined();
  });

  it('a thrown typed array or big list is shown by kind and size, without a key per element (found by the fuzzer: 16 s)', async () => {
    const { sandbox } = await setup({ deadlineMs: 400 });
    const typed = failure(sandbox, 'throw new Uint8Array(1 << 20)');
    expect(typed.error.message).toBe('Uint8Array(1048576 bytes)');
    expect(typed.ms).toBeLessThan(BOUND_MS);
    const list = failure(sandbox, 'throw [new Float64Array(2), new ArrayBuffer(3)]');
    expect(list.error.message).toBe('[Float64Array(16 bytes), ArrayBuffer(3 bytes)]');
  });

  it('names and messages are cut to a bounded length', async () => {
    const { sandbox } = await setup();
    const { error } = failure(sandbox, "throw { name: 'N'.repeat(1000000), message: 'M'.repeat(5000000) }");
    expect(error.name.length).toBeLessThanOrEqual(200);
    expect(error.message.length).toBeLessThanOrEqual(17 * 1024);
    const shown = failure(sandbox, "throw { a: 'x'.repeat(5000000), b: 'y'.repeat(5000000) }").error;
    expect(shown.message.length).toBeLessThanOrEqual(17 * 1024);
  });
});
