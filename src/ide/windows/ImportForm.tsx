// The Images window's import form: the chosen `.telos` file's name and size, the name of the
// new image (a free one suggested, checked as it is typed), Import and Cancel, progress while
// it runs, and why it failed in words (nothing is created by a failed import).
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { worldLink } from '../world-link/use-world';
import { describeError, reportOutcome } from '../actions';
import { useViewState } from '../view-state';
import { formatBytes } from '../storage-state';
import { imageNameProblem, nameFromFile, uniqueImageName } from '../image-names';
import type { ErrorView, Outcome } from '../world-link/types';
import { whileBusy } from '../busy';

/** Why an import failed, for the person who chose the file. */
function importFailure(fileName: string, e: ErrorView): string {
  const taken = /There is already an image named “[^”]*”\. Choose another name\./.exec(e.message);
  if (taken) return `${taken[0]} Nothing was imported.`;
  const why =
    e.name === 'ImageFileError'
      ? `it is not a TelOS image this version can read (${e.message})`
      : e.name === 'ImageImportError'
        ? `the browser could not store it (${e.message.replace(/^the store failed while /, 'while ')})`
        : describeError(e);
  return `“${fileName}” could not be imported: ${why}. Nothing was imported.`;
}

export function ImportForm({ file, taken }: { file: File; taken: string[] | null }) {
  const [name, setName] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null | undefined>(undefined);
  const [failure, setFailure] = useState<string | null>(null);
  const problemId = useId();
  const input = useRef<HTMLInputElement>(null);
  // The suggestion waits for the list of images; a name already typed is kept. It arrives
  // selected, so typing replaces it.
  useEffect(() => {
    if (!taken || name !== null) return;
    setName(uniqueImageName(nameFromFile(file.name), taken));
    requestAnimationFrame(() => input.current?.select());
  }, [taken, name, file]);
  const busy = progress !== undefined;
  const value = name ?? '';
  const problem = taken && name !== null ? imageNameProblem(value, taken) : null;

  const cancel = () => useViewState.getState().setPendingImport(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || problem || name === null) return;
    setFailure(null);
    let outcome: Outcome;
    try {
      outcome = await whileBusy(
        (busy) => setProgress(busy ? null : undefined),
        () => worldLink().importImage(file, value.trim(), (f) => setProgress(f)),
      );
    } catch (err) {
      // The call itself failed (the World is not connected): the form stays, usable, with why.
      setFailure(`“${file.name}” could not be imported: ${err instanceof Error ? err.message : String(err)}. Nothing was imported.`);
      return;
    }
    const view = useViewState.getState();
    view.imageListChanged();
    if (reportOutcome(`Import ${file.name}`, outcome, true)) {
      if (view.pendingImport === file) view.setPendingImport(null);
    } else if (!outcome.ok) {
      setFailure(importFailure(file.name, outcome.error));
    }
  };

  return (
    <form
      className="import-form"
      aria-label={`Import ${file.name}`}
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !busy) cancel();
      }}
    >
      <p>
        Import <strong>{file.name}</strong> <span className="muted">({formatBytes(file.size)})</span> as a new image.
      </p>
      <label>
        Name of the new image{' '}
        <input
          ref={input}
          autoFocus
          value={value}
          disabled={busy}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? problemId : undefined}
          onFocus={(e) => e.target.select()}
          onChange={(e) => {
            setName(e.target.value);
            setFailure(null);
          }}
        />
      </label>
      {problem && (
        <p id={problemId} className="error-text">
          {problem}
        </p>
      )}
      <div className="import-actions">
        <button type="submit" disabled={busy || !!problem || name === null}>
          Import
        </button>
        <button type="button" disabled={busy} onClick={cancel}>
          Cancel
        </button>
        {busy && (
          <>
            <progress aria-label="Import progress" max={1} value={progress ?? undefined} />
            <span className="muted">Importing… {progress != null ? `${Math.round(progress * 100)}%` : ''}</span>
          </>
        )}
      </div>
      {failure && (
        <p role="alert" className="error-text">
          {failure}
        </p>
      )}
    </form>
  );
}
