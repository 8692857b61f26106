import { describe, expect, it } from 'vitest';
import { HEX_BYTES, fileContent, formatSize, hexDump } from './file-text';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('fileContent: text or binary', () => {
  it('shows UTF-8 text as text, accents, emoji and a BOM included', () => {
    expect(fileContent(new TextEncoder().encode('hello\n'))).toEqual({ kind: 'text', text: 'hello\n' });
    expect(fileContent(new TextEncoder().encode('café ☕ 😀\r\n\ttab'))).toEqual({ kind: 'text', text: 'café ☕ 😀\r\n\ttab' });
    expect(fileContent(bytes(0xef, 0xbb, 0xbf, 0x41))).toEqual({ kind: 'text', text: '\ufeffA' });
    expect(fileContent(new Uint8Array(0))).toEqual({ kind: 'text', text: '' });
  });

  it('calls a file with a NUL byte binary and says where', () => {
    const c = fileContent(bytes(0x7f, 0x45, 0x4c, 0x46, 0x01, 0x00, 0x02));
    expect(c).toMatchObject({ kind: 'binary', reason: 'it has a NUL byte at offset 5', shown: 7 });
    expect(c.kind === 'binary' && c.hex).toBe('00000000  7f 45 4c 46 01 00 02                             .ELF...');
  });

  it('calls invalid UTF-8 binary: a stray continuation byte, a cut sequence, an overlong form', () => {
    for (const b of [bytes(0x61, 0x80, 0x62), bytes(0x61, 0xe2, 0x82), bytes(0xc0, 0xaf), bytes(0xff)]) {
      expect(fileContent(b)).toMatchObject({ kind: 'binary', reason: 'it is not valid UTF-8 text' });
    }
  });

  it('dumps only the first bytes of a big binary file', () => {
    const big = new Uint8Array(10_000).map((_, i) => i & 0xff);
    const c = fileContent(big);
    expect(c).toMatchObject({ kind: 'binary', shown: HEX_BYTES });
    expect(c.kind === 'binary' && c.hex.split('\n')).toHaveLength(HEX_BYTES / 16);
  });
});

describe('hexDump', () => {
  it('prints offset, 16 bytes and their printable ASCII a line', () => {
    const b = new TextEncoder().encode('0123456789abcdef\nXY');
    expect(hexDump(b)).toBe(
      '00000000  30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66  0123456789abcdef\n' +
        '00000010  0a 58 59                                         .XY',
    );
  });
});

describe('formatSize', () => {
  it('uses B, KiB and MiB', () => {
    expect([formatSize(6), formatSize(5000), formatSize(3 << 20)]).toEqual(['6 B', '4.9 KiB', '3.0 MiB']);
  });
});
