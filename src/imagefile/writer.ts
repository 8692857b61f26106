// Streaming writer of `.telos` files: records in, gzip bytes out (native CompressionStream).
// Every record is checked as it is written, with the same schemas and cross-record rules
// the reader applies, so an export can never produce a file that import would refuse.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ImageFileError } from './errors';
import { gzipOnDemand } from './gunzip';
import { canonicalHeader, canonicalRecord, type ImageHeader, type ImageRecord } from './format';
import { DEFAULT_READ_LIMITS } from './reader';
import { checkJsonShape, ImageChecker, parseHeader, parseRecord } from './validate';

export interface ImageWriteOptions {
  /** Check every record as the reader would (default true). */
  validate?: boolean;
  /** Called after each batch of lines with the records written so far. */
  progress?(records: number): void;
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
  const encoder = new TextEncoder();
  const hash = sha256.create();
  const head = canonicalHeader(header);
  const checker = validate ? new ImageChecker(parseHeader(JSON.parse(JSON.stringify(head)))) : null;
  const source = (Symbol.asyncIterator in records ? records[Symbol.asyncIterator]() : (records as Iterable<ImageRecord>)[Symbol.iterator]()) as
    | AsyncIterator<ImageRecord>
    | Iterator<ImageRecord>;
  let pending: string[] = [JSON.stringify(head)];
  let pendingChars = pending[0]!.length;
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
            const end = { type: 'end' as const, records: count, sha256: bytesToHex(hash.digest()) };
            checker?.finish(end, line + 1);
            controller.enqueue(encoder.encode(JSON.stringify(end) + '\n'));
            controller.close();
            done = true;
            options.progress?.(count);
            return;
          }
          line++;
          count++;
          const record = canonicalRecord(next.value);
          if (checker) {
            // The same checks a reader makes: shape, schema, then the cross-record rules.
            const shape = checkJsonShape(record, DEFAULT_READ_LIMITS.maxDepth);
            if (shape) throw new ImageFileError(shape, { line, record: record.type });
            const parsed = parseRecord(record, line);
            if (parsed.type === 'end') throw new ImageFileError('an end record cannot be written as a record', { line });
            checker.check(parsed, line);
          }
          const text = JSON.stringify(record);
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
  return gzipOnDemand(writeImageNdjson(header, records, options));
}
