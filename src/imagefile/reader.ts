// Streaming reader of `.telos` files: gunzip (native DecompressionStream), split into
// lines as bytes arrive, SHA-256 as it goes, and validate every line before handing it on.
// Nothing is trusted: limits on line length, total size, expansion ratio (a gzip bomb),
// record count and nesting depth stop a hostile file early, and every problem is an
// ImageFileError naming the line, the record type and the reason.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ImageFileError } from './errors';
import { gunzipOnDemand, ImageInputError } from './gunzip';
import type { ImageCounts, ImageHeader, ImageRecord } from './format';
import { checkJsonShape, ImageChecker, NestingCounter, parseHeader, parseRecord } from './validate';

export interface ImageReadLimits {
  /** Longest line, in uncompressed bytes (a 100 MB string is refused here, unbuffered). */
  maxLineBytes: number;
  /** Most uncompressed bytes in the whole file. */
  maxTotalBytes: number;
  /** Largest ratio of uncompressed to compressed bytes, checked past expansionGraceBytes. */
  maxExpansion: number;
  expansionGraceBytes: number;
  /** Most records (lines between header and end). */
  maxRecords: number;
  /** Deepest nesting of JSON objects and lists in one record. */
  maxDepth: number;
  /** Most blank bytes (spaces, tabs, line ends) after the end record; anything else there is refused. */
  maxTrailingBytes: number;
}

export const DEFAULT_READ_LIMITS: ImageReadLimits = {
  maxLineBytes: 16 * 1024 * 1024,
  maxTotalBytes: 4 * 1024 * 1024 * 1024,
  maxExpansion: 250,
  expansionGraceBytes: 64 * 1024 * 1024,
  maxRecords: 20_000_000,
  maxDepth: 64,
  maxTrailingBytes: 4096,
};

export interface ImageReadProgress {
  line: number;
  /** Uncompressed bytes read so far. */
  bytes: number;
  /** Compressed bytes taken from the input so far. */
  compressedBytes: number;
  /** Records the header announces, for a progress bar. */
  expectedRecords: number;
}

export interface ImageReadHandlers {
  /** After the header is validated; may be async (e.g. to create the target image). */
  header?(header: ImageHeader): void | Promise<void>;
  /** After a record passed its schema and the cross-record checks so far. */
  record?(record: ImageRecord, line: number): void | Promise<void>;
  /** Every few hundred records and at the end. */
  progress?(p: ImageReadProgress): void;
}

export interface ImageReadSummary {
  header: ImageHeader;
  counts: ImageCounts;
  records: number;
  lines: number;
  bytes: number;
  compressedBytes: number;
  sha256: string;
  /** Largest OID in the file, of objects and history (-1 if none), and largest tid among serials and history. */
  maxOid: number;
  maxTid: number;
}

export interface ImageReadOptions {
  limits?: Partial<ImageReadLimits>;
  /** Stop early: reading is cancelled with an ImageFileError saying so. */
  signal?: AbortSignal;
}

/** An incremental SHA-256: the engine's own under Node, @noble/hashes elsewhere (the browser has no incremental one). */
export interface Sha256 {
  update(bytes: Uint8Array): void;
  /** The digest as 64 lowercase hex digits (once). */
  hex(): string;
}

type NodeCrypto = { createHash(name: 'sha256'): { update(b: Uint8Array): unknown; digest(enc: 'hex'): string } };
/** Node's crypto, found at run time (Node 20.16 and later) so that no bundle for the browser imports it. */
const nodeCrypto = (() => {
  try {
    const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    return (p?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined) ?? null;
  } catch {
    return null;
  }
})();

/** A new incremental SHA-256 (native under Node: the JavaScript one was a fifth of reading an image). */
export function newSha256(): Sha256 {
  if (nodeCrypto) {
    const h = nodeCrypto.createHash('sha256');
    return { update: (b) => void h.update(b), hex: () => h.digest('hex') };
  }
  const h = sha256.create();
  return { update: (b) => void h.update(b), hex: () => bytesToHex(h.digest()) };
}

const NL = 0x0a;
const NEWLINE = new Uint8Array([NL]);
const PROGRESS_EVERY = 500;

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function isBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return false;
  return true;
}

/**
 * Reads a gzip-compressed `.telos` stream from start to end, validating as it goes.
 * Resolves with a summary only when the whole file is well formed and its checksum
 * matches; otherwise rejects with an ImageFileError (and cancels the input).
 */
