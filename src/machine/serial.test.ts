// Serial lines keep a bounded tail: a machine that writes far more than the capacity holds
// only the capacity, reads from absolute offsets stay right after older text is dropped,
// and a line with no capacity still hands every byte to its listeners.
import { describe, expect, it, vi } from 'vitest';
import { SerialLine, TextTail } from './serial';

const feed = (line: SerialLine, text: string) => {
  for (let i = 0; i < text.length; i++) line.push(text.charCodeAt(i));
};

describe('serial lines on the host side', () => {
  it('keep only the last `capacity` bytes and characters, however much arrives', () => {
    const line = new SerialLine(100);
    let all = '';
    for (let i = 0; i < 1000; i++) all += `line ${i}\n`;
    feed(line, all);
    expect(line.length).toBe(all.length);
    expect(line.text()).toBe(all.slice(-100));
    expect(new TextDecoder('latin1').decode(line.bytes())).toBe(all.slice(-100));
    expect(line.bytes(all.length - 10)).toEqual(new TextEncoder().encode(all.slice(-10)));
    // the text is trimmed in steps, never past twice the capacity
    expect((line as unknown as { textTail: { tail: string } }).textTail.tail.length).toBeLessThanOrEqual(200);
  });

  it('reads and waits from an absolute offset after older text was dropped', async () => {
    const line = new SerialLine(16);
    feed(line, 'boot log that is longer than the tail\n');
    const from = line.textEnd;
    const seen = line.waitFor('ok', 1000, from);
    feed(line, 'ps\r\nok\n');
    await expect(seen).resolves.toContain('ok');
    expect(line.text(from)).toBe('ps\nok\n'); // CR removed
    await expect(line.waitFor('boot', 20, from)).rejects.toThrow(/timed out after 20 ms/);
  });

  it('looks for a waited pattern once per burst of bytes, not once per byte', async () => {
    const line = new SerialLine();
    const text = vi.spyOn(line, 'text');
    const seen = line.waitFor('done', 1000);
    const regex = line.waitFor(/do+ne\n/, 1000);
    text.mockClear();
    feed(line, 'x'.repeat(20_000) + 'done\n');
    await expect(seen).resolves.toContain('done');
    await expect(regex).resolves.toContain('done');
    expect(text.mock.calls.length).toBeLessThan(8);
  });

  it('finds a string split between two bursts, and not one that came before the offset', async () => {
    const line = new SerialLine();
    feed(line, 'ready\n');
    const seen = line.waitFor('ready', 1000, line.textEnd);
    feed(line, 're');
    await Promise.resolve();
    feed(line, 'ady');
    await expect(seen).resolves.toContain('ready\nready');
  });

  // Catches: the log colour codes TelOS puts around its log lines showing up in the text that
  // tests and waits read (a wait for 'TelOS: PS: serving\ntelos> ' would never match).
  it('keeps the text without the terminal colour codes, and the bytes with them', () => {
    const line = new SerialLine();
    const got: number[] = [];
    line.onByte((b) => got.push(b));
    const raw = '\x1b[90mTelOS: PS: serving\n\x1b[39mtelos> \x1b[1;31mx\x1b[m\x1b[';
    feed(line, raw);
    expect(line.text()).toBe('TelOS: PS: serving\ntelos> x');
    expect(String.fromCharCode(...got)).toBe(raw);
    expect(new TextDecoder('latin1').decode(line.bytes())).toBe(raw);
    feed(line, '0mok\x1bc');
    expect(line.text()).toBe('TelOS: PS: serving\ntelos> xokc');
  });

  it('with no capacity keeps nothing but gives every byte to its listeners', () => {
    const line = new SerialLine(0);
    const got: number[] = [];
    line.onByte((b) => got.push(b));
    feed(line, 'frame');
    expect(got).toEqual([...'frame'].map((c) => c.charCodeAt(0)));
    expect(line.text()).toBe('');
    expect(line.bytes()).toEqual(new Uint8Array(0));
    expect(line.length).toBe(5);
  });

  it('a text tail keeps offsets growing across a reset', () => {
    const tail = new TextTail(8);
    tail.append('hello world');
    expect(tail.end).toBe(11);
    tail.reset('saved');
    expect(tail.end).toBe(16);
    expect(tail.from()).toBe('saved');
    tail.append('!');
    expect(tail.from(16)).toBe('!');
    expect(tail.from(0)).toBe('saved!');
  });
});
