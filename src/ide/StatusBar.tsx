// The status bar: which image is open and what happened last.
import { useViewState } from './viewState';

export function StatusBar() {
  const imageName = useViewState((s) => s.imageName);
  const statusMessage = useViewState((s) => s.statusMessage);
  return (
    <footer className="status-bar" role="status" aria-label="Status bar">
      <span className="status-image">Image: {imageName}</span>
      <span className="status-message">{statusMessage}</span>
    </footer>
  );
}
