// The image the page's address names does not exist in this browser. Nothing was created:
// the window says so, lists the images there are, and makes the named one only when asked.
import { useWorldQuery } from '../world-link/use-world';
import { newImage, openImage, openSingleton } from '../actions';
import { useViewState } from '../view-state';

export interface MissingImageReport {
  /** The name the address asked for. */
  name: string;
}

export function MissingImageWindow({ data }: { data: unknown }) {
  const { name } = data as MissingImageReport;
  const listVersion = useViewState((s) => s.imageListVersion);
  const { data: images, error } = useWorldQuery((l) => l.listImages(), [listVersion]);
  return (
    <div className="missing-image">
      <p role="alert">
        <strong>There is no image named “{name}” in this browser.</strong> Nothing was created. Until you open or create
        an image, a genesis World runs in memory and nothing is saved. Images live in the browser they were made in; to
        bring one from elsewhere, export it there and import the <span className="mono">.telos</span> file here.
      </p>
      {error && !images ? (
        <p className="error-text">Cannot list images: {error}</p>
      ) : (
        <ul className="image-list" aria-label="Images in this browser">
          {(images ?? []).map((img) => (
            <li key={img.name} aria-label={img.name}>
              <span className="image-name">{img.name}</span>
              <span className="spacer" />
              <button type="button" onClick={() => void openImage(img.name)}>
                Open image
              </button>
            </li>
          ))}
          {images?.length === 0 && <li className="muted">This browser has no images yet.</li>}
        </ul>
      )}
      <div className="toolbar">
        <button type="button" onClick={() => void newImage(name)}>
          Create image “{name}”
        </button>
        <button type="button" onClick={() => openSingleton('images')}>
          Images
        </button>
      </div>
    </div>
  );
}
