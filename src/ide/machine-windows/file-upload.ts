// Uploading host files into the running TelOS's tree from a window: one upload at a time,
// its progress (bytes written of size, after each bridge frame) for a <progress>, and
// Cancel. The Files window uses it for its Upload button and for files dropped on it.
import { useCallback, useEffect, useRef, useState } from 'react';
import { machineLink } from './machine-link';
import type { FileRead } from './file-read';

/** Bigger host files are refused before they are read into memory. */
export const MAX_UPLOAD_BYTES = 64 << 20;

export function useFileUpload() {
  const [progress, setProgress] = useState<FileRead | null>(null);
  const abort = useRef<AbortController | null>(null);
  // A window closed mid-upload stops it (the partial file is removed).
  useEffect(() => () => abort.current?.abort(), []);

  const upload = useCallback(async (file: File, path: string): Promise<void> => {
    if (file.size > MAX_UPLOAD_BYTES) throw new Error(`${file.name} is ${file.size} bytes, more than the ${MAX_UPLOAD_BYTES} an upload takes`);
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    const label = `Uploading ${path}`;
    setProgress({ label, read: 0, size: file.size });
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      await machineLink().writeFile(path, bytes, {
        signal: controller.signal,
        onProgress: (written, size) => {
          if (!controller.signal.aborted) setProgress({ label, read: written, size });
        },
      });
    } finally {
      if (abort.current === controller) {
        abort.current = null;
        setProgress(null);
      }
    }
  }, []);

  const cancel = useCallback(() => abort.current?.abort(), []);
  return { progress, upload, cancel };
}

/** Whether an upload ended because it was cancelled (by Cancel, or before it started). */
export function uploadCancelled(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === 'WriteCancelled' || name === 'AbortError';
}
