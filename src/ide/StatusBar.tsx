// The status bar: which image is open, its last commit, storage used, and what happened last.
import { useViewState } from './viewState';
import { useWorldLinkState } from './world/useWorld';

export function StatusBar() {
  const imageName = useViewState((s) => s.imageName);
  const statusMessage = useViewState((s) => s.statusMessage);
  const lastCommit = useViewState((s) => s.lastCommit);
  const storageUsed = useViewState((s) => s.storageUsed);
  const world = useWorldLinkState((s) => s.status);
  const failure = useWorldLinkState((s) => s.failure);
  return (
    <footer className="status-bar" role="status" aria-label="Status bar">
      <span className="status-image">Image: {imageName}</span>
      <span
        className="status-world"
        data-world={world}
        data-world-missing={failure?.includes('not available') ? 'true' : undefined}
        title={failure ?? undefined}
      >
        World: {world}
      </span>
      <span className="status-commit">Last commit: {lastCommit}</span>
      <span className="status-storage">Storage: {storageUsed}</span>
      <span className="status-message">{statusMessage}</span>
    </footer>
  );
}
