// A file read under way: a <progress> named for what it reads (bytes read of size), and
// Cancel. Shown once the first frame says more frames are coming: a one-frame file is read
// at once and shows none.
import type { FileRead } from './file-read';
import { formatSize } from './file-text';

export function ReadProgress({ progress, onCancel }: { progress: FileRead | null; onCancel: () => void }) {
  if (!progress || progress.size === null || progress.read >= progress.size) return null;
  const { label, read, size } = progress;
  const said = `${formatSize(read)} of ${formatSize(size)}`;
  return (
    <div className="file-progress">
      <progress aria-label={label} max={size} value={read} aria-valuetext={said} />{' '}
      <span className="muted">
        {label}: {said}
      </span>{' '}
      <button type="button" onClick={onCancel} aria-label={`Cancel ${label.toLowerCase()}`}>
        Cancel
      </button>
    </div>
  );
}
