// Gzip and gunzip on demand. Bytes go into the native CompressionStream or
// DecompressionStream one small piece at a time, and only while the reader is waiting for
// output: the (de)compressor runs at most one piece ahead of its reader. Piping straight
// through lets it run far ahead of a slow reader: in Node, gunzip inflated a whole 200 MiB
// gzip bomb into memory before the reader had looked at its first megabyte, and gzip
// pulled an entire 267 MB export into its queue while the consumer was still verifying.

/** Input bytes per write: a gunzip piece inflates to at most about 1,000 times its size. */
const PIECE = 16 * 1024;

/** The input stream itself failed (a file that cannot be read): not a problem of the file's contents. */
export class ImageInputError extends Error {
  override readonly name = 'ImageInputError';
  constructor(readonly original: unknown) {
    super((original as Error)?.message ?? String(original), { cause: original });
  }
}

export interface GunzipReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(): Promise<void>;
}

export function gunzipOnDemand(input: ReadableStream<Uint8Array>, onCompressed: (bytes: number) => void): GunzipReader {
  return throughOnDemand(input, new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>, onCompressed);
}

/** The gzip of `input`, compressed only as fast as the returned stream is read. */
export function gzipOnDemand(input: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const through = throughOnDemand(input, new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>, () => {});
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await through.read();
        } catch (e) {
          // The input's own error (a record the writer refused) is the one to report.
          throw e instanceof ImageInputError ? e.original : e;
        }
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      cancel: () => through.cancel(),
    },
    { highWaterMark: 0 },
  );
}

/** Reads `transform`'s output, feeding it `input` piece by piece only while a read waits. */
export function throughOnDemand(
  input: ReadableStream<Uint8Array>,
  transform: TransformStream<Uint8Array, Uint8Array>,
  onInput: (bytes: number) => void,
): GunzipReader {
  const writer = transform.writable.getWriter();
  const output = transform.readable.getReader();
  const source = input.getReader();
  let current: Uint8Array = new Uint8Array(0);
  let at = 0;
  let inputDone = false;
  let feeding: Promise<void> | null = null;
  let feedError: unknown = null;

  /** Writes the next piece of input (or closes the decompressor at the end of input). */
  async function feedOne(): Promise<void> {
    if (at >= current.length) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await source.read();
      } catch (e) {
        throw new ImageInputError(e);
      }
      if (next.done) {
        inputDone = true;
        await writer.close();
        return;
      }
      current = next.value;
      at = 0;
      if (current.length === 0) return;
    }
    const piece = current.subarray(at, at + PIECE);
    at += piece.length;
    onInput(piece.length);
    await writer.write(piece);
  }

  return {
    async read() {
      const result = output.read();
      let settled = false;
      const settledSignal = result.then(
        () => void (settled = true),
        () => void (settled = true),
      );
      while (!settled && feedError === null) {
        if (feeding === null && !inputDone) {
          feeding = feedOne().then(
            () => void (feeding = null),
            (e) => void (feedError = e ?? new Error('input failed')),
          );
        }
        if (feeding === null) break; // all input written and closed: the result will settle
        await Promise.race([feeding, settledSignal]);
      }
      if (!settled && feedError instanceof ImageInputError) throw feedError;
      if (!settled && feedError !== null) {
        // The decompressor's own error (corrupt data) is the clearer one when it has one.
        const r = await Promise.race([result, new Promise<null>((ok) => setTimeout(() => ok(null), 0))]).catch((e) => {
          throw e;
        });
        if (r) return r;
        throw feedError;
      }
      return result;
    },
    async cancel() {
      // Node's DecompressionStream delivers output its zlib had already buffered on the next
      // tick, even after the stream is cancelled, and then throws from inside Node
      // ("Controller is already closed", an uncaught exception that ends the process): a
      // rejected file with data still in the decompressor crashed `telos image import`.
      // Let every delivery already scheduled happen first; nothing reads it.
      await new Promise((done) => setTimeout(done, 0));
      await Promise.allSettled([source.cancel(), writer.abort(), output.cancel()]);
    },
  };
}
