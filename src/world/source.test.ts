// Method source read by the parser: exactly one function expression, checked at save with line
// and column; the text the sandbox compiles; selectors sent to self from the AST.
import { describe, expect, it } from 'vitest';
import {
  MethodSyntaxError,
  World,
  instrumentMethod,
  instrumentWorkspace,
  methodCompileText,
  methodSourceProblem,
  originalColumn,
  parseMethodSource,
  selfSends,
  usesResend,
} from './index';
import { ANSWER_CACHE_CHARS, PARSE_CACHE_CHARS, SourceCache, sourceCacheStats } from './source';

const m = (name: string, source: string) => ({ name, kind: 'method', source });

function saveError(w: World, oid: number, source: string): MethodSyntaxError {
  try {
    w.setMethod(oid, 'area', source);
  } catch (e) {
    return e as MethodSyntaxError;
  }
  throw new Error('expected the save to be refused');
}

describe('method source is exactly one function expression', () => {
  it('accepts anonymous, named and parenthesised functions with comments around them', () => {
    for (const src of [
      'function () { return 1; }',
      'function area(a, b) { return a * b; }',
      '(function () { return 1; })',
      '((function () { return 1; }));',
      '// area of a circle\nfunction () { return 1; } // done',
      '/* doc */ function* () { yield 1; }',
    ])
      expect(methodSourceProblem(src), src).toBeNull();
  });

  it('a source that closes the wrapper and runs code outside the method is refused at save, naming line and column', () => {
    const w = new World();
    const o = w.createObject({ name: 'Shape', slots: [m('area', 'function () { return 1; }')] });
    const e = saveError(w, o, 'function(){}); globalThis.leak = 1; (function(){');
    expect(e).toBeInstanceOf(MethodSyntaxError);
    expect(e).toMatchObject({ name: 'MethodSyntaxError', owner: o, selector: 'area', line: 1 });
    expect(e.column).toBeGreaterThan(1);
    expect(e.message).toMatch(/line 1, column \d+/);
    expect(w.slot(o, 'area')).toMatchObject({ source: 'function () { return 1; }' });
  });

  it('two functions, a call, a sequence, an arrow, an async function or a bare expression are refused with where the problem is', () => {
    const cases: [string, number, number, RegExp][] = [
      ['function () {}\nfunction () {}', 2, 1, /exactly one function expression/],
      ['(function () {})\n;evil()', 2, 2, /more code starts here/],
      ['(function () {})()', 1, 1, /call expression/],
      ['(function () {}, 1)', 1, 2, /sequence expression/],
      ['() => 1', 1, 1, /arrow function/],
      ['async function () {}', 1, 1, /async functions/],
      ['3 + 4', 1, 1, /function expression/],
      ['', 1, 1, /empty/],
      ['function () {\n  return self.x +;\n}', 2, 18, /Unexpected token/],
    ];
    for (const [src, line, column, reason] of cases) {
      const p = methodSourceProblem(src);
      expect(p, src).toMatchObject({ line, column });
      expect(p!.reason, src).toMatch(reason);
    }
  });

  it('HTML-like comments, read differently by engines, are refused', () => {
    expect(methodSourceProblem('function () { return 0 <!--x\n}')).toMatchObject({ line: 1, reason: expect.stringMatching(/HTML-like/) });
    expect(methodSourceProblem('function () {\n--> x\n return 1; }')).toMatchObject({ line: 2, reason: expect.stringMatching(/HTML-like/) });
  });

  it('a refused createObject or addSlot changes nothing', () => {
    const w = new World();
    const o = w.createObject({ name: 'o' });
    const before = w.snapshot(o);
    expect(() => w.addSlot(o, m('x', 'function () {}); (function () {'))).toThrow(MethodSyntaxError);
    expect(() => w.createObject({ name: 'p', slots: [m('x', '1; function () {}')] })).toThrow(MethodSyntaxError);
    expect(w.snapshot(o)).toEqual(before);
    expect(w.loadedOids()).toEqual([o]);
  });

  it('the compiled text is the function alone, at the same lines and columns', () => {
    const src = '// doc\n(function (a) {\n  return a;\n});';
    const text = methodCompileText(src);
    expect(text).toHaveLength(src.length);
    expect(text.split('\n')).toEqual(['      ', ' function (a) {', '  return a;', '}  ']);
    expect(() => methodCompileText('function(){}); x(); (function(){')).toThrow(/line 1, column \d+/);
  });
});

