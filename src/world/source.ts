// Reading method source without running it, through a real JavaScript parser (acorn): whether
// the source is exactly one function expression, the text the sandbox compiles, which selectors
// a method sends to `self` (a trait's required selectors) and whether it uses `resend`.
//
// Why a parser and not patterns: the sandbox compiles a method by placing its source inside a
// wrapper, so source that is more than one function (`function(){}); code; (function(){`)
// would run code outside the method. Parsing the whole source as a program and requiring a
// single function expression closes that door, and the AST lets requirements ignore comments
// and strings.

import { parse, parseExpressionAt, tokenizer, tokTypes, type Comment, type Node, type Token } from 'acorn';
import { SandboxLimit } from './errors';
import { workCheckpoint } from './work';

/** A problem in method source; line and column are 1-based within the source. */
export interface SourceProblem {
  line: number;
  column: number;
  reason: string;
}

/** A method source the parser accepted: its function node and the program around it. */
export interface ParsedMethod {
  /** Offsets of the function expression within the source (parentheses excluded). */
  start: number;
  end: number;
  fn: Node;
}

const SHAPE = "method source must be exactly one function expression: 'function (args) { ... }'";

/** acorn's node fields that hold names rather than expressions (never references). */
interface AnyNode extends Node {
  [k: string]: unknown;
}

function lineColumnAt(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function problemAt(source: string, offset: number, reason: string): SourceProblem {
  return { ...lineColumnAt(source, offset), reason };
}

/**
 * Answers remembered per source text, bounded by count and by the characters of the sources
 * they were computed from; the least recently used go first (a Map keeps insertion order, and
 * a hit moves its entry to the end).
 */
export class SourceCache<T> {
  private readonly entries = new Map<string, T>();
  private chars = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number,
  ) {}

  get(source: string): T | undefined {
    const v = this.entries.get(source);
    if (v !== undefined) {
      this.entries.delete(source);
      this.entries.set(source, v);
    }
    return v;
  }

  set(source: string, value: T): T {
    // A source larger than the whole allowance is answered, not remembered.
    if (source.length > this.maxChars) return value;
    if (this.entries.delete(source)) this.chars -= source.length;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size < this.maxEntries && this.chars + source.length <= this.maxChars) break;
      this.entries.delete(oldest);
      this.chars -= oldest.length;
    }
    this.entries.set(source, value);
    this.chars += source.length;
    return value;
  }

  stats(): { entries: number; chars: number } {
    return { entries: this.entries.size, chars: this.chars };
  }
}

const CACHE_ENTRIES = 4000;
/**
 * Parse trees take about 70 bytes per source character (measured with acorn on dense method
 * code, locations on), so the tree cache holds 1 Mi characters of source (some 70 MiB); the
 * caches of small answers (sends, resend) hold 16 Mi characters of the sources they key on.
 */
export const PARSE_CACHE_CHARS = 1 << 20;
export const ANSWER_CACHE_CHARS = 16 << 20;

const parsedCache = new SourceCache<ParsedMethod | SourceProblem>(CACHE_ENTRIES, PARSE_CACHE_CHARS);

/**
 * Parses method source and accepts it only when the whole of it is one function:
 * `function (a) {...}`, `function name(a) {...}` or the same in parentheses (a trailing `;` and
 * comments around it are allowed). Async and arrow functions are refused (methods are plain
 * functions with `self` and `resend`); so are HTML-like comments (`<!--`, `-->`), whose reading
 * differs between engines. Answers the function's offsets, or the problem with line and column.
 */
export function parseMethodSource(source: string): ParsedMethod | SourceProblem {
  const cached = parsedCache.get(source);
  if (cached) return cached;
  return parsedCache.set(source, parseUncached(source));
}

