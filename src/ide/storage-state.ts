// Storage the browser keeps: the image lives in IndexedDB, which a browser may evict under
// storage pressure unless the origin holds persistent storage. The IDE asks for it at the
// first real edit (a request with nothing to keep would be refused or ignored by
// heuristics), and shows the answer and the quota use in the status bar.
import { create } from 'zustand';

export type Persistence =
  /** The browser promised not to evict this origin's storage without asking the user. */
  | 'persistent'
  /** Not asked yet (no edit since the page opened) or the answer is pending. */
  | 'not-asked'
  | 'asking'
  /** Refused: the browser may evict the image under storage pressure. */
  | 'best-effort'
  /** No StorageManager (an insecure origin, an old browser). */
  | 'unsupported';

export interface StorageState {
  persistence: Persistence;
  usage: number | null;
  quota: number | null;
}

export const useStorageState = create<StorageState>(() => ({ persistence: 'not-asked', usage: null, quota: null }));

const manager = (): StorageManager | undefined => (typeof navigator !== 'undefined' ? navigator.storage : undefined);

/** Reads the quota use and whether storage is already persistent (no prompt). */
export async function refreshStorage(): Promise<void> {
  const storage = manager();
  if (!storage?.estimate) {
    useStorageState.setState({ persistence: 'unsupported' });
    return;
  }
  const [estimate, persisted] = await Promise.all([
    storage.estimate().catch(() => null),
    storage.persisted?.().catch(() => false) ?? Promise.resolve(false),
  ]);
  useStorageState.setState((s) => ({
    usage: estimate?.usage ?? s.usage,
    quota: estimate?.quota ?? s.quota,
    persistence: persisted ? 'persistent' : s.persistence,
  }));
}

let asked = false;

/** The user changed the image: ask once per page for persistent storage. */
export async function askForPersistenceOnce(): Promise<void> {
  const storage = manager();
  if (asked || !storage?.persist || useStorageState.getState().persistence === 'persistent') return;
  asked = true;
  useStorageState.setState({ persistence: 'asking' });
  // Firefox asks the user in a door-hanger; the answer may take as long as the user does.
  const granted = await storage.persist().catch(() => false);
  useStorageState.setState({ persistence: granted ? 'persistent' : 'best-effort' });
  await refreshStorage();
}

export function formatBytes(n: number): string {
  if (n < 1024) return n === 1 ? '1 byte' : `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(1)} GB`;
}
