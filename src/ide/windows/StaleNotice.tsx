// "Changed in another tab": shown where an edit was made when another tab committed a newer
// version of the same object, so the edit was refused (or would be). Nothing is written until
// the user chooses: keep mine (re-apply it over the version now current), take theirs (drop
// the edit and show what the other tab wrote), or, for methods, compare both side by side.
import type { ReactNode } from 'react';

export function StaleNotice({
  children,
  busy = false,
  onKeep,
  onTake,
  comparing,
  onCompare,
}: {
  /** What changed, theirs and mine, in words. */
  children: ReactNode;
  busy?: boolean;
  onKeep: () => void;
  onTake: () => void;
  /** Whether the comparison is showing (methods only). */
  comparing?: boolean;
  onCompare?: () => void;
}) {
  return (
    <div className="stale-notice" role="alert" aria-label="Changed in another tab">
      <strong>Changed in another tab.</strong> <span className="stale-detail">{children}</span>
      <span className="stale-choices">
        <button type="button" disabled={busy} onClick={onKeep} title="Apply your edit over the version now current">
          Keep mine
        </button>
        <button type="button" disabled={busy} onClick={onTake} title="Drop your edit and show the other tab's version">
          Take theirs
        </button>
        {onCompare && (
          <button type="button" aria-pressed={!!comparing} disabled={busy} onClick={onCompare}>
            Compare
          </button>
        )}
      </span>
    </div>
  );
}