function parseUncached(source: string): ParsedMethod | SourceProblem {
  const comments: Comment[] = [];
  // Each token counts as work: parsing a long source stops at the running evaluation's deadline.
  const onToken = () => workCheckpoint();
  const options = { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: false, locations: true, preserveParens: true, onComment: comments, onToken } as const;
  const syntaxProblem = (e: unknown): SourceProblem => {
    if (e instanceof SandboxLimit) throw e;
    const err = e as SyntaxError & { loc?: { line: number; column: number }; pos?: number };
    const reason = String(err.message).replace(/\s*\(\d+:\d+\)$/, '');
    if (err.loc) return { line: err.loc.line, column: err.loc.column + 1, reason };
    return problemAt(source, err.pos ?? 0, reason);
  };
  // The longest expression at the start (an anonymous `function` at the start of a program
  // would be a declaration, which needs a name), then nothing but comments and one `;`.
  let top: AnyNode;
  try {
    top = parseExpressionAt(source, 0, options) as unknown as AnyNode;
  } catch (e) {
    if (firstToken(source, comments)?.type === tokTypes.eof) return problemAt(source, 0, `${SHAPE}; the source is empty`);
    return syntaxProblem(e);
  }
  try {
    const blanked = blankText(source.slice(0, top.end)) + source.slice(top.end);
    const rest = tokenizer(blanked, { ...options, onComment: comments });
    let token = rest.getToken();
    if (token.type === tokTypes.semi) token = rest.getToken();
    if (token.type !== tokTypes.eof) return problemAt(source, token.start, `${SHAPE}; more code starts here`);
  } catch (e) {
    return syntaxProblem(e);
  }
  for (const c of comments) {
    const text = source.slice(c.start, c.start + 4);
    if (text.startsWith('<!--') || text.startsWith('-->'))
      return problemAt(source, c.start, 'HTML-like comments (<!-- or -->) are not allowed in method source; use // or /* */');
  }
  let fn = top;
  while (fn.type === 'ParenthesizedExpression') fn = fn.expression as AnyNode;
  if (fn.type === 'ArrowFunctionExpression') return problemAt(source, fn.start, `${SHAPE}; an arrow function has no 'function' keyword`);
  if (fn.type !== 'FunctionExpression') return problemAt(source, fn.start, `${SHAPE}; this is ${describeNode(fn)}`);
  if (fn.async) return problemAt(source, fn.start, `${SHAPE}; async functions cannot be methods`);
  return { start: fn.start, end: fn.end, fn };
}

function firstToken(source: string, comments: Comment[]): Token | undefined {
  try {
    return tokenizer(source, { ecmaVersion: 'latest', onComment: comments }).getToken();
  } catch {
    return undefined;
  }
}

/** Every character but line breaks turned into a space, so offsets, lines and columns hold. */
function blankText(s: string): string {
  return s.replace(/[^\n\r\u2028\u2029]/g, ' ');
}

function describeNode(n: AnyNode): string {
  const t = n.type;
  const words = t.replace(/(Statement|Declaration|Expression)$/, ' $1').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return /^[aeiou]/.test(words) ? `an ${words}` : `a ${words}`;
}

export function isSourceProblem(p: ParsedMethod | SourceProblem): p is SourceProblem {
  return 'reason' in p;
}

/** The problem with this method source, or null when it is exactly one function expression. */
export function methodSourceProblem(source: string): SourceProblem | null {
  const p = parseMethodSource(source);
  return isSourceProblem(p) ? p : null;
}

/**
 * The text the sandbox compiles for a method: the source with everything outside the function
 * (comments, parentheses, a trailing semicolon) blanked to spaces, line breaks kept, so that
 * line and column in the compiled text are those of the source. Throws the problem's reason if
 * the source is not one function expression (a method loaded from an image is checked here too).
 */
export function methodCompileText(source: string): string {
  const p = parseMethodSource(source);
  if (isSourceProblem(p)) throw new MethodSourceRefused(p);
  return blankText(source.slice(0, p.start)) + source.slice(p.start, p.end) + blankText(source.slice(p.end));
}

/** Method source that is not exactly one function expression, found when it is compiled. */
export class MethodSourceRefused extends Error {
  constructor(readonly problem: SourceProblem) {
    super(`line ${problem.line}, column ${problem.column}: ${problem.reason}`);
    this.name = 'MethodSourceRefused';
  }
}

// ------------------------------------------------------------------ walking the AST

/** Keys whose Identifier is a name, not a reference (when the node is not computed). */
function nameKeys(n: AnyNode): string[] {
  switch (n.type) {
    case 'MemberExpression':
      return n.computed ? [] : ['property'];
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return n.computed ? [] : ['key'];
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return ['label'];
    default:
      return [];
  }
}

