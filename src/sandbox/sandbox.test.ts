import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryStore, MethodSyntaxError, SandboxLimit, World, buildGenesis, createGenesisWorld, genesisStates, type GenesisOids } from '../world';
import { EvaluationError, Sandbox, evaluateAndCommit, runTransaction, type SandboxOptions } from './index';
import { answerJson } from './host';

let open: Sandbox[] = [];
afterEach(() => {
  for (const s of open) s.dispose();
  open = [];
});

async function setup(options: SandboxOptions = {}): Promise<{ world: World; oids: GenesisOids; sandbox: Sandbox; lines: string[] }> {
  const { world, oids } = await createGenesisWorld();
  const lines: string[] = [];
  const sandbox = await Sandbox.create(world, { onPrint: (l) => lines.push(l), ...options });
  open.push(sandbox);
  return { world, oids, sandbox, lines };
}

function failure(run: () => unknown): EvaluationError & SandboxLimit & Record<string, unknown> {
  try {
    run();
  } catch (e) {
    return e as EvaluationError & SandboxLimit & Record<string, unknown>;
  }
  throw new Error('expected an error');
}

describe('workspace language', () => {
  it('answers the last expression, with self the lobby', async () => {
    const { sandbox } = await setup();
    expect(sandbox.evaluate('3 + 4')).toMatchObject({ value: 7, display: '7', type: 'number' });
    expect(sandbox.evaluate('self.Circle.area()').value).toBeCloseTo(Math.PI);
    expect(sandbox.evaluate('self.traits.Callable').display).toBe('Callable (#6)');
  });

  it('answers a top-level return', async () => {
    const { sandbox } = await setup();
    expect(sandbox.evaluate('var x = 2;\nif (x > 1) return "big";\nreturn "small";').value).toBe('big');
  });

  it('clones, assigns and sends; print writes to the Transcript', async () => {
    const { sandbox, lines } = await setup();
    const r = sandbox.evaluate('var c = self.Circle.clone();\nc.radius = 2;\nprint(c.printString());\nc.area()');
    expect(r.value).toBeCloseTo(4 * Math.PI);
    expect(lines).toEqual(['a Circle at 0@0 radius 2']);
    expect(r.transcript).toEqual(lines);
  });

  it('shows World objects by printString and answers them as references', async () => {
    const { sandbox, oids } = await setup();
    const r = sandbox.evaluate('self.Point.at(3, 4)');
    expect(r.display).toBe('3@4');
    expect(r.type).toBe('object');
    expect(r.value).toEqual({ ref: expect.any(Number) });
    expect((r.value as { ref: number }).ref).toBeGreaterThan(oids.ColoredCircle);
  });

  it('assignment through a parent writes the holder, as in Self', async () => {
    const { sandbox, world, oids } = await setup();
    // a clone shares the prototype's parents, so make a child that delegates to Process
    sandbox.evaluate('var p = self.BaseObject.clone(); reflect(p).removeSlot("parent"); reflect(p).addParent("parent", self.Process); p.setPriority(7)');
    expect(world.slot(oids.Process, 'priority')).toMatchObject({ value: 7 });
  });

  it('resend continues the lookup in the parents', async () => {
    const { sandbox } = await setup();
    const r = sandbox.evaluate(
      'var p = self.Point.at(1, 2);\nreflect(p).setMethod("printString", "function () { return \'<\' + resend.printString() + \'>\'; }");\np.printString()',
    );
    expect(r.value).toBe('<a Point (#' + (r.value as string).match(/#(\d+)/)![1] + ')>');
  });

  it('identity: the same object is the same JS value; == compares identity', async () => {
    const { sandbox } = await setup();
    expect(sandbox.evaluate('self.Circle === self.Circle && self.Circle["=="](self.Circle) && !self.Circle["=="](self.Point)').value).toBe(true);
    expect(sandbox.evaluate('self.Circle.oid').value).toBe(16);
  });

  it('resolving the genesis traits conflict by exclusion and by alias', async () => {
    const { sandbox } = await setup();
    expect(failure(() => sandbox.evaluate('self.ColoredCircle.hash()')).name).toBe('TraitConflict');
    const excluded = sandbox.evaluate('reflect(self.ColoredCircle).useTrait(self.traits.TColor, {exclude: ["equals", "hash"]});\nself.ColoredCircle.hash()');
    expect(excluded.value).toBe(31);
    const aliased = sandbox.evaluate(
      [
        'var cc = reflect(self.ColoredCircle);',
        'cc.useTrait(self.traits.TColor, {exclude: ["hash", "equals"], alias: {colorHash: "hash"}});',
        'cc.setMethod("hash", "function () { return self.colorHash(); }");',
        'self.ColoredCircle.hash()',
      ].join('\n'),
    );
    expect(aliased.value).toBe(0xff0000);
  });
});

describe('mirrors', () => {
  it('reflect(o) reads and changes structure as DESIGN.md names it', async () => {
    const { sandbox, world } = await setup();
    const r = sandbox.evaluate(
      [
        'var o = self.BaseObject.clone();',
        'var m = reflect(o);',
        'm.addSlot("size", 3, {category: "geometry", comment: "edge length"});',
        'm.addSlot("area", "function () { return self.size * self.size; }", {kind: "method"});',
        'm.renameSlot("size", "side");',
        'm.setMethod("area", "function () { return self.side * self.side; }");',
        'var before = o.area();',
        'm.addParent("extra", self.Point);',
        'm.useTrait(self.traits.Schedulable);',
        'var report = { oid: m.oid() === o.oid, name: m.name(), slots: m.slots().map(function (s) { return s.name + ":" + s.kind; }),',
        '  side: m.slot("side").category, conflicts: m.conflicts().length, requires: m.requires()[0].selectors, refs: reflect(self.Point).references().length };',
        'm.removeTrait(self.traits.Schedulable);',
        'm.removeSlot("extra");',
        'report.after = m.slots().length; report.before = before; report',
      ].join('\n'),
    );
    expect(r.display).toContain('oid: true');
    expect(r.display).toContain('name: "a BaseObject"');
    expect(r.display).toContain('slots: ["parent:parent", "side:data", "area:method", "extra:parent"]');
    expect(r.display).toContain('side: "geometry"');
    expect(r.display).toContain('requires: ["priority"]'); // Schedulable needs a priority slot
    expect(r.display).toContain('after: 3');
    expect(r.display).toContain('before: 9');
    expect(world.inTransaction).toBe(true);
  });

  it('a mirror refuses bad input with a named error', async () => {
    const { sandbox } = await setup();
    const e = failure(() => sandbox.evaluate('reflect(self.Circle).addSlot("bad name", 1)'));
    expect(e.name).toBe('InvalidInput');
    expect(e.message).toMatch(/not a valid slot name/);
    expect(failure(() => sandbox.evaluate('reflect(3)')).message).toMatch(/must be an object of the World/);
  });
});

describe('errors', () => {
  it('carry owner, selector, line, column and the chain of sends', async () => {
    const { sandbox, world, oids } = await setup();
    world.setMethod(oids.Point, 'broken', 'function () {\n  var a = 1;\n  return a.b.c;\n}');
    world.setMethod(oids.Circle, 'callsBroken', 'function () {\n  var p = self.Point;\n  return p.broken();\n}');
    world.addSlot(oids.Circle, { name: 'Point', kind: 'data', value: { ref: oids.Point } });
    const e = failure(() => sandbox.evaluate('\nself.Circle.callsBroken()'));
    expect(e).toBeInstanceOf(EvaluationError);
    expect(e.name).toBe('TypeError');
    expect(e).toMatchObject({ owner: oids.Point, ownerName: 'Point', method: 'broken', line: 3, column: 13 });
    expect(e.sends.map((f) => `${f.ownerName}.${f.selector}:${f.line}`)).toEqual(['Point.broken:3', 'Circle.callsBroken:3', 'workspace.(workspace):2']);
  });

  it('MessageNotUnderstood, TraitConflict and AmbiguousSend reach workspace code by name', async () => {
    const { sandbox } = await setup();
    const r = sandbox.evaluate(
      [
        'var names = [];',
        'try { self.Circle.nothing(); } catch (e) { names.push(e.name, e.selector); }',
        'try { self.ColoredCircle.equals(self.ColoredCircle); } catch (e) { names.push(e.name); }',
        'var o = self.BaseObject.clone(); reflect(o).addParent("p2", self.Point);',
        'reflect(self.Point).addSlot("side", "function () { return 1; }", {kind: "method"});',
        'reflect(self.defaultBehavior).addSlot("side", "function () { return 2; }", {kind: "method"});',
        'try { o.side(); } catch (e) { names.push(e.name, e.parents.join("/")); }',
        'names',
      ].join('\n'),
    );
    expect(r.value).toEqual(['MessageNotUnderstood', 'nothing', 'TraitConflict', 'AmbiguousSend', 'parent/p2']);
  });

  it('an error aborts the evaluation transaction and leaves the World as it was', async () => {
    const { sandbox, world, oids } = await setup();
    const before = world.loadedOids().map((o) => world.snapshot(o));
    failure(() => sandbox.evaluate('self.Circle.radius = 5; self.Point.clone(); reflect(self.Circle).addSlot("z", 1); self.nope()'));
    expect(world.inTransaction).toBe(false);
    expect(world.loadedOids().map((o) => world.snapshot(o))).toEqual(before);
    expect(sandbox.evaluate('self.Circle.radius').value).toBe(1);
    expect(world.slot(oids.Circle, 'z')).toBeUndefined();
  });

  it('method source is checked at save: a syntax error names line and column and the old method stays', async () => {
    const { sandbox, world, oids } = await setup();
    let err: MethodSyntaxError | undefined;
    try {
      world.setMethod(oids.Point, 'plus', 'function (other) {\n  return self.x +;\n}');
    } catch (e) {
      err = e as MethodSyntaxError;
    }
    expect(err).toBeInstanceOf(MethodSyntaxError);
    expect(err).toMatchObject({ line: 2, column: 18, selector: 'plus' });
    expect(world.slot(oids.Point, 'plus')).toMatchObject({ source: expect.stringContaining('self.at(') });
    expect(() => world.setMethod(oids.Point, 'plus', '3 + 4')).toThrow(/function expression/);
    const e = failure(() => sandbox.evaluate('reflect(self.Point).setMethod("plus", "function () { return ) }")'));
    expect(e.name).toBe('MethodSyntaxError');
    expect(sandbox.evaluate('self.Point.at(1, 1).plus(self.Point.at(2, 2)).printString()').value).toBe('3@3');
  });

  it('method source that is more than one function is refused at save, and at compile time when it comes from a store; its extra code never runs', async () => {
    const { sandbox, world, oids, lines } = await setup();
    const escapes = [
      'function () { return 1; }) && (print("escaped"), function () { return 2; }',
      'function () { return 1; }, print("escaped"), function () { return 2; }',
      'function(){}); print("escaped"); (function(){',
    ];
    for (const src of escapes) {
      let err: MethodSyntaxError | undefined;
      try {
        world.setMethod(oids.Point, 'plus', src);
      } catch (e) {
        err = e as MethodSyntaxError;
      }
      expect(err, src).toBeInstanceOf(MethodSyntaxError);
      expect(err!.message, src).toMatch(/line 1, column \d+: method source must be exactly one function expression/);
      expect(world.slot(oids.Point, 'plus')).toMatchObject({ source: expect.stringContaining('self.at(') });
    }
    // an object that never went through setMethod (an image file, another tab's commit)
    world.install([{ state: { oid: 900, name: 'Forged', slots: [{ name: 'run', kind: 'method', source: escapes[0]! }], traits: [], meta: {} }, serial: 1 }]);
    const e = failure(() => sandbox.send(900, 'run'));
    expect(e.message).toMatch(/method run of Forged \(#900\) is refused: line 1, column 26/);
    expect(lines).toEqual([]);
    expect(sandbox.evaluate('self.Point.at(1, 1).plus(self.Point.at(2, 2)).printString()').value).toBe('3@3');
  });

  it('a workspace syntax error names its line and column', async () => {
    const { sandbox } = await setup();
    const e = failure(() => sandbox.evaluate('var a = 1;\nvar b = ;'));
    expect(e).toMatchObject({ name: 'SyntaxError', line: 2, column: 9 });
  });

  it('promise reactions run before the evaluation ends, inside its transaction', async () => {
    const { sandbox, lines } = await setup();
    const r = sandbox.evaluate('Promise.resolve(4).then(function (v) { self.Circle.radius = v; print("then ran"); }); (async function () { await null; print("async ran"); })(); 1');
    expect(r.value).toBe(1);
    expect(lines).toEqual(['then ran', 'async ran']);
    expect(sandbox.evaluate('self.Circle.radius').value).toBe(4);
  });

  // An unhandled rejection is the evaluation's error (not only a Transcript line): the code did
  // fail, and committing half of its work would break "an evaluation that fails aborts".
  it('a promise rejection nobody handles is the evaluation error, located where it was thrown, and aborts', async () => {
    const { sandbox, world, oids } = await setup();
    const e = failure(() => sandbox.evaluate('self.Circle.radius = 7;\n(async function () { await null; throw new TypeError("late"); })();\n1'));
    expect(e).toBeInstanceOf(EvaluationError);
    expect(e).toMatchObject({ name: 'TypeError', message: 'unhandled promise rejection: late', line: 2 });
    // QuickJS places an error at its constructor call's parenthesis; the wrapper's text is not counted
    expect(e.column).toBe('(async function () { await null; throw new TypeError("late"); })();'.indexOf('("late")') + 1);
    expect(world.slot(oids.Circle, 'radius')).toMatchObject({ value: 1 });
    expect(world.inTransaction).toBe(false);
  });

  it('an unhandled rejection inside a method names its owner, selector, line and column', async () => {
    const { sandbox, world, oids } = await setup();
    world.setMethod(oids.Circle, 'later', 'function () {\n  var f = async function () { await null; throw new Error("from a method"); };\n  f();\n  return 1;\n}');
    const e = failure(() => sandbox.send(oids.Circle, 'later'));
    expect(e).toMatchObject({ message: 'unhandled promise rejection: from a method', owner: oids.Circle, method: 'later', line: 2 });
    expect(e.column).toBe('  var f = async function () { await null; throw new Error("from a method"); };'.indexOf('("from') + 1);
  });

  it('rejections from then callbacks, Promise.reject and lost then chains are reported too', async () => {
    const { sandbox } = await setup();
    expect(failure(() => sandbox.evaluate('Promise.resolve(1).then(function () { throw new Error("in then"); }); 2')).message).toBe(
      'unhandled promise rejection: in then',
    );
    expect(failure(() => sandbox.evaluate('Promise.reject(new Error("rejected")); 2')).message).toBe('unhandled promise rejection: rejected');
    expect(failure(() => sandbox.evaluate('Promise.reject(new Error("lost")).then(function () {}); 2')).message).toBe('unhandled promise rejection: lost');
    expect(failure(() => sandbox.evaluate('(async function () { throw 3; })()')).message).toBe('unhandled promise rejection: thrown: 3');
  });

  it('handled rejections are not errors: catch, then with onRejected, try around await, Promise.all with catch', async () => {
    const { sandbox } = await setup();
    const code = [
      'Promise.reject(new Error("a")).catch(function () {});',
      '(async function () { throw 1; })().then(null, function () {});',
      '(async function () { try { await Promise.reject(2); } catch (e) {} })();',
      'var p = (async function () { throw 3; })();',
      '(async function () { try { await p; } catch (e) {} })();',
      'Promise.all([Promise.reject(4), 5]).catch(function () {});',
      '(async function () { return 6; })().finally(function () {});',
      '7',
    ].join('\n');
    expect(sandbox.evaluate(code).value).toBe(7);
  });

  it('throwing a non-Error value is reported', async () => {
    const { sandbox } = await setup();
    expect(failure(() => sandbox.evaluate('throw 42')).message).toBe('thrown: 42');
  });
});

describe('caches follow the World', () => {
  it('a method changed from outside is seen by the next evaluation', async () => {
    const { sandbox, world, oids } = await setup();
    expect(sandbox.evaluate('self.Circle.diameter()').value).toBe(2);
    world.setMethod(oids.TCircle, 'diameter', 'function () { return 99; }');
    expect(sandbox.evaluate('self.Circle.diameter()').value).toBe(99);
    world.setSlotValue(oids.Circle, 'radius', 10);
    expect(sandbox.evaluate('self.Circle.radius').value).toBe(10);
    world.abort();
    expect(sandbox.evaluate('self.Circle.radius').value).toBe(1);
  });

  it('a newer committed state installed over one in memory is seen by the next evaluation', async () => {
    const { sandbox, world, oids } = await setup();
    expect(sandbox.evaluate('self.Circle.radius + self.Circle.diameter()').value).toBe(3);
    const newer = world.snapshot(oids.Circle);
    newer.slots = newer.slots.map((s) => (s.name === 'radius' && s.kind === 'data' ? { ...s, value: 5 } : s));
    newer.slots.push({ name: 'diameter', kind: 'method', source: 'function () { return 0; }' });
    world.install([{ state: newer, serial: 7 }]);
    expect(sandbox.evaluate('self.Circle.radius + self.Circle.diameter()').value).toBe(5);
  });

  it('a structure change made during an evaluation takes effect at once', async () => {
    const { sandbox } = await setup();
    const r = sandbox.evaluate(
      'var a = self.Circle.diameter();\nreflect(self.Circle).setMethod("diameter", "function () { return -1; }");\n[a, self.Circle.diameter()]',
    );
    expect(r.value).toEqual([2, -1]);
  });

  it('lists are immutable values; plain objects cannot be stored', async () => {
    const { sandbox } = await setup();
    expect(failure(() => sandbox.evaluate('reflect(self.Circle).addSlot("l", [1]); self.Circle.l.push(2)')).name).toBe('TypeError');
    expect(sandbox.evaluate('reflect(self.Circle).addSlot("l", [1]); self.Circle.l = self.Circle.l.concat([2]); self.Circle.l').value).toEqual([1, 2]);
    for (const [v, reason] of [
      ['{a: 1}', /plain JavaScript object/],
      ['undefined', /use null/],
      ['NaN', /finite/],
      ['function () {}', /a function/],
    ] as const)
      expect(failure(() => sandbox.evaluate(`self.Circle.radius = ${v}`)).message).toMatch(reason);
    expect(failure(() => sandbox.evaluate('self.Circle.area = 3')).name).toBe('TypeError');
    expect(failure(() => sandbox.evaluate('self.Circle.nothing = 3')).name).toBe('MessageNotUnderstood');
  });
});

describe('limits', () => {
  it('a runaway loop stops at the deadline with SandboxLimit deadline', async () => {
    const { sandbox, world } = await setup({ deadlineMs: 150 });
    const t0 = Date.now();
    const e = failure(() => sandbox.evaluate('self.Circle.radius = 3; while (true) {}'));
    expect(e).toBeInstanceOf(SandboxLimit);
    expect(e.limit).toBe('deadline');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(world.inTransaction).toBe(false);
    expect(sandbox.evaluate('self.Circle.radius').value).toBe(1);
  });

  // Stop: the page raises a flag shared with the worker while QuickJS runs. Here `print`
  // raises it, from the host, in the middle of the run, as the page would from its thread.
  it('a raised stop flag stops a long loop with Stopped, well before its deadline, and nothing is kept', async () => {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const { sandbox, world } = await setup({ onPrint: () => Atomics.store(stop, 0, 1) });
    const t0 = Date.now();
    let e: unknown;
    try {
      await runTransaction(sandbox, 'long', () =>
        sandbox.evaluate('self.Circle.radius = 7; print("started"); var t = Date.now(); while (Date.now() - t < 10000) {}', { deadlineMs: 10_000, stop }),
      );
    } catch (err) {
      e = err;
    }
    expect((e as Error).name).toBe('Stopped');
    expect((e as Error).message).toMatch(/stopped by the user/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(world.inTransaction).toBe(false);
    // The next evaluation runs at once (its flag is its own) and sees the World unchanged.
    expect(sandbox.evaluate('self.Circle.radius').value).toBe(1);
  });

  it('a stop flag raised during host work stops the evaluation, even inside a catch-all', async () => {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const { sandbox } = await setup({ onPrint: () => Atomics.store(stop, 0, 1) });
    const e = failure(() => sandbox.evaluate('for (;;) { try { print("x"); self.Circle.setMethod("m", "return 1"); } catch (e) {} }', { deadlineMs: 10_000, stop }));
    expect(e.name).toBe('Stopped');
    expect(sandbox.evaluate('1 + 1').value).toBe(2);
  });

  it('a flag left down changes nothing', async () => {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const { sandbox } = await setup();
    expect(sandbox.evaluate('3 * 4', { stop }).value).toBe(12);
  });

  it('one evaluation may set its own deadline', async () => {
    const { sandbox } = await setup();
    const e = failure(() => sandbox.evaluate('while (true) {}', { deadlineMs: 50 }));
    expect(e.message).toMatch(/ran longer than 50 ms/);
    expect(() => sandbox.evaluate('1', { deadlineMs: -1 })).toThrow(/positive number/);
  });

  it('a runaway promise job stops at the deadline and aborts the evaluation', async () => {
    const { sandbox } = await setup({ deadlineMs: 100 });
    const e = failure(() => sandbox.evaluate('self.Circle.radius = 9; Promise.resolve().then(function () { while (true) {} }); 1'));
    expect(e.limit).toBe('deadline');
    expect(sandbox.evaluate('self.Circle.radius').value).toBe(1);
  });

  it('host work counts against the deadline: a loop of slow setMethods stops within twice it', async () => {
    const { sandbox, world, oids } = await setup({ deadlineMs: 1000 });
    // Each save parses and compiles some 10,000 characters of dense code on the host (tens of
    // ms, in one host call, with a handful of VM operations between calls). The loop has no end,
    // so only the deadline can stop it however fast the machine is; a deadline that counted VM
    // time alone would let it run on, and the one save in progress at the deadline overshoots
    // it by little even on a busy machine.
    const t0 = Date.now();
    const e = failure(() =>
      sandbox.evaluate(
        "var body = '  t = t + self.a(1, \\'p\\') * [1, 2, 3].length;\\n'.repeat(200);\n" +
          "for (var i = 0; ; i++) { try { reflect(self.Circle).setMethod('m', 'function () { var t = ' + i + ';\\n' + body + ' return t; }'); } catch (e) {} }",
      ),
    );
    expect(e).toBeInstanceOf(SandboxLimit);
    expect(e.limit).toBe('deadline');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(world.inTransaction).toBe(false);
    expect(world.slot(oids.Circle, 'm')).toBeUndefined();
  });

  /** A World holding much data: `objects` objects of one 100,000-item list each, and the lobby's `many`, one object of `slots` such lists. */
  function bigWorld(world: World, oids: GenesisOids, objects: number, slots: number): void {
    const big = Array.from({ length: 100_000 }, (_, i) => [i, 'item ' + i, [1, 2]]);
    const base = world.snapshot(oids.Circle);
    const state = (oid: number, name: string, n: number) => ({
      state: { ...base, oid, name, slots: Array.from({ length: n }, (_, k) => ({ name: 'big' + k, kind: 'data' as const, value: big })), traits: [] },
      serial: 1,
    });
    world.install([state(9999, 'many', slots), ...Array.from({ length: objects }, (_, k) => state(10_000 + k, 'big' + k, 1))]);
    world.install([{ state: { ...world.snapshot(0), slots: [...world.snapshot(0).slots, { name: 'many', kind: 'data', value: { ref: 9999 } }] }, serial: world.serialOf(0) }]);
  }

  it('one long host call that starts just before the deadline stops within twice it', async () => {
    // Walking 2,000 objects of 100,000-item lists for references is one host call of seconds, and
    // so is writing out the answer of a read of 60 such slots; each starts 50 ms before the deadline.
    const { sandbox, world, oids } = await setup({ deadlineMs: 500 });
    bigWorld(world, oids, 2000, 60);
    for (const call of ['reflect(self.Circle).references().length', 'reflect(self.many).slots().length']) {
      const t0 = Date.now();
      const e = failure(() => sandbox.evaluate(`var t0 = Date.now(); while (Date.now() - t0 < 450) {}\n${call}`));
      const took = Date.now() - t0;
      expect(e.name, call).toBe('SandboxLimit');
      // The answer of slots() is also past the host-answer cap: on a quick machine its length
      // walk reaches the cap before the deadline, which ends the call just as soon.
      expect(e.message, call).toMatch(call.includes('slots') ? /^(deadline limit reached|memory limit reached: a host answer)/ : /^deadline limit reached/);
      expect(took, call).toBeLessThan(1000);
      expect(world.inTransaction).toBe(false);
    }
    expect(sandbox.evaluate('self.many.big0.length', { deadlineMs: 20_000 }).value).toBe(100_000);
  });

  it('a host answer that fits is never refused by the size estimate made before its text', () => {
    // Seven lists of 100,000 booleans are 3.5 M characters of JSON; the estimate once counted
    // 24 for each and refused them as more than 16 Mi.
    const lists = Array.from({ length: 7 }, () => new Array<boolean>(100_000).fill(true));
    expect(answerJson(lists, 16 * 2 ** 20)).toBe(JSON.stringify(lists));
    const mixed = [0, -7, 123456, 1e21, -0.5, null, 'é"', false, { a: undefined, b: 1 }, [undefined]];
    const exact = JSON.stringify(mixed);
    expect(answerJson(mixed, exact.length)).toBe(exact);
    expect(() => answerJson(mixed, exact.length - 1)).toThrow(SandboxLimit);
  });

  it('a host answer too big for the VM is refused with SandboxLimit memory, and the VM goes on', async () => {
    // 60 slots of 100,000 lists are some 130 MB of text: copied into the VM it broke the QuickJS instance.
    const { sandbox, world, oids } = await setup({ deadlineMs: 20_000 });
    bigWorld(world, oids, 0, 60);
    const e = failure(() => sandbox.evaluate('reflect(self.many).slots().length'));
    expect(e.name).toBe('SandboxLimit');
    expect(e.message).toMatch(/memory limit reached: a host answer of more than 16,777,216 characters does not fit in the sandbox's memory/);
    // The refusal is an error like any other: code may catch it and carry on.
    expect(sandbox.evaluate('try { reflect(self.many).slots(); 1 } catch (e) { e.name }').value).toBe('SandboxLimit');
    expect(sandbox.evaluate('reflect(self.many).slot("big7").value.length').value).toBe(100_000);
  });

  it('builtins that run long in C stop soon after the deadline: sorting 32 Mi bytes, a huge BigInt in decimal', async () => {
    // QuickJS asks its interrupt handler only between VM operations: one native sort or one
    // decimal conversion of a million-bit BigInt ran 10 s or more past a 1 s deadline.
    const { sandbox } = await setup({ deadlineMs: 1000 });
    // Before the guards these ran 3-11 s and ended normally; the error each must end in is what
    // tells them apart, the bound (loose for a busy machine) that nothing runs on.
    const BOUND = 5000;
    const timed = (code: string) => {
      const t0 = Date.now();
      try {
        return { result: sandbox.evaluate(code) as unknown, took: Date.now() - t0 };
      } catch (e) {
        return { error: e as Error & { limit?: string }, took: Date.now() - t0 };
      }
    };
    const sorted = timed(
      'var a = new Uint8Array(32 * 1024 * 1024); var x = 7; for (var i = 0; i < 4096; i++) { x = (x * 1103515245 + 12345) | 0; a[i] = x >>> 24; }\n' +
        'for (var n = 4096; n < a.length; n *= 2) a.copyWithin(n, 0, n);\na.sort(); a[0]',
    );
    // Through a comparator QuickJS sorts an index of 4 bytes an element: this one stops at the memory limit at once.
    expect(sorted.error?.name).toBe('SandboxLimit');
    expect(['deadline', 'memory']).toContain(sorted.error?.limit);
    expect(sorted.took).toBeLessThan(BOUND);
    // The guards cannot be talked past: a typed array's own `length`, toSorted, an array-like
    // whose length changes between reads, a boxed BigInt, a radix that changes between reads.
    const fill = 'var a = new Uint8Array(32 * 1024 * 1024); for (var i = 0; i < 4096; i++) a[i] = (i * 7919) & 255;\nfor (var n = 4096; n < a.length; n *= 2) a.copyWithin(n, 0, n);\n';
    for (const code of [
      fill + "Object.defineProperty(a, 'length', { value: 0 }); a.sort(); a[0]",
      fill + 'a.toSorted()[0]',
      fill + 'var reads = 0; var like = { get length() { return reads++ ? a.length : 0; } }; for (i = 0; i < a.length; i++) like[i] = a[i]; Array.prototype.sort.call(like); 1',
    ]) {
      const r = timed(code);
      expect(r.took, code).toBeLessThan(BOUND);
      expect(r.error?.name, code).toBe('SandboxLimit');
    }
    for (const code of ['Object((1n << 999999n) - 1n).toString()', 'BigInt.prototype.toLocaleString.call(Object((1n << 999999n) - 1n))']) {
      const r = timed(code);
      expect(r.took, code).toBeLessThan(BOUND);
      expect(r.error?.name, code).toBe('RangeError');
    }
    // A radix read once: 16 at the check is 16 for the conversion too.
    const radix = timed('var n = 0; ((1n << 999999n) - 1n).toString({ valueOf() { return ++n <= 2 ? 16 : 10; } }).length');
    expect(radix.took).toBeLessThan(BOUND);
    expect((radix.result as { value: unknown }).value).toBe(250_000);
    expect(sandbox.evaluate('[(255n).toString(16), Object(10n).toString(), (10n).toString(2.5), [3, 1, 2].toSorted().join(), new Int8Array([3, -1, 2]).toSorted().join()]').value).toEqual(['ff', '10', '1010', '1,2,3', '-1,2,3']);
    const printed = timed('var b = (1n << 999999n) - 1n; print(b); print(2n ** 64n); typeof b');
    expect(printed.took).toBeLessThan(BOUND);
    expect((printed.result as { transcript: string[] }).transcript).toEqual(['<a BigInt of about 1000000 bits, too long to write in decimal>', '18446744073709551616n']);
    const text = timed('((1n << 999999n) - 1n).toString()');
    expect(text.took).toBeLessThan(BOUND);
    expect(text.error?.name).toBe('RangeError');
    expect(text.error?.message).toMatch(/^a BigInt of about 1000000 bits is too long to write in decimal \(the limit is 131072 bits\); toString\(16\) writes it in hex/);
    expect(sandbox.evaluate('((1n << 999999n) - 1n).toString(16).length').value).toBe(250_000);
  });

  it('a big sort without a comparator keeps the default order', async () => {
    const { sandbox } = await setup({ deadlineMs: 30_000 });
    const r = sandbox.evaluate(`
      var a = new Float64Array(300000), x = 1;
      for (var i = 0; i < a.length; i++) { x = (x * 1103515245 + 12345) | 0; a[i] = (x % 1000) / 7; }
      a[5] = NaN; a[6] = -0; a[7] = 0; a[8] = NaN;
      a.sort();
      var ordered = true;
      for (i = 1; i < a.length - 2; i++) if (!(a[i - 1] <= a[i])) ordered = false;
      var zero = a.indexOf(0);
      var l = []; for (i = 0; i < 70000; i++) l.push(i % 3 === 0 ? undefined : i % 1000);
      l.sort();
      [ordered, a[a.length - 1] !== a[a.length - 1], a[a.length - 2] !== a[a.length - 2], 1 / a[zero] === -Infinity, l.slice(0, 3), l.slice(46660, 46670).length, l[l.length - 1] === undefined, String(l[46665])]`);
    expect(r.value).toEqual([true, true, true, true, [0, 0, 0], 10, true, '999']);
  });

  it('a loop that catches every error still stops at the deadline', async () => {
    const { sandbox } = await setup({ deadlineMs: 150 });
    expect(failure(() => sandbox.evaluate('for (;;) { try { while (true) {} } catch (e) {} }')).limit).toBe('deadline');
  });

  it('an allocation bomb stops at the memory limit', async () => {
    const { sandbox } = await setup({ memoryBytes: 16 * 1024 * 1024, deadlineMs: 20_000 });
    const e = failure(() => sandbox.evaluate('var a = []; while (true) a.push(new Uint8Array(1 << 20));'));
    expect(e).toBeInstanceOf(SandboxLimit);
    expect(e.limit).toBe('memory');
    expect(e.message).toMatch(/memory limit reached/);
    expect(sandbox.evaluate('1 + 1').value).toBe(2);
  });

  it('big strings, arrays and buffers count against the memory limit, not only the allocations', async () => {
    // QuickJS under emscripten counts a few bytes per allocation whatever its size: without the
    // sandbox's own capped WebAssembly memory each of these ran (twice to 32 times the limit).
    const { sandbox } = await setup({ memoryBytes: 16 * 1024 * 1024, deadlineMs: 20_000 });
    for (const code of [
      'var a = []; for (var i = 0; i < 40; i++) a.push(new Uint8Array(1 << 20)); a.length',
      'new ArrayBuffer(512 * 1024 * 1024).byteLength',
      'var s = []; for (var i = 0; i < 40; i++) s.push("x".repeat(1 << 20) + i); s.length',
      'var n = []; for (var i = 0; i < 40; i++) n.push(new Array(1 << 17).fill(1.5)); n.length',
    ]) {
      const e = failure(() => sandbox.evaluate(code));
      expect(e, code).toBeInstanceOf(SandboxLimit);
      expect(e.limit, code).toBe('memory');
      expect(sandbox.evaluate('1 + 1').value).toBe(2);
    }
    // What fits stays allowed.
    expect(sandbox.evaluate('new Uint8Array(4 << 20).length').value).toBe(4 << 20);
  });

  it('a bomb of small objects stops at the memory limit', async () => {
    const { sandbox } = await setup({ memoryBytes: 16 * 1024 * 1024, deadlineMs: 20_000 });
    const e = failure(() => sandbox.evaluate('var a = []; while (true) a.push([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);'));
    expect(e.limit).toBe('memory');
  });

  it('unbounded recursion through sends stops at the stack limit', async () => {
    const { sandbox, world, oids } = await setup();
    world.setMethod(oids.Point, 'down', 'function (n) { return self.down(n + 1) + 1; }');
    const e = failure(() => sandbox.evaluate('self.Point.down(0)'));
    expect(e).toBeInstanceOf(SandboxLimit);
    expect(e.limit).toBe('stack');
    expect((e as unknown as { sends: { selector: string }[] }).sends[0]!.selector).toBe('down');
    expect(sandbox.evaluate('self.Point.x').value).toBe(0);
  });
});

describe('the host stack', () => {
  it('if the host stack overflows inside QuickJS first, SandboxLimit stack, then a fresh VM', async () => {
    // A QuickJS stack limit far above what the host allows makes the host overflow first.
    const { sandbox, world } = await setup({ stackBytes: 4 * 1024 * 1024, deadlineMs: 20_000 });
    const e = failure(() => sandbox.evaluate('self.Circle.radius = 2; function f(n) { return f(n + 1) + 1; } f(0)'));
    expect(e).toBeInstanceOf(SandboxLimit);
    expect(e.limit).toBe('stack');
    expect(world.inTransaction).toBe(false);
    await sandbox.ready();
    expect(sandbox.evaluate('self.Circle.radius').value).toBe(1);
  });

  it('a broken QuickJS instance is replaced at once by a spare, and a new spare is loaded', async () => {
    const { sandbox } = await setup({ stackBytes: 4 * 1024 * 1024, deadlineMs: 20_000 });
    for (let round = 0; round < 2; round++) {
      expect(failure(() => sandbox.evaluate('function f(n) { return f(n + 1) + 1; } f(0)')).limit).toBe('stack');
      // No waiting: the spare runs the next evaluation.
      expect(sandbox.evaluate('self.Circle.radius + 1').value).toBe(2);
      await sandbox.ready();
    }
  });
});

describe('no way out of the sandbox', () => {
  const hostNames = ['indexedDB', 'fetch', 'postMessage', 'importScripts', 'document', 'localStorage', 'process', 'require', 'window', '__host', 'XMLHttpRequest', 'WebSocket'];

  it('the Function constructor reaches only the VM global, which holds no host object', async () => {
    const { sandbox } = await setup();
    const probe = JSON.stringify(hostNames);
    const r = sandbox.evaluate(`var g = (function () {}).constructor('return this')(); ${probe}.filter(function (n) { return typeof g[n] !== 'undefined'; })`);
    expect(r.value).toEqual([]);
    expect(sandbox.evaluate(`${probe}.filter(function (n) { return typeof globalThis[n] !== 'undefined'; })`).value).toEqual([]);
  });

  it('sloppy this and indirect eval give the VM global too', async () => {
    const { sandbox } = await setup();
    expect(sandbox.evaluate('(0, eval)("this") === globalThis && typeof (0, eval)("this").fetch').value).toBe('undefined');
    expect(sandbox.evaluate('(function () { return this; })()').type).toBe('undefined'); // methods are strict
    expect(sandbox.evaluate('new Function("return this")().indexedDB === undefined').value).toBe(true);
  });

  it('prototype chains of values handed in lead only to frozen VM intrinsics', async () => {
    const { sandbox } = await setup();
    const r = sandbox.evaluate(
      [
        'var found = [];',
        'var c = self.Circle;',
        'if (c.constructor !== undefined) found.push("constructor");',
        'if (Object.getPrototypeOf(c) !== null) found.push("the VM cache behind a receiver");',
        'var l = self.traits.Callable._dispatchMessage;',
        'var F = l.constructor; if (typeof F("return typeof process")() !== "string" || F("return typeof process")() !== "undefined") found.push("process");',
        'reflect(c).addSlot("list", [1, 2]);',
        'if (!Object.isFrozen(Object.getPrototypeOf(c.list))) found.push("Array.prototype not frozen");',
        'found',
      ].join('\n'),
    );
    expect(r.value).toEqual([]);
  });

  it('getters on returned and thrown objects are never run by the host', async () => {
    const { sandbox, world, oids } = await setup();
    const r = sandbox.evaluate('({ get x() { self.Circle.radius = 99; return 1; }, y: 2 })');
    expect(r.display).toBe('{x: <getter>, y: 2}');
    expect(r.value).toBe(null);
    const e = failure(() => sandbox.evaluate('throw { get message() { while (true) {} }, name: "Trick" }'));
    expect(e.name).toBe('Trick');
    expect(e.message).toBe('{message: <getter>, name: "Trick"}');
    expect(world.slot(oids.Circle, 'radius')).toMatchObject({ value: 1 });
  });

  it('a thrown or rejected Proxy whose traps never return cannot hold the host past its limits', async () => {
    const { sandbox, world, oids } = await setup({ deadlineMs: 300 });
    const hostile = 'new Proxy({}, { getOwnPropertyDescriptor: function () { while (true) {} }, ownKeys: function () { while (true) {} }, getPrototypeOf: function () { while (true) {} } })';
    for (const code of [`self.Circle.radius = 3; throw ${hostile}`, `self.Circle.radius = 3; Promise.reject(${hostile}); 1`]) {
      const started = Date.now();
      const e = failure(() => sandbox.evaluate(code));
      expect(Date.now() - started).toBeLessThan(5000);
      expect(e.message).toMatch(/description ran longer than 100 ms/);
      expect(world.slot(oids.Circle, 'radius')).toMatchObject({ value: 1 });
    }
    expect(sandbox.evaluate('self.Circle.radius').value).toBe(1);
  });

  it("method code cannot reach the VM's cached tables to change an object behind the World's back", async () => {
    const { sandbox } = await setup();
    expect(sandbox.evaluate('self.Circle.area()').value).toBeCloseTo(Math.PI);
    const attempts = [
      'Object.getPrototypeOf(self.Circle)',
      'Reflect.getPrototypeOf(self.Circle)',
      'Object.getOwnPropertyDescriptor(Object.prototype, "__proto__").get.call(self.Circle)',
      'Object.getPrototypeOf(Object.getPrototypeOf(Object.create(self.Circle)))',
    ];
    for (const get of attempts) {
      expect(sandbox.evaluate(get).value, get).toBeNull();
      failure(() => sandbox.evaluate(`Object.defineProperty(${get}, "area", { value: function () { return 42; } })`));
    }
    expect(sandbox.evaluate('Object.getPrototypeOf(Object.create(self.Circle)) === self.Circle').value).toBe(true);
    expect(sandbox.evaluate('Object.getPrototypeOf([]) === Array.prototype').value).toBe(true);
    expect(sandbox.evaluate('self.Circle.area()').value).toBeCloseTo(Math.PI);
  });

  it('prototype pollution is refused inside the VM and never reaches the host', async () => {
    const { sandbox } = await setup();
    for (const code of [
      'Object.prototype.polluted = 1',
      'Array.prototype.push = null',
      'Object.defineProperty(Object.prototype, "polluted", { value: 1 })',
      'JSON.parse = function () { return {}; }',
      'globalThis.print = null',
    ])
      expect(failure(() => sandbox.evaluate(code)).name).toBe('TypeError');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(sandbox.evaluate('({}).polluted === undefined && [1].push(2) === 2').value).toBe(true);
    // ordinary objects can still override inherited names
    expect(sandbox.evaluate('var o = {}; o.toString = function () { return "mine"; }; var e = new Error("m"); e.name = "Mine"; String(o) + e.name').value).toBe('mineMine');
  });

  it('code strings that try to break out of the workspace wrapper stay inside the VM', async () => {
    const { sandbox } = await setup();
    expect(sandbox.evaluate('"); globalThis.x = 1; ("').value).toBe('); globalThis.x = 1; (');
  });

  it('workspace code with a top-level return cannot close the function it is placed in', async () => {
    const { sandbox, lines } = await setup();
    const e = failure(() => sandbox.evaluate('return 1; }); print("escaped"); (function () {'));
    expect(e.name).toBe('SyntaxError');
    expect(lines).toEqual([]);
    expect(sandbox.evaluate('if (true) return 2;\nreturn 3;').value).toBe(2);
  });
});

describe('sends from the host and transactions', () => {
  it('send runs a method with arguments and answers its result', async () => {
    const { sandbox, oids } = await setup();
    const p = sandbox.send(oids.Point, 'at', [5, 6]);
    expect(p.display).toBe('5@6');
    expect(sandbox.send(oids.Circle, 'radius').value).toBe(1);
    expect(() => sandbox.send(oids.Circle, 'bad name')).toThrow(/not a valid slot name/);
  });

  it('evaluateAndCommit commits on success and aborts on error', async () => {
    const store = new InMemoryStore();
    const world = new World({ store });
    world.begin('Genesis');
        const oids = buildGenesis(world);
    await world.commit();
    const sandbox = await Sandbox.create(world);
    open.push(sandbox);
    const ok = await evaluateAndCommit(sandbox, 'self.Circle.radius = 4', 'set radius');
    expect(ok.tid).toBe(2);
    expect(store.peek(oids.Circle)!.state.slots.find((s) => s.name === 'radius')).toMatchObject({ value: 4 });
    await expect(evaluateAndCommit(sandbox, 'self.Circle.radius = 5; self.nope()')).rejects.toMatchObject({ name: 'MessageNotUnderstood' });
    expect(store.log).toHaveLength(2);
    expect(world.slot(oids.Circle, 'radius')).toMatchObject({ value: 4 });
  });

  it('objects not yet loaded fault in from the store and the evaluation runs again', async () => {
    const store = new InMemoryStore();
    await store.commit({ note: 'genesis', origin: 'test', nextOid: 100, writes: genesisStates().map((s) => ({ oid: s.oid, serial: 0, before: null, after: s })) });
    const world = new World({ store, nextOid: store.nextOid });
    await world.fault([0]);
    const sandbox = await Sandbox.create(world);
    open.push(sandbox);
    expect(world.loadedOids()).toEqual([0]);
    const r = await runTransaction(sandbox, 'lazy', () => sandbox.evaluate('self.Circle.clone().area()'));
    expect(r.result.value).toBeCloseTo(Math.PI);
    expect(world.isLoaded(16)).toBe(true);
  });
});

describe('the Transcript is bounded', () => {
  const chars = (lines: string[]) => lines.reduce((n, l) => n + l.length + 1, 0);

  it('a loop printing a 16 MiB string ends within twice its deadline, its Transcript bounded', async () => {
    const { sandbox, lines } = await setup({ deadlineMs: 1000 });
    const t0 = Date.now();
    const e = failure(() => sandbox.evaluate("var s = 'x'.repeat(16 * 1024 * 1024); for (;;) print(s);"));
    const took = Date.now() - t0;
    expect(e).toBeInstanceOf(SandboxLimit);
    expect(e.limit).toBe('deadline');
    // A bound against running on, loose for a busy machine: without the Transcript's caps the
    // loop exhausted the heap; the line counts below are what tell a capped Transcript.
    expect(took).toBeLessThan(4000);
    // 16 lines of 64 Ki characters fill the evaluation's 1 Mi; the rest are counted in one note.
    expect(chars(lines)).toBeLessThan(1.1 * 2 ** 20);
    expect(lines[0] === 'x'.repeat(65536) + `… (${16 * 1024 * 1024 - 65536} chars cut)`).toBe(true);
    expect(lines.at(-1)).toMatch(/^… [\d,]+ further lines dropped: one evaluation prints at most 1,048,576 characters and 10,000 lines$/);
    expect(lines.filter((l) => l.includes('further lines dropped'))).toHaveLength(1);
    // The next evaluation has its own allowance.
    lines.length = 0;
    expect(sandbox.evaluate('print("again"); 1').transcript).toEqual(['again']);
  });

  it('one line is cut to 65,536 characters in the VM, saying how many were cut', async () => {
    const { sandbox } = await setup();
    const r = sandbox.evaluate("print('ab'.repeat(50000)); print([1, 2]); print(self.Circle); 'done'");
    expect(r.transcript).toHaveLength(3);
    expect(r.transcript[0] === 'ab'.repeat(32768) + '… (34464 chars cut)').toBe(true);
    expect(r.transcript.slice(1)).toEqual(['[1, 2]', 'a Circle at 0@0 radius 1']);
  });

  it('one evaluation prints at most 1 Mi characters and 10,000 lines, then one note', async () => {
    const { sandbox, lines } = await setup({ deadlineMs: 10_000 });
    const r = sandbox.evaluate("var l = 'y'.repeat(999); for (var i = 0; i < 2000; i++) print(l); 7");
    expect(r.value).toBe(7);
    expect(r.transcript).toHaveLength(1049);
    expect(r.transcript.at(-1)).toBe('… 952 further lines dropped: one evaluation prints at most 1,048,576 characters and 10,000 lines');
    expect(lines.length === r.transcript.length && lines.every((l, i) => l === r.transcript[i])).toBe(true);
    const many = sandbox.evaluate('for (var i = 0; i < 12000; i++) print(i); 8');
    expect(many.transcript).toHaveLength(10_001);
    expect(many.transcript[9999]).toBe('9999');
    expect(many.transcript.at(-1)).toMatch(/^… 2,000 further lines dropped/);
  });
});
