// Files: the running TelOS's file tree (/disk on hdb, /tmp in RAM, /image, the PS's objects
// as text) as the bridge's read-only file-system session sees it. Directories open in
// place; a file is downloaded to the host. Off, there is no tree to read: the window says so.
import { useCallback, useEffect, useState } from 'react';
import { machineLink, useMachine } from './machine-link';
import type { FileEntryView } from '../../workers';

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1 << 20) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}

const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);
const parentOf = (path: string) => path.replace(/\/[^/]+$/, '') || '/';

/** Hands `bytes` to the browser as a download named `name`. */
function download(name: string, bytes: Uint8Array): void {
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

export function FilesWindow() {
  const running = useMachine((s) => s.status.state === 'running');
  const [path, setPath] = useState('/');
  const [entries, setEntries] = useState<FileEntryView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const list = useCallback(async (at: string) => {
    setBusy(`Listing ${at}`);
    setError(null);
    try {
      setEntries(await machineLink().listFiles(at));
      setPath(at);
    } catch (e) {
      setError(`Listing ${at} failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy(null);
    }
  }, []);

  useEffect(() => {
    if (running) void list(path);
    else setEntries(null);
    // Only when the machine starts or stops: moving around lists by itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [running]);

  const fetchFile = async (entry: FileEntryView) => {
    const at = join(path, entry.name);
    setBusy(`Downloading ${at}`);
    setError(null);
    try {
      download(entry.name, await machineLink().readFile(at));
    } catch (e) {
      setError(`Downloading ${at} failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy(null);
    }
  };

  if (!running) {
    return (
      <div className="files-window">
        <p className="muted">Boot the machine to see its files: /disk (the file disk), /tmp and /image.</p>
      </div>
    );
  }
  return (
    <div className="files-window">
      <div className="toolbar" role="toolbar" aria-label="Files">
        <button type="button" disabled={path === '/' || busy !== null} onClick={() => void list(parentOf(path))}>
          Up
        </button>
        <button type="button" disabled={busy !== null} onClick={() => void list(path)}>
          Refresh
        </button>
        <output aria-label="Folder" className="files-path">
          {path}
        </output>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <p className="muted" aria-live="polite">
        {busy ? `${busy}…` : entries ? `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}` : ''}
      </p>
      {entries && (
        <ul className="files-list" aria-label={`Files in ${path}`}>
          {entries.map((e) => (
            <li key={e.name} aria-label={e.name}>
              {e.type === 'directory' ? (
                <button type="button" className="linklike" disabled={busy !== null} onClick={() => void list(join(path, e.name))}>
                  {e.name}/
                </button>
              ) : (
                <>
                  <span>{e.name}</span> <span className="muted">{formatSize(e.size)}</span>{' '}
                  {e.type === 'file' && (
                    <button type="button" disabled={busy !== null} aria-label={`Download ${e.name}`} onClick={() => void fetchFile(e)}>
                      Download
                    </button>
                  )}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
