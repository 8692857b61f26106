// Files: the running TelOS's file tree (/disk on hdb, /tmp in RAM, /image, the PS's objects
// as text) as the bridge's read-only file-system session sees it. Directories open in
// place; a file's name opens it in a read-only viewer, and Download saves it to the host
// (with progress and Cancel). Off, there is no tree to read: the window says so.
import { useCallback, useEffect, useState } from 'react';
import { machineLink, useMachine } from './machine-link';
import { useViewState } from '../view-state';
import { download, readFailure, useFileRead } from './file-read';
import { formatSize } from './file-text';
import { openFile } from './open';
import { ReadProgress } from './ReadProgress';
import type { FileEntryView } from '../../workers';

const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);
const parentOf = (path: string) => path.replace(/\/[^/]+$/, '') || '/';

export function FilesWindow() {
  const running = useMachine((s) => s.status.state === 'running');
  const [path, setPath] = useState('/');
  const [entries, setEntries] = useState<FileEntryView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const { progress, read, cancel } = useFileRead();

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
      download(entry.name, await read(at, `Downloading ${at}`));
    } catch (e) {
      const f = readFailure(e);
      if (f.kind === 'cancelled') useViewState.getState().setStatus(`Downloading ${at}: cancelled`);
      else setError(`Downloading ${at} failed: ${f.kind === 'error' ? f.message : `it is ${formatSize(f.size)}`}`);
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
      <ReadProgress progress={progress} onCancel={cancel} />
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
                  {e.type === 'file' ? (
                    <button type="button" className="linklike" aria-label={`Open ${e.name}`} title={`Open ${join(path, e.name)} read-only`} onClick={() => openFile(join(path, e.name))}>
                      {e.name}
                    </button>
                  ) : (
                    <span>{e.name}</span>
                  )}{' '}
                  <span className="muted">{formatSize(e.size)}</span>{' '}
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
