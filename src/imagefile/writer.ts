// Streaming writer of `.telos` files: records in, gzip bytes out (native CompressionStream).
// Every record is checked as it is written, with the same schemas and cross-record rules
// the reader applies, and against every limit the reader has (line length, total size,
// record count, nesting depth, expansion ratio), so an export can never produce a file
// that import would refuse: a record past a limit errors the stream, naming the limit.
import { ImageFileError } from './errors';
import { gzipOnDemand } from './gunzip';
import { canonicalHeader, canonicalRecord, type ImageHeader, type ImageRecord } from './format';
import { DEFAULT_READ_LIMITS, newSha256, type ImageReadLimits } from './reader';
import { checkJsonShape, ImageChecker, parseHeader, parseRecord } from './validate';

export interface ImageWriteOptions {
  /** Check every record as the reader would (default true). */
  validate?: boolean;
  /** Called after each batch of lines with the records written so far. */
  progress?(records: number): void;
  /** The reader's limits the file must keep within (default: the reader's defaults). */
  limits?: Partial<ImageReadLimits>;
}

/** UTF-8 length of a string (lone surrogates count as the 3 bytes TextEncoder writes for them). */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: 2 UTF-16 units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

/** Checks one line against the reader's line limit; answers its length in bytes with its newline. */
function checkLine(text: string, limits: ImageReadLimits, where: { line: number; record?: string }): number {
  // Most lines are far below the limit even at 3 bytes a character: no need to count.
  const bytes = text.length * 3 <= limits.maxLineBytes ? text.length : utf8Length(text);
  if (bytes > limits.maxLineBytes) {
    throw new ImageFileError(
      `the record is ${bytes} bytes: line is longer than the reader's limit of ${limits.maxLineBytes} bytes, so the file could not be read back`,
      where,
    );
  }
  return bytes + 1;
}

/** Lines are encoded and hashed in batches of about this many characters. */
const BATCH_CHARS = 256 * 1024;

type Records = AsyncIterable<ImageRecord> | Iterable<ImageRecord>;

/**
 * The uncompressed NDJSON of an image: header, records in the order given, end record.
 * Errors (a record that fails its checks, counts that differ from the header's) error
 * the stream, so a consumer never mistakes a partial file for a whole one.
 */
export function writeImageNdjson(header: ImageHeader, records: Records, options: ImageWriteOptions = {}): ReadableStream<Uint8Array> {
  const validate = options.validate ?? true;
  const limits = { ...DEFAULT_READ_LIMITS, ...options.limits };
  const encoder = new TextEncoder();
  const hash = newSha256();
  const head = canonicalHeader(header);
  const checker = validate ? new ImageChecker(parseHeader(JSON.parse(JSON.stringify(head)))) : null;
  const source = (Symbol.asyncIterator in records ? records[Symbol.asyncIterator]() : (records as Iterable<ImageRecord>)[Symbol.iterator]()) as
    | AsyncIterator<ImageRecord>
    | Iterator<ImageRecord>;
  let pending: string[] = [JSON.stringify(head)];
  let pendingChars = pending[0]!.length;
  let totalBytes = checkLine(pending[0]!, limits, { line: 1, record: 'header' });
  let line = 1;
  let count = 0;
  let done = false;

  const flush = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    if (pending.length === 0) return;
    const bytes = encoder.encode(pending.join('\n') + '\n');
    hash.update(bytes);
    controller.enqueue(bytes);
    pending = [];
    pendingChars = 0;
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (done) return;
        while (pendingChars < BATCH_CHARS) {
          const next = await source.next();
          if (next.done) {
            flush(controller);
            const end = { type: 'end' as const, records: count, sha256: hash.hex() };
            checker?.finish(end, line + 1);
            controller.enqueue(encoder.encode(JSON.stringify(end) + '\n'));
            controller.close();
            done = true;
            options.progress?.(count);
            return;
          }
          line++;
          count++;
          if (count > limits.maxRecords) throw new ImageFileError(`more than the reader's limit of ${limits.maxRecords} records`, { line });
          const record = canonicalRecord(next.value);
          if (checker) {
            // The same checks a reader makes: shape, schema, then the cross-record rules.
            const shape = checkJsonShape(record, limits.maxDepth);
            if (shape) throw new ImageFileError(shape, { line, record: record.type });
            const parsed = parseRecord(record, line);
            if (parsed.type === 'end') throw new ImageFileError('an end record cannot be written as a record', { line });
            checker.check(parsed, line);
          }
          const text = JSON.stringify(record);
          totalBytes += checkLine(text, limits, { line, record: record.type });
          if (totalBytes > limits.maxTotalBytes) {
            throw new ImageFileError(`the file would be longer than the reader's limit of ${limits.maxTotalBytes} bytes`, { line, record: record.type });
          }
          pending.push(text);
          pendingChars += text.length;
        }
        flush(controller);
        options.progress?.(count);
      },
      async cancel() {
        await (source as AsyncIterator<ImageRecord>).return?.();
      },
    },
    { highWaterMark: 1 },
  );
}

/** The gzip-compressed `.telos` bytes of an image. */
export function writeImageFile(header: ImageHeader, records: Records, options: ImageWriteOptions = {}): ReadableStream<Uint8Array> {
  const limits = { ...DEFAULT_READ_LIMITS, ...options.limits };
  // The reader refuses a file that expands more than maxExpansion times past its grace
  // bytes, at any point of the file. The compressed bytes out so far never exceed those
  // a reader has taken in by the time it has the same uncompressed bytes, so checking
  // against them refuses every file the reader would (and, as gzip lags behind its
  // input by at most a block, little more).
  let plain = 0;
  let packed = 0;
  const ndjson = writeImageNdjson(header, records, options).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        plain += chunk.byteLength;
        if (plain > limits.expansionGraceBytes && plain > limits.maxExpansion * packed) {
          throw new ImageFileError(
            `the file would expand more than the reader's limit of ${limits.maxExpansion} times (${plain} bytes from at most ${packed} compressed)`,
          );
        }
        controller.enqueue(chunk);
      },
    }),
  );
  const gz = gzipOnDemand(ndjson).getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const r = await gz.read();
        if (r.done) controller.close();
        else {
          packed += r.value.byteLength;
          controller.enqueue(r.value);
        }
      },
      cancel: (reason) => gz.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