describe('selectors sent to self, from the AST', () => {
  it('reads, assignments, sends, bracketed and optional sends count, in source order', () => {
    expect(selfSends("function (o) { self.radius = o.size; return self.area() + self['=='](o) + self?.extra + self[`bits`]; }")).toEqual([
      'radius',
      'area',
      '==',
      'extra',
      'bits',
    ]);
  });

  it('comments, strings, templates, regexps and other objects never count', () => {
    const src = [
      'function (other) {',
      '  // self.inComment()',
      '  /* self.inBlock */',
      '  var s = "self.inString" + \'self.inQuote\' + `self.inTemplate ${other.self.notMine}`;',
      '  var r = /self.inRegexp/;',
      '  return other.self + s + r + self.real;',
      '}',
    ].join('\n');
    expect(selfSends(src)).toEqual(['real']);
  });

  it('destructuring self reads the selectors it names', () => {
    expect(selfSends("function () { var { radius, 'center': c } = self; let x; ({ color: x } = self); return radius + c + x; }")).toEqual(['radius', 'center', 'color']);
  });

  it('a method that names its own self sends nothing to the receiver', () => {
    expect(selfSends('function (self) { return self.x; }')).toEqual([]);
    expect(selfSends('function () { var self = 3; return self.toFixed(); }')).toEqual([]);
  });

  it('source that does not parse sends nothing', () => {
    expect(selfSends('function () { return self.x +; }')).toEqual([]);
  });

  it('usesResend looks at code, not at comments, strings or property names', () => {
    expect(usesResend('function () { return resend.area() * 2; }')).toBe(true);
    expect(usesResend('function () { var r = resend; return r.area(); }')).toBe(true);
    expect(usesResend('function () { /* resend.area() */ return "resend"; }')).toBe(false);
    expect(usesResend('function () { return self.resend + ({ resend: 1 }).resend; }')).toBe(false);
    expect(usesResend('function () { return { resend }; }')).toBe(true);
  });

  it('a trait whose comments and strings mention self.x does not require x', () => {
    const w = new World();
    const T = w.createObject({
      name: 'TDescribed',
      slots: [
        m('describe', 'function () {\n  // uses self.name once it exists\n  return "self.title: " + self.label();\n}'),
        m('label', "function () { return 'self.ignored'; }"),
      ],
    });
    expect(w.requiredSelectors(T)).toEqual([]);
    const U = w.createObject({ name: 'TSized', slots: [m('twice', '/* self.half */ function () { return self.size * 2; }')] });
    expect(w.requiredSelectors(U)).toEqual(['size']);
  });
});

describe('async functions report the errors that escape them', () => {
  it('their bodies are wrapped without adding lines, and columns map back to the source', () => {
    const src = 'function () {\n  var f = async function () { return self.x; };\n  var g = async (a) => a.y;\n  return f;\n}';
    const { text, insertions } = instrumentMethod(src);
    expect(text.split('\n')).toHaveLength(5);
    expect(text).toContain('async function () {try{ return self.x; }catch($telos$e){__telosAsyncThrew($telos$e);throw $telos$e}}');
    expect(text).toContain('async (a) => {try{return a.y}catch($telos$e){__telosAsyncThrew($telos$e);throw $telos$e}}');
    const line2 = text.split('\n')[1]!;
    expect(originalColumn(insertions, 2, line2.indexOf('self.x') + 1)).toBe('  var f = async function () { return self.x; };'.indexOf('self.x') + 1);
    const line3 = text.split('\n')[2]!;
    expect(originalColumn(insertions, 3, line3.indexOf('a.y') + 1)).toBe('  var g = async (a) => a.y;'.indexOf('a.y') + 1);
  });

  it('workspace code with a top-level return is instrumented; code that does not parse is left alone', () => {
    expect(instrumentWorkspace('var f = async () => 1;\nreturn f;').text).toContain('{try{return 1}catch');
    expect(instrumentWorkspace('var x = ;')).toMatchObject({ text: 'var x = ;', insertions: [], problem: { line: 1, column: 9 } });
    expect(instrumentWorkspace('function* g() {} async function* h() {}').insertions).toEqual([]);
  });
});

describe('what is remembered per method source is bounded by its size', () => {
  /** A method of about `chars` characters of dense code, different for each n. */
  const bigSource = (n: number, chars: number) => {
    const line = `  total = total + self.part${n}(${n}, 'p') * [1, 2, 3].length;\n`;
    return `function () {\n  var total = ${n};\n${line.repeat(Math.ceil(chars / line.length))}  return total;\n}`;
  };

  it('a loop of setMethod with big sources keeps the parse cache within its characters, the oldest dropped first', () => {
    const w = new World();
    const o = w.createObject({ name: 'Big', slots: [m('area', 'function () { return 1; }')] });
    const first = bigSource(0, 100_000);
    w.setMethod(o, 'area', first);
    const tree = parseMethodSource(first);
    expect(parseMethodSource(first)).toBe(tree); // remembered
    // 12 sources of 100,000 characters are more than the 1 Mi characters of trees kept.
    for (let n = 1; n <= 12; n++) {
      w.setMethod(o, 'area', bigSource(n, 100_000));
      expect(usesResend(bigSource(n, 100_000))).toBe(false);
      const stats = sourceCacheStats();
      expect(stats.parsed.chars).toBeLessThanOrEqual(PARSE_CACHE_CHARS);
      expect(stats.resend.chars).toBeLessThanOrEqual(ANSWER_CACHE_CHARS);
    }
    expect(w.requiredSelectors(o)).toEqual(['part12']);
    expect(parseMethodSource(first)).not.toBe(tree);
    expect(parseMethodSource(first)).toEqual(tree);
  });

  it('a cache of answers per source drops the least recently used first, by count and by characters', () => {
    const cache = new SourceCache<number>(3, 10);
    cache.set('aaaa', 1);
    cache.set('bbb', 2);
    expect(cache.get('aaaa')).toBe(1); // used again: now the newest
    cache.set('cc', 3);
    expect(cache.stats()).toEqual({ entries: 3, chars: 9 });
    cache.set('dd', 4); // 11 characters would be too many: bbb, the least recently used, goes
    expect(cache.get('bbb')).toBeUndefined();
    expect(cache.stats()).toEqual({ entries: 3, chars: 8 });
    cache.set('e', 5); // a fourth entry would be too many: aaaa goes
    expect(cache.get('aaaa')).toBeUndefined();
    expect([cache.get('cc'), cache.get('dd'), cache.get('e')]).toEqual([3, 4, 5]);
    cache.set('dd', 6); // the same source again replaces its answer
    expect(cache.stats()).toEqual({ entries: 3, chars: 5 });
    expect(cache.get('dd')).toBe(6);
    expect(cache.set('x'.repeat(11), 7)).toBe(7); // larger than the whole allowance: answered, not kept
    expect(cache.stats()).toEqual({ entries: 3, chars: 5 });
  });
});
