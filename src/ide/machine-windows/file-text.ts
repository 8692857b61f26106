// What the file viewer shows of a file's bytes: its text when it is text (valid UTF-8 with
// no NUL byte), else a short hex dump of its first bytes, so a binary file never shows as
// garbage.

/** Files bigger than this are not shown (the viewer offers Download instead). */
export const VIEW_LIMIT = 1 << 20;
/** How many bytes of a binary file the hex dump shows. */
export const HEX_BYTES = 256;

export type FileContent =
  | { kind: 'text'; text: string }
  | { kind: 'binary'; reason: string; hex: string; shown: number };

/** Text or binary, and what to show. */
export function fileContent(bytes: Uint8Array): FileContent {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return binary(bytes, `it has a NUL byte at offset ${nul}`);
  try {
    // A BOM is kept as text, not dropped silently.
    return { kind: 'text', text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    return binary(bytes, 'it is not valid UTF-8 text');
  }
}

function binary(bytes: Uint8Array, reason: string): FileContent {
  const shown = Math.min(bytes.length, HEX_BYTES);
  return { kind: 'binary', reason, hex: hexDump(bytes.subarray(0, shown)), shown };
}

/** 16 bytes a line: offset, bytes in hex, and the printable ASCII ones ('.' for the rest). */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

/** A size for people: B, KiB or MiB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1 << 20) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}
