// Reading a file of the running TelOS from a window: one read at a time, its progress (bytes
// read of size, after each bridge frame) for a <progress>, and Cancel. Shared by the Files
// window (Download) and the file viewer.
import { useCallback, useEffect, useRef, useState } from 'react';
import { machineLink } from './machine-link';

export interface FileRead {
  /** What is being read ("Downloading /disk/note"), while it is. */
  label: string;
  read: number;
  /** Unknown (null) until the first frame arrives. */
  size: number | null;
}

/** Why a read failed, for a person; `cancelled` and `tooLarge` (with the size) apart. */
export type ReadFailure = { kind: 'cancelled' } | { kind: 'too-large'; size: number } | { kind: 'error'; message: string };

export function readFailure(e: unknown): ReadFailure {
  const err = e as { name?: string; size?: unknown; message?: string } | null;
  if (err?.name === 'ReadCancelled' || err?.name === 'AbortError') return { kind: 'cancelled' };
  if (err?.name === 'FileTooLarge' && typeof err.size === 'number') return { kind: 'too-large', size: err.size };
  return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
}

/** The part of a read or write that a transfer hook drives: it reports progress and stops on `signal`. */
export type TransferWork<T> = (signal: AbortSignal, onProgress: (done: number, size: number | null) => void) => Promise<T>;

/** One transfer at a time from a window: a new one cancels the last, closing the window cancels
 * it, and `progress` follows it frame by frame. Reads and uploads both run through it. */
export function useFileTransfer() {
  const [progress, setProgress] = useState<FileRead | null>(null);
  const abort = useRef<AbortController | null>(null);
  // A window closed mid-transfer stops it.
  useEffect(() => () => abort.current?.abort(), []);

  const run = useCallback(async <T>(label: string, size: number | null, work: TransferWork<T>): Promise<T> => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setProgress({ label, read: 0, size });
    try {
      return await work(controller.signal, (read, size) => {
        if (!controller.signal.aborted) setProgress({ label, read, size });
      });
    } finally {
      if (abort.current === controller) {
        abort.current = null;
        setProgress(null);
      }
    }
  }, []);

  const cancel = useCallback(() => abort.current?.abort(), []);
  return { progress, run, cancel };
}

export function useFileRead() {
  const { progress, run, cancel } = useFileTransfer();
  const read = useCallback(
    (path: string, label: string, maxBytes?: number): Promise<Uint8Array> =>
      run(label, null, (signal, onProgress) =>
        machineLink().readFile(path, { signal, onProgress, ...(maxBytes === undefined ? {} : { maxBytes }) }),
      ),
    [run],
  );
  return { progress, read, cancel };
}

/** Hands `bytes` to the browser as a download named `name`. */
export function download(name: string, bytes: Uint8Array): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken the bytes once the click returned.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
