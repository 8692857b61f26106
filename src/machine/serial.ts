// Serial lines on the host side, bounded: what the guest wrote on COM1 or COM2 is handed to
// listeners byte by byte as it arrives and kept only as a tail of fixed size (a ring of
// bytes and the same tail as text), so a machine that runs for days holds no more than that.
// Offsets are absolute (counted from the first byte ever received), so a reader can say
// "from here on" and still be right after older text has been dropped.

/** The last `capacity` characters of a growing text, with absolute offsets. */
export class TextTail {
  private tail = '';
  /** Characters dropped from the front so far. */
  private dropped = 0;

  constructor(readonly capacity: number) {}

  /** Absolute offset of the end of the text (everything ever appended). */
  get end(): number {
    return this.dropped + this.tail.length;
  }

  append(text: string): void {
    if (this.capacity === 0) {
      this.dropped += text.length;
      return;
    }
    this.tail += text;
    // Trim once the tail is twice the capacity, so trimming costs O(1) per character.
    if (this.tail.length > 2 * this.capacity) {
      const cut = this.tail.length - this.capacity;
      this.tail = this.tail.slice(cut);
      this.dropped += cut;
    }
  }

  /** Replaces everything with `text` (its tail), keeping offsets absolute. */
  reset(text: string): void {
    this.dropped = this.end;
    this.tail = '';
    this.append(text);
  }

  /** The kept text from absolute offset `from` (from the oldest kept character when older). */
  from(from = 0): string {
    const kept = this.tail.length > this.capacity ? this.tail.slice(-this.capacity) : this.tail;
    const keptStart = this.end - kept.length;
    return from <= keptStart ? kept : kept.slice(from - keptStart);
  }
}

/** Default tail kept per line: enough for every kernel test's whole transcript. */
export const SERIAL_TAIL_BYTES = 1 << 20;

/** Bytes seen on one serial line: listeners for each byte, a bounded tail, waiters for text. */
export class SerialLine {
  private readonly ring: Uint8Array;
  /** Bytes received since the line was created. */
  private total = 0;
  private readonly textTail: TextTail;
  private readonly listeners = new Set<() => void>();
  private readonly byteListeners = new Set<(byte: number) => void>();
  /** Where the text is in a terminal control sequence (ESC [ parameters final): TelOS colours
   * its log lines, and the text that tests and waits read leaves the colour codes out. */
  private escape: 'none' | 'esc' | 'csi' = 'none';

  /** `capacity`: bytes (and characters of text) kept; 0 keeps nothing, for a line whose
   * bytes only go to listeners (the machine worker's COM2 bridge). */
  constructor(readonly capacity = SERIAL_TAIL_BYTES) {
    this.ring = new Uint8Array(capacity);
    this.textTail = new TextTail(capacity);
  }

  /** Called by the emulator for each byte the guest writes. */
  push(byte: number): void {
    if (this.capacity) this.ring[this.total % this.capacity] = byte;
    this.total++;
    if (this.isText(byte)) this.textTail.append(String.fromCharCode(byte));
    for (const l of this.byteListeners) l(byte);
    for (const l of this.listeners) l();
  }

  /** Whether a byte belongs to the text: not a CR, and not part of an ESC [ ... sequence. */
  private isText(byte: number): boolean {
    if (this.escape === 'csi') {
      if (byte >= 0x40 && byte <= 0x7e) this.escape = 'none'; // the final byte
      return false;
    }
    if (this.escape === 'esc') {
      this.escape = byte === 0x5b ? 'csi' : 'none';
      if (this.escape === 'csi') return false;
    }
    if (byte === 0x1b) {
      this.escape = 'esc';
      return false;
    }
    return byte !== 13;
  }

  /** Bytes received so far (including those no longer kept). */
  get length(): number {
    return this.total;
  }

  /** The kept bytes from absolute offset `from` on. */
  bytes(from = 0): Uint8Array {
    const start = Math.max(from, this.total - this.capacity, 0);
    const out = new Uint8Array(Math.max(0, this.total - start));
    for (let i = 0; i < out.length; i++) out[i] = this.ring[(start + i) % this.capacity]!;
    return out;
  }

  /** The kept text (Latin-1, CR and colour codes removed so lines compare simply); with `from`, only what
   * came after that absolute text offset. */
  text(from = 0): string {
    return this.textTail.from(from);
  }

  /** Absolute offset of the end of the text: pass it to `text` or `waitFor` later to read
   * only what arrives after now. */
  get textEnd(): number {
    return this.textTail.end;
  }

  onByte(listener: (byte: number) => void): () => void {
    this.byteListeners.add(listener);
    return () => this.byteListeners.delete(listener);
  }

  /** Resolves with the kept text once `pattern` appears at or after absolute text offset
   * `fromIndex`. */
  waitFor(pattern: string | RegExp, timeoutMs: number, fromIndex = 0, describe = 'serial line'): Promise<string> {
    // A string is searched for only in what arrived since the last look (with the pattern's
    // length less one before it, for a match split between looks); a RegExp sees it all.
    let searchedTo = fromIndex;
    const found = (): boolean => {
      if (typeof pattern !== 'string') return pattern.test(this.text(fromIndex));
      const from = Math.max(fromIndex, searchedTo - pattern.length + 1);
      searchedTo = this.textEnd;
      return this.text(from).includes(pattern);
    };
    if (found()) return Promise.resolve(this.text());
    return new Promise((resolve, reject) => {
      // Bytes arrive one call each, often thousands in one task: look once after each such
      // burst, so a long wait costs the output's length, not its square.
      let queued = false;
      const look = () => {
        queued = false;
        if (this.listeners.has(check) && found()) {
          cleanup();
          resolve(this.text());
        }
      };
      const check = () => {
        if (queued) return;
        queued = true;
        queueMicrotask(look);
      };
      const timer = setTimeout(() => {
        cleanup();
        const tail = this.text().slice(-600);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${String(pattern)} on ${describe}; last output:\n${tail}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }
}