function walk(node: AnyNode, visit: (n: AnyNode) => void): void {
  visit(node);
  const skip = nameKeys(node);
  for (const key of Object.keys(node)) {
    if (key === 'loc' || skip.includes(key)) continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (const x of v) if (x && typeof x === 'object' && typeof (x as AnyNode).type === 'string') walk(x as AnyNode, visit);
    } else if (v && typeof v === 'object' && typeof (v as AnyNode).type === 'string') walk(v as AnyNode, visit);
  }
}

function isSelf(n: unknown): boolean {
  return !!n && typeof n === 'object' && (n as AnyNode).type === 'Identifier' && (n as AnyNode).name === 'self';
}

/** Does the method declare its own `self` (a parameter or local of that name)? Then `self.x` is not a send. */
function declaresSelf(fn: AnyNode): boolean {
  let found = false;
  const params = fn.params as AnyNode[];
  for (const p of params) walk(p, (n) => (found ||= isSelf(n)));
  walk(fn.body as AnyNode, (n) => {
    if (n.type === 'VariableDeclarator') walk(n.id as AnyNode, (x) => (found ||= isSelf(x)));
    if ((n.type === 'FunctionDeclaration' || n.type === 'ClassDeclaration') && isSelf(n.id)) found = true;
  });
  return found;
}

const sendsCache = new SourceCache<string[]>(CACHE_ENTRIES, ANSWER_CACHE_CHARS);
const resendCache = new SourceCache<boolean>(CACHE_ENTRIES, ANSWER_CACHE_CHARS);

/** How much each cache of answers per source holds now (entries, and characters of source). */
export function sourceCacheStats(): Record<'parsed' | 'sends' | 'resend', { entries: number; chars: number }> {
  return { parsed: parsedCache.stats(), sends: sendsCache.stats(), resend: resendCache.stats() };
}

/**
 * Selectors this method reads from, assigns to or sends to `self` (`self.x`, `self.x = v`,
 * `self.x()`, `self['==']`, `self?.x`, `var { x } = self`), in source order, from the parser's AST: comments and
 * strings never count. Source that does not parse sends nothing.
 */
export function selfSends(source: string): string[] {
  const cached = sendsCache.get(source);
  if (cached) return [...cached];
  const p = parseMethodSource(source);
  const found: string[] = [];
  if (!isSourceProblem(p) && !declaresSelf(p.fn as AnyNode)) {
    const add = (sel: string) => {
      if (!found.includes(sel)) found.push(sel);
    };
    walk(p.fn as AnyNode, (n) => {
      // `var { radius, center: c } = self` reads radius and center too
      const destructured = n.type === 'VariableDeclarator' ? [n.id, n.init] : n.type === 'AssignmentExpression' ? [n.left, n.right] : null;
      if (destructured && isSelf(destructured[1]) && (destructured[0] as AnyNode).type === 'ObjectPattern') {
        for (const prop of (destructured[0] as AnyNode).properties as AnyNode[]) {
          const key = prop.key as AnyNode | undefined;
          if (prop.type !== 'Property' || !key) continue;
          if (!prop.computed && key.type === 'Identifier') add(key.name as string);
          else if (key.type === 'Literal' && typeof key.value === 'string') add(key.value);
        }
      }
      if (n.type !== 'MemberExpression' || !isSelf(n.object)) return;
      const prop = n.property as AnyNode;
      let sel: string | undefined;
      if (!n.computed && prop.type === 'Identifier') sel = prop.name as string;
      else if (n.computed && prop.type === 'Literal' && typeof prop.value === 'string') sel = prop.value;
      else if (n.computed && prop.type === 'TemplateLiteral' && (prop.expressions as unknown[]).length === 0)
        sel = ((prop.quasis as AnyNode[])[0]!.value as { cooked: string }).cooked;
      if (sel !== undefined) add(sel);
    });
  }
  return [...sendsCache.set(source, found)];
}

/**
 * True when the method refers to `resend` (so the sandbox must give it a resend view). Source
 * that does not parse answers true, the safe side.
 */
