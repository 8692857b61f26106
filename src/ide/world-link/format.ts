// How values read in the IDE: references by the name of what they point to, strings quoted.
import type { Value } from './types';

export function isRef(v: Value | undefined): v is { ref: number } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'ref' in v;
}

export function formatValue(v: Value | undefined, names: Record<number, string> = {}, depth = 0): string {
  if (v === undefined) return '';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (depth > 1) return `[…${v.length}]`;
    const shown = v.slice(0, 10).map((x) => formatValue(x, names, depth + 1));
    return `[${shown.join(', ')}${v.length > 10 ? `, …(${v.length})` : ''}]`;
  }
  if ('ref' in v) return names[v.ref] ? `${names[v.ref]} (#${v.ref})` : `#${v.ref}`;
  if ('blob' in v) return `blob ${v.type} ${v.size} bytes`;
  return String(v);
}

/** Source text that evaluates to the value, for inline editing. */
export function valueSource(v: Value | undefined): string {
  if (v === undefined || v === null) return 'null';
  if (isRef(v)) return `#${v.ref}`;
  return JSON.stringify(v);
}
