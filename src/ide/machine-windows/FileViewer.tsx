// A read-only view of one file of the running TelOS, titled with its path: its text, or a
// hex dump of its first bytes when it is binary, or (above VIEW_LIMIT) a note and Download.
// It reads again on Reload and when the machine starts; off, it says so.
import { useCallback, useEffect, useState } from 'react';
import { useMachine } from './machine-link';
import { download, readFailure, useFileRead } from './file-read';
import { VIEW_LIMIT, fileContent, formatSize, type FileContent } from './file-text';
import { ReadProgress } from './ReadProgress';

type Shown =
  | { kind: 'content'; content: FileContent; size: number }
  | { kind: 'too-large'; size: number }
  | { kind: 'cancelled' }
  | { kind: 'error'; message: string };

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1) || 'file';

export function FileViewer({ path }: { path: string }) {
  const running = useMachine((s) => s.status.state === 'running');
  const [shown, setShown] = useState<Shown | null>(null);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const { progress, read, cancel } = useFileRead();

  const load = useCallback(async () => {
    setShown(null);
    try {
      const bytes = await read(path, `Reading ${path}`, VIEW_LIMIT);
      setShown({ kind: 'content', content: fileContent(bytes), size: bytes.length });
    } catch (e) {
      const f = readFailure(e);
      setShown(f.kind === 'too-large' ? f : f.kind === 'cancelled' ? f : { kind: 'error', message: `Reading ${path} failed: ${f.message}` });
    }
  }, [path, read]);

  const save = async () => {
    setDownloadError(null);
    try {
      download(baseName(path), await read(path, `Downloading ${path}`));
    } catch (e) {
      const f = readFailure(e);
      if (f.kind !== 'cancelled') setDownloadError(`Downloading ${path} failed: ${f.kind === 'error' ? f.message : `it is ${formatSize(f.size)}`}`);
    }
  };

  useEffect(() => {
    if (running) void load();
    else setShown(null);
  }, [running, load]);

  if (!running) {
    return (
      <div className="file-viewer">
        <p className="muted">Boot the machine to read {path}: its files are read from the running TelOS.</p>
      </div>
    );
  }
  const busy = progress !== null;
  return (
    <div className="file-viewer">
      <div className="toolbar" role="toolbar" aria-label={`File ${path}`}>
        <button type="button" disabled={busy} onClick={() => void load()}>
          Reload
        </button>
        <button type="button" disabled={busy} onClick={() => void save()}>
          Download
        </button>
        <span className="muted file-facts" aria-live="polite">
          {shown === null
            ? busy
              ? `Reading ${path}…`
              : ''
            : shown.kind === 'content'
              ? `${formatSize(shown.size)}${shown.content.kind === 'binary' ? ', binary' : ''}, read-only`
              : ''}
        </span>
      </div>
      <ReadProgress progress={progress} onCancel={cancel} />
      {downloadError && (
        <p className="error-text" role="alert">
          {downloadError}
        </p>
      )}
      {shown?.kind === 'error' && (
        <p className="error-text" role="alert">
          {shown.message}
        </p>
      )}
      {shown?.kind === 'cancelled' && <p className="muted">Reading {path} was cancelled. Reload reads it again.</p>}
      {shown?.kind === 'too-large' && (
        <p className="muted" role="note">
          {path} is {formatSize(shown.size)}, more than the {formatSize(VIEW_LIMIT)} the viewer shows: Download saves it to the host.
        </p>
      )}
      {shown?.kind === 'content' && shown.content.kind === 'text' && (
        <pre className="file-text" tabIndex={0} role="region" aria-label={`Text of ${path}`}>
          {shown.content.text}
        </pre>
      )}
      {shown?.kind === 'content' && shown.content.kind === 'binary' && (
        <>
          <p className="muted" role="note">
            Binary file ({shown.content.reason}): the first {shown.content.shown} of its {shown.size} bytes in hex. Download saves all of it.
          </p>
          <pre className="file-text" tabIndex={0} role="region" aria-label={`Hex dump of ${path}`}>
            {shown.content.hex}
          </pre>
        </>
      )}
    </div>
  );
}
