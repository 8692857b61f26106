// Files: the running TelOS's file tree (/disk on hdb, /tmp in RAM, /image, the PS's objects
// as text) as the bridge's file-system session sees it. Directories open in place; a file's
// name opens it in a read-only viewer, and Download saves it to the host (with progress and
// Cancel). Upload (a file picker) and files dropped on the window write host files into the
// folder shown, with progress and Cancel; the bridge writes under /tmp and /disk only, and
// its refusal elsewhere is shown as the error. New folder asks a name in the window and
// makes it in the folder shown; Delete (asked first) removes a file or an empty folder, and
// a refusal (a folder not empty, anything under /image) is shown as the error. Opened while
// TelOS still boots, the window says so and lists the tree by itself once the bridge
// serves. Off, there is no tree to read: the window says so.
import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import { machineLink, useMachine } from './machine-link';
import { useViewState } from '../view-state';
import { download, readFailure, useFileRead } from './file-read';
import { formatSize } from './file-text';
import { openFile } from './open';
import { ReadProgress } from './ReadProgress';
import { uploadCancelled, useFileUpload } from './file-upload';
import type { FileEntryView } from '../../workers';

const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);
const parentOf = (path: string) => path.replace(/\/[^/]+$/, '') || '/';

export function FilesWindow() {
  const on = useMachine((s) => s.status.state === 'running' || s.status.state === 'booting');
  // TelOS runs a while before its bridge serves: the tree is listed once it does.
  const ready = useMachine((s) => s.status.state === 'running' && s.status.bridgeReady === true);
  const [path, setPath] = useState('/');
  const [entries, setEntries] = useState<FileEntryView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const { progress, read, cancel } = useFileRead();
  const uploads = useFileUpload();
  const picker = useRef<HTMLInputElement>(null);
  const [dropping, setDropping] = useState(false);
  /** The name typed for a new folder, while New folder asks it (null: not asking). */
  const [folderName, setFolderName] = useState<string | null>(null);

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
    if (ready) void list(path);
    else {
      setEntries(null);
      setError(null);
    }
    // Only when the bridge starts or stops serving: moving around lists by itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready]);

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

  /** Uploads host files into the folder shown, one after the other; the first failure ends
   * the run and is shown once the listing is fresh. */
  const uploadFiles = async (files: File[]) => {
    const dir = path;
    let failure: string | null = null;
    setError(null);
    for (const file of files) {
      const at = join(dir, file.name);
      const existing = entries?.find((e) => e.name === file.name);
      if (existing && !window.confirm(`Replace ${at} (${formatSize(existing.size)}) with the ${formatSize(file.size)} file from this computer?`)) continue;
      setBusy(`Uploading ${at}`);
      try {
        await uploads.upload(file, at);
        useViewState.getState().setStatus(`Uploaded ${at} (${formatSize(file.size)})`);
      } catch (e) {
        if (uploadCancelled(e)) useViewState.getState().setStatus(`Uploading ${at}: cancelled, nothing kept`);
        else failure = `Uploading ${at} failed: ${e instanceof Error ? e.message : String(e)}`;
        break;
      } finally {
        setBusy(null);
      }
    }
    await list(dir);
    if (failure) setError(failure);
  };

  /** Runs a change of the tree (a new folder, a deletion), then lists the folder again and
   * shows a refusal once the listing is fresh. */
  const change = async (label: string, done: string, run: () => Promise<void>) => {
    const dir = path;
    let failure: string | null = null;
    setBusy(label);
    setError(null);
    try {
      await run();
      useViewState.getState().setStatus(done);
    } catch (e) {
      failure = `${label} failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      setBusy(null);
    }
    await list(dir);
    if (failure) setError(failure);
  };

  const makeFolder = async () => {
    const name = (folderName ?? '').trim();
    if (!name) {
      setError('A new folder needs a name');
      return;
    }
    if (name.includes('/') || name === '.' || name === '..') {
      setError(`A folder name cannot contain / or be . or ..: ${name}`);
      return;
    }
    setFolderName(null);
    const at = join(path, name);
    await change(`Making the folder ${at}`, `Made the folder ${at}`, () => machineLink().makeDirectory(at));
  };

  const deleteEntry = async (entry: FileEntryView) => {
    const at = join(path, entry.name);
    const what = entry.type === 'directory' ? `the folder ${at}` : `${at} (${formatSize(entry.size)})`;
    if (!window.confirm(`Delete ${what}? It cannot be brought back.`)) return;
    await change(`Deleting ${at}`, `Deleted ${at}`, () => machineLink().removeFile(at));
  };

  const hasFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files');
  const onDragOver = (e: DragEvent) => {
    if (!hasFiles(e) || busy !== null) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setDropping(true);
  };
  const onDrop = (e: DragEvent) => {
    setDropping(false);
    if (!hasFiles(e) || busy !== null) return;
    e.preventDefault();
    void uploadFiles([...e.dataTransfer.files]);
  };

  if (!on) {
    return (
      <div className="files-window">
        <p className="muted">Boot the machine to see its files: /disk (the file disk), /tmp and /image.</p>
      </div>
    );
  }
  if (!ready) {
    return (
      <div className="files-window">
        <p className="muted" role="status">
          TelOS is still booting: its files are listed as soon as its bridge serves.
        </p>
      </div>
    );
  }
  return (
    <div
      className={dropping ? 'files-window dropping' : 'files-window'}
      onDragOver={onDragOver}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false);
      }}
      onDrop={onDrop}
    >
      <div className="toolbar" role="toolbar" aria-label="Files">
        <button type="button" disabled={path === '/' || busy !== null} onClick={() => void list(parentOf(path))}>
          Up
        </button>
        <button type="button" disabled={busy !== null} onClick={() => void list(path)}>
          Refresh
        </button>
        <button type="button" disabled={busy !== null} title={`Upload files from this computer into ${path} (or drop them on this window)`} onClick={() => picker.current?.click()}>
          Upload…
        </button>
        <button
          type="button"
          disabled={busy !== null || folderName !== null}
          title={`Make a new folder in ${path}`}
          onClick={() => {
            setError(null);
            setFolderName('');
          }}
        >
          New folder
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          aria-label={`Files to upload into ${path}`}
          onChange={(e) => {
            const files = [...(e.currentTarget.files ?? [])];
            // The same file picked again must fire change again.
            e.currentTarget.value = '';
            if (files.length) void uploadFiles(files);
          }}
        />
        <output aria-label="Folder" className="files-path">
          {path}
        </output>
      </div>
      {folderName !== null && (
        <form
          className="files-new-folder"
          aria-label={`New folder in ${path}`}
          onSubmit={(e) => {
            e.preventDefault();
            void makeFolder();
          }}
        >
          <input
            type="text"
            aria-label="Name of the new folder"
            autoFocus
            value={folderName}
            onChange={(e) => setFolderName(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setFolderName(null);
            }}
          />{' '}
          <button type="submit" disabled={busy !== null}>
            Create
          </button>{' '}
          <button type="button" onClick={() => setFolderName(null)}>
            Cancel
          </button>
        </form>
      )}
      <ReadProgress progress={progress} onCancel={cancel} />
      <ReadProgress progress={uploads.progress} onCancel={uploads.cancel} />
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <p className="muted" aria-live="polite">
        {busy ? `${busy}…` : entries ? `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}` : ''}
      </p>
      {dropping && <p className="files-drop-hint">Drop to upload into {path}</p>}
      {entries && (
        <ul className="files-list" aria-label={`Files in ${path}`}>
          {entries.map((e) => (
            <li key={e.name} aria-label={e.name}>
              {e.type === 'directory' ? (
                <>
                  <button type="button" className="linklike" disabled={busy !== null} onClick={() => void list(join(path, e.name))}>
                    {e.name}/
                  </button>
                  {/* The folders of "/" are the mounts: they are not deleted. */}
                  {path !== '/' && (
                    <>
                      {' '}
                      <button type="button" disabled={busy !== null} aria-label={`Delete ${e.name}`} title={`Delete the folder ${join(path, e.name)} (only an empty folder)`} onClick={() => void deleteEntry(e)}>
                        Delete
                      </button>
                    </>
                  )}
                </>
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
                  )}{' '}
                  <button type="button" disabled={busy !== null} aria-label={`Delete ${e.name}`} title={`Delete ${join(path, e.name)}`} onClick={() => void deleteEntry(e)}>
                    Delete
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