export async function readImageFile(
  input: ReadableStream<Uint8Array>,
  handlers: ImageReadHandlers = {},
  options: ImageReadOptions = {},
): Promise<ImageReadSummary> {
  const limits = { ...DEFAULT_READ_LIMITS, ...options.limits };
  let compressedBytes = 0;
  const reader = gunzipOnDemand(input, (n) => (compressedBytes += n));

  const hash = newSha256();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let header: ImageHeader | null = null;
  let checker: ImageChecker | null = null;
  let line = 0;
  let bytes = 0;
  let digest = '';
  let ended = false;
  let trailingBytes = 0;
  /** Bytes after the end record: a few blank ones are allowed (an editor's final newline), nothing else. */
  const trailing = (bytes: Uint8Array) => {
    // Only the bytes up to one past the limit are looked at: a huge chunk is refused either way.
    if (!isBlank(bytes.subarray(0, limits.maxTrailingBytes - trailingBytes + 1))) {
      throw new ImageFileError('data after the end record (appended data, or a second gzip member?)', { line: line + 1 });
    }
    trailingBytes += bytes.length;
    if (trailingBytes > limits.maxTrailingBytes) {
      throw new ImageFileError(`more than ${limits.maxTrailingBytes} blank bytes after the end record`, { line: line + 1 });
    }
  };
  let carry: Uint8Array[] = [];
  let carryLength = 0;
  // Nesting is counted on each line's bytes as they arrive, before the line is parsed.
  const nesting = new NestingCounter(limits.maxDepth);
  const tooDeep = (n: number) =>
    new ImageFileError(`values are nested deeper than ${limits.maxDepth} levels`, { line: n, record: n === 1 ? 'header' : undefined });

  const progress = () =>
    handlers.progress?.({
      line,
      bytes,
      compressedBytes,
      expectedRecords: header ? header.counts.obj + header.counts.tx + header.counts.disk + header.counts.vm + (header.counts.hdb ?? 0) + header.counts.blob : 0,
    });

  /** Handles one complete line; answers true when it was the end record. */
  // Synchronous unless a handler answers a promise: an await per line (100,000 of them for as
  // many objects) was a good part of reading an image whose handlers do not wait.
  const takeLine = (raw: Uint8Array, n: number, hashPending: () => void): boolean | Promise<boolean> => {
    let text: string;
    try {
      text = decoder.decode(raw);
    } catch {
      throw new ImageFileError('not valid UTF-8', { line: n });
    }
    if (text.length === 0) throw new ImageFileError('empty line', { line: n });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new ImageFileError(`invalid JSON (${(e as Error).message})`, { line: n });
    }
    const shape = checkJsonShape(json, limits.maxDepth);
    if (shape) throw new ImageFileError(shape, { line: n, record: n === 1 ? 'header' : undefined });
    if (n === 1) {
      header = parseHeader(json);
      checker = new ImageChecker(header);
      const waited = handlers.header?.(header);
      return waited ? waited.then(() => false) : false;
    }
    const record = parseRecord(json, n);
    if (record.type === 'end') {
      hashPending();
      digest = hash.hex();
      if (record.sha256 !== digest) {
        throw new ImageFileError(`checksum mismatch: the file says ${record.sha256}, its contents hash to ${digest}`, { line: n, record: 'end' });
      }
      checker!.finish(record, n);
      ended = true;
      return true;
    }
    if (checker!.records >= limits.maxRecords) throw new ImageFileError(`more than ${limits.maxRecords} records`, { line: n });
    checker!.check(record, n);
    const waited = handlers.record?.(record, n);
    if (waited)
      return waited.then(() => {
        if (n % PROGRESS_EVERY === 0) progress();
        return false;
      });
    if (n % PROGRESS_EVERY === 0) progress();
    return false;
  };

  // Cancelling stops a read that is waiting on a stalled input, too.
  const onAbort = () => void reader.cancel();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (options.signal?.aborted) throw new ImageFileError('reading was cancelled');
      let chunk: Uint8Array | undefined;
      try {
        const r = await reader.read();
        if (options.signal?.aborted) throw new ImageFileError('reading was cancelled');
        if (r.done) break;
        chunk = r.value;
      } catch (e) {
        if (e instanceof ImageFileError) throw e;
        if (e instanceof ImageInputError) throw e.original;
        throw new ImageFileError(
          `the gzip stream is corrupt or truncated (${(e as Error)?.message ?? String(e)})${line ? ` after line ${line}` : ' before the first line'}`,
          { line: line + 1 },
        );
      }
      bytes += chunk.byteLength;
      if (bytes > limits.maxTotalBytes) {
        throw new ImageFileError(`the file expands past ${limits.maxTotalBytes} bytes (a gzip bomb?)`, { line: line + 1 });
      }
      if (bytes > limits.expansionGraceBytes && bytes > limits.maxExpansion * compressedBytes) {
        throw new ImageFileError(
          `the file expands more than ${limits.maxExpansion} times (${bytes} bytes from ${compressedBytes}; a gzip bomb?)`,
          { line: line + 1 },
        );
      }
      let start = 0;
      let hashFrom = 0;
      const current = chunk;
      for (;;) {
        if (ended) {
          trailing(current.subarray(start));
          break;
        }
        const nl = current.indexOf(NL, start);
        if (nesting.add(current, start, nl < 0 ? current.length : nl)) throw tooDeep(line + 1);
        if (nl < 0) {
          const rest = current.length - start;
          if (rest > 0) {
            carryLength += rest;
            if (carryLength > limits.maxLineBytes) {
              throw new ImageFileError(`line is longer than ${limits.maxLineBytes} bytes`, { line: line + 1 });
            }
            carry.push(current.subarray(start));
          }
          break;
        }
        const pieceLength = nl - start;
        if (carryLength + pieceLength > limits.maxLineBytes) {
          throw new ImageFileError(`line is longer than ${limits.maxLineBytes} bytes`, { line: line + 1 });
        }
        const carried = carry;
        const raw = carried.length > 0 ? concat([...carried, current.subarray(start, nl)], carryLength + pieceLength) : current.subarray(start, nl);
        const lineStart = start;
        carry = [];
        carryLength = 0;
        nesting.reset();
        line++;
        const taken = takeLine(raw, line, () => {
          // Everything before the end line: earlier chunks were hashed as their lines
          // completed; here, this chunk's complete lines before the end line.
          if (!ended) hash.update(current.subarray(hashFrom, lineStart));
          hashFrom = lineStart;
        });
        const wasEnd = typeof taken === 'boolean' ? taken : await taken;
        if (!wasEnd && !ended) {
          // The part of this line carried from earlier chunks is hashed now that the line
          // is known not to be the end record; its part in this chunk is hashed below.
          for (const p of carried) hash.update(p);
        }
        start = nl + 1;
        if (wasEnd) hashFrom = current.length;
      }
      if (!ended) hash.update(current.subarray(hashFrom, start));
    }
    if (carryLength > 0) {
      // A last line without its newline (never after the end record: those bytes are not carried).
      line++;
      await takeLine(concat(carry, carryLength), line, () => {
        // The end line is all that is left: its carried bytes were never hashed.
      });
    }
    if (line === 0) throw new ImageFileError('the file is empty');
    if (!ended) throw new ImageFileError(`the file ends after line ${line} without an end record (truncated?)`, { line });
  } catch (e) {
    // Stop the input and the gunzip: a rejected file is not read any further.
    await reader.cancel().catch(() => undefined);
    if (options.signal?.aborted && !(e instanceof ImageFileError && e.reason === 'reading was cancelled')) {
      throw new ImageFileError('reading was cancelled');
    }
    throw e;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  progress();
  const c = checker as ImageChecker | null;
  return {
    header: header!,
    counts: { ...c!.counts },
    records: c!.records,
    lines: line,
    bytes,
    compressedBytes,
    sha256: digest,
    maxOid: c!.maxOid,
    maxTid: c!.maxTid,
  };
}

/** A hasher fed line by line, for writers that checksum what they emit. */
export function lineHasher() {
  const h = newSha256();
  return {
    add(line: Uint8Array) {
      h.update(line);
      h.update(NEWLINE);
    },
    hex: () => h.hex(),
  };
}

/**
 * Reads only the header (validated) and stops: what the IDE shows before an import, so the
 * user can confirm a name and see the counts. The rest of the file is not checked here.
 */
export async function readImageHeader(input: ReadableStream<Uint8Array>, options: ImageReadOptions = {}): Promise<ImageHeader> {
  const stop = new Error('header read');
  let found: ImageHeader | null = null;
  try {
    await readImageFile(
      input,
      {
        header(h) {
          found = h;
          throw stop;
        },
      },
      options,
    );
  } catch (e) {
    if (e !== stop) throw e;
  }
  if (!found) throw new ImageFileError('the file has no header');
  return found;
}

/** A file name for downloading an image: its name with characters file systems refuse replaced. */
export function imageFileName(imageName: string): string {
  const safe = imageName.replace(/[\u0000-\u001f<>:"/\\|?*\u007f]+/g, '_').replace(/^[.\s]+|[.\s]+$/g, '').slice(0, 120);
  return `${safe || 'image'}.telos`;
}
