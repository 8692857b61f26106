// The status bar: which image is open, its last commit, the storage the browser keeps for
// it, whether the app works offline (and a new version waiting), the notifications button and
// what happened last.
import { useViewState } from './view-state';
import { useWorldLinkState } from './world-link/use-world';
import { formatBytes, useStorageState } from './storage-state';
import { useAppUpdates } from './app-updates';
import { exportImageFile } from './actions';
import { NotificationsButton, NotificationsPanel } from './NotificationsPanel';
import { useState } from 'react';

const PERSISTENCE_LABEL = {
  persistent: 'kept',
  'not-asked': 'not yet asked to keep',
  asking: 'asking the browser to keep it…',
  'best-effort': 'may be evicted',
  unsupported: 'no storage manager',
} as const;

const EVICTION_EXPLAINED =
  'The browser refused persistent storage for TelOS Studio. Your images live in its IndexedDB, which it may clear without asking when the disk runs short of space. Export a copy to keep one safe.';

function StorageIndicator() {
  const { persistence, usage, quota } = useStorageState();
  const imageName = useViewState((s) => s.imageName);
  const used = usage === null ? '—' : formatBytes(usage);
  const share = usage !== null && quota ? ` of ${formatBytes(quota)}` : '';
  return (
    <span className="status-storage" data-persistence={persistence}>
      Storage: {used}
      {share} · <span className="storage-persistence">{PERSISTENCE_LABEL[persistence]}</span>
      {persistence === 'best-effort' && (
        <>
          <span className="storage-warning" title={EVICTION_EXPLAINED}>
            {' '}
            (the browser refused to keep it: images can be deleted when disk space runs low)
          </span>{' '}
          <button type="button" className="status-action" onClick={() => void exportImageFile(imageName)}>
            Export a copy
          </button>
        </>
      )}
    </span>
  );
}

function OfflineIndicator() {
  const { offline, updateWaiting, update, failure } = useAppUpdates();
  if (offline === 'unsupported') return null;
  return (
    <span className="status-offline" data-offline={offline} title={failure ?? undefined}>
      {offline === 'ready' ? 'Works offline' : offline === 'caching' ? 'Saving the app for offline use…' : 'Offline use unavailable'}
      {updateWaiting && (
        <>
          {' · A new version is ready. '}
          <button type="button" className="status-action" onClick={() => void update()}>
            Reload to update
          </button>
        </>
      )}
    </span>
  );
}

export function StatusBar() {
  const imageName = useViewState((s) => s.imageName);
  const statusMessage = useViewState((s) => s.statusMessage);
  const lastCommit = useViewState((s) => s.lastCommit);
  const world = useWorldLinkState((s) => s.status);
  const failure = useWorldLinkState((s) => s.failure);
  const [notificationsOpen, setNotificationsOpen] = useState(false);
  return (
    <>
      {notificationsOpen && <NotificationsPanel onClose={() => setNotificationsOpen(false)} />}
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
        <StorageIndicator />
        <OfflineIndicator />
        <NotificationsButton open={notificationsOpen} onToggle={() => setNotificationsOpen((o) => !o)} />
        <span className="status-message">{statusMessage}</span>
      </footer>
    </>
  );
}
