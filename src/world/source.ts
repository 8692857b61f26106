// Reading method source without running it: which selectors a method sends to `self`
// (for a trait's required selectors) and whether it uses `resend`.

/** Replaces comments and the contents of string/template literals with spaces. */
function blankCommentsAndStrings(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const n = src[i + 1];
    if (c === '/' && n === '/') {
      while (i < src.length && src[i] !== '\n') (out += ' '), i++;
    } else if (c === '/' && n === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      out += src.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      out += c;
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') (out += ' '), i++;
        out += src[i] === '\n' ? '\n' : ' ';
        i++;
      }
      if (i < src.length) (out += c), i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Selectors this source sends to or reads from `self` (`self.x`, `self['==']`), in order. */
export function selfSends(source: string): string[] {
  const found = new Set<string>();
  const code = blankCommentsAndStrings(source);
  for (const m of code.matchAll(/(?<![\w$.])self\s*(\?\.|\.)\s*([A-Za-z_$][\w$]*)/g)) found.add(m[2]!);
  // Bracketed selectors keep their string contents, so read them from the original source at
  // positions where the blanked copy still shows `self[`.
  for (const m of code.matchAll(/(?<![\w$.])self\s*\[\s*(['"])/g)) {
    const start = m.index! + m[0].length;
    const end = source.indexOf(m[1]!, start);
    if (end > start) found.add(source.slice(start, end));
  }
  return [...found];
}

/** True when the source mentions `resend` outside comments and strings. */
export function usesResend(source: string): boolean {
  return /(?<![\w$.])resend(?![\w$])/.test(blankCommentsAndStrings(source));
}