export function usesResend(source: string): boolean {
  const cached = resendCache.get(source);
  if (cached !== undefined) return cached;
  const p = parseMethodSource(source);
  let uses = true;
  if (!isSourceProblem(p)) {
    uses = false;
    walk(p.fn as AnyNode, (n) => (uses ||= n.type === 'Identifier' && n.name === 'resend'));
  }
  return resendCache.set(source, uses);
}

// ------------------------------------------------------------------ async functions report their throws

/** Text inserted into compiled code; it holds no line break, so only columns move. */
export interface Insertion {
  /** Offset in the original text where the insertion goes. */
  offset: number;
  /** 1-based line and column of that offset in the original text. */
  line: number;
  column: number;
  length: number;
}

export interface InstrumentedCode {
  text: string;
  insertions: Insertion[];
  /** For workspace code: why the parser refused it as a script body (a top-level return allowed). */
  problem?: SourceProblem;
}

/** The VM global an async function calls with the error that escapes its body. */
export const ASYNC_THROW_HOOK = '__telosAsyncThrew';
const CATCH = `}catch($telos$e){${ASYNC_THROW_HOOK}($telos$e);throw $telos$e}`;

/**
 * Wraps the body of every async function in `try { ... } catch (e) { hook(e); throw e; }`, so the
 * sandbox learns of an error that rejects the function's promise: QuickJS as packaged gives the
 * host no rejection tracker, and an async function's promise is otherwise invisible until
 * someone awaits it. Insertions hold no line breaks; `originalColumn` maps positions back.
 */
function reportAsyncThrows(text: string, root: AnyNode): InstrumentedCode {
  const edits: { offset: number; text: string; rank: number }[] = [];
  walk(root, (n) => {
    const isFn = n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration' || n.type === 'ArrowFunctionExpression';
    if (!isFn || !n.async || n.generator) return;
    const body = n.body as AnyNode;
    if (body.type === 'BlockStatement') {
      edits.push({ offset: body.start + 1, text: 'try{', rank: body.start });
      edits.push({ offset: body.end - 1, text: CATCH, rank: -body.start });
    } else {
      edits.push({ offset: body.start, text: '{try{return ', rank: body.start });
      edits.push({ offset: body.end, text: CATCH + '}', rank: -body.start });
    }
  });
  if (edits.length === 0) return { text, insertions: [] };
  // Same offset: closings of inner functions before those of outer ones.
  edits.sort((a, b) => a.offset - b.offset || a.rank - b.rank);
  let out = '';
  let at = 0;
  const insertions: Insertion[] = [];
  for (const e of edits) {
    out += text.slice(at, e.offset) + e.text;
    at = e.offset;
    insertions.push({ offset: e.offset, ...lineColumnAt(text, e.offset), length: e.text.length });
  }
  return { text: out + text.slice(at), insertions };
}

/** A method's compile text (see methodCompileText) with its async functions reporting throws. */
export function instrumentMethod(source: string): InstrumentedCode {
  const text = methodCompileText(source);
  const p = parseMethodSource(source) as ParsedMethod;
  return reportAsyncThrows(text, p.fn as AnyNode);
}

/** Workspace code (a script body; a top-level return allowed) with its async functions reporting throws. */
export function instrumentWorkspace(code: string): InstrumentedCode {
  let program: AnyNode;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, preserveParens: true }) as unknown as AnyNode;
  } catch (e) {
    // QuickJS reports the syntax error itself; the problem tells the sandbox not to place this
    // code inside a function wrapper, which text such as '}); code; (function () {' would leave.
    const err = e as SyntaxError & { loc?: { line: number; column: number } };
    const problem = { line: err.loc?.line ?? 1, column: (err.loc?.column ?? 0) + 1, reason: String(err.message).replace(/\s*\(\d+:\d+\)$/, '') };
    return { text: code, insertions: [], problem };
  }
  return reportAsyncThrows(code, program);
}

/** A 1-based column of the instrumented text mapped back to the original text's column. */
export function originalColumn(insertions: Insertion[], line: number, column: number): number {
  let shift = 0;
  for (const ins of insertions) {
    if (ins.line !== line) continue;
    const at = ins.column + shift;
    if (column < at) break;
    if (column < at + ins.length) return ins.column; // inside inserted text: its place in the original
    shift += ins.length;
  }
  return column - shift;
}
