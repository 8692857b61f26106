// Images: every image in this browser — new from genesis, open, rename, delete (after a
// confirmation), and Export/Import of `.telos` files (import names the new image in ImportForm).
import { useRef, useState, type FormEvent } from 'react';
import { useWorldQuery } from '../world-link/use-world';
import { deleteImage, exportImageFile, importImageFile, newImage, openImage, renameImage } from '../actions';
import { useViewState } from '../view-state';
import { ImportForm } from './ImportForm';

export function ImagesWindow() {
  const listVersion = useViewState((s) => s.imageListVersion);
  const { data, error } = useWorldQuery((l) => l.listImages(), [listVersion]);
  const [newName, setNewName] = useState('');
  const [renaming, setRenaming] = useState<{ from: string; to: string } | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const current = useViewState((s) => s.imageName);
  const pendingImport = useViewState((s) => s.pendingImport);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (await newImage(newName.trim())) setNewName('');
  };

  if (error && !data) return <p className="error-text">Cannot list images: {error}</p>;
  return (
    <div className="images">
      <form className="toolbar" onSubmit={create} aria-label="New image">
        <input aria-label="New image name" placeholder="name" required value={newName} onChange={(e) => setNewName(e.target.value)} />
        <button type="submit">New image</button>
        <button type="button" onClick={() => fileInput.current?.click()}>
          Import
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".telos"
          hidden
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) importImageFile(f);
            e.target.value = '';
          }}
        />
      </form>
      {pendingImport && <ImportForm key={`${pendingImport.name}:${pendingImport.size}:${pendingImport.lastModified}`} file={pendingImport} taken={data ? data.map((i) => i.name) : null} />}
      <ul className="image-list" aria-label="Images">
        {(data ?? []).map((img) => (
          <li key={img.name} aria-label={img.name} className={img.name === current ? 'current' : ''}>
            {renaming?.from === img.name ? (
              <form
                onSubmit={async (e) => {
                  e.preventDefault();
                  if (await renameImage(img.name, renaming.to.trim())) setRenaming(null);
                }}
              >
                <input aria-label={`New name for image ${img.name}`} autoFocus value={renaming.to} onChange={(e) => setRenaming({ from: img.name, to: e.target.value })} />
                <button type="submit">Save</button>
                <button type="button" onClick={() => setRenaming(null)}>
                  Cancel
                </button>
              </form>
            ) : (
              <>
                <span className="image-name">{img.name}</span>
                {img.name === current && <span className="muted"> (open)</span>}
                <span className="spacer" />
                <button type="button" disabled={img.name === current} onClick={() => void openImage(img.name)}>
                  Open image
                </button>
                <button type="button" onClick={() => setRenaming({ from: img.name, to: img.name })}>
                  Rename
                </button>
                <button type="button" onClick={() => void exportImageFile(img.name)}>
                  Export
                </button>
                <button type="button" disabled={img.name === current} onClick={() => setDeleting(img.name)}>
                  Delete
                </button>
              </>
            )}
            {deleting === img.name && (
              <div role="alertdialog" aria-label={`Delete image ${img.name}?`} className="confirm">
                Delete image “{img.name}” and all its history? This cannot be undone.
                <button
                  type="button"
                  onClick={async () => {
                    await deleteImage(img.name);
                    setDeleting(null);
                    useViewState.getState().imageListChanged();
                  }}
                >
                  Delete permanently
                </button>
                <button type="button" autoFocus onClick={() => setDeleting(null)}>
                  Cancel
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
