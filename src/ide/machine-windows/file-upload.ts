// Uploading host files into the running TelOS's tree from a window: one upload at a time,
// its progress (bytes written of size, after each bridge frame) for a <progress>, and
// Cancel. The Files window uses it for its Upload button and for files dropped on it.
import { useCallback } from 'react';
import { machineLink } from './machine-link';
import { useFileTransfer } from './file-read';

/** Bigger host files are refused before they are read into memory. */
export const MAX_UPLOAD_BYTES = 64 << 20;

export function useFileUpload() {
  // A window closed mid-upload stops it (the partial file is removed).
  const { progress, run, cancel } = useFileTransfer();
  const upload = useCallback(
    async (file: File, path: string): Promise<void> => {
      if (file.size > MAX_UPLOAD_BYTES) throw new Error(`${file.name} is ${file.size} bytes, more than the ${MAX_UPLOAD_BYTES} an upload takes`);
      await run(`Uploading ${path}`, file.size, async (signal, onProgress) =>
        machineLink().writeFile(path, new Uint8Array(await file.arrayBuffer()), { signal, onProgress }),
      );
    },
    [run],
  );
  return { progress, upload, cancel };
}

/** Whether an upload ended because it was cancelled (by Cancel, or before it started). */
export function uploadCancelled(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === 'WriteCancelled' || name === 'AbortError';
}
