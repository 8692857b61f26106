// The service worker that keeps TelOS Studio working offline (Workbox, built by
// vite-plugin-pwa), and what the IDE shows about it: whether the app is cached for offline
// use, and a new version waiting to be taken (the user decides when; a reload mid-edit
// would close the Machine).
import { create } from 'zustand';

export interface AppUpdateState {
  /** 'unsupported': no service worker here (dev server, or a browser without them). */
  offline: 'unsupported' | 'caching' | 'ready' | 'failed';
  /** A new version is installed and waits for `update()`. */
  updateWaiting: boolean;
  failure: string | null;
  /** Activates the waiting version and reloads the page on it. */
  update: () => Promise<void>;
}

export const useAppUpdates = create<AppUpdateState>(() => ({
  offline: 'unsupported',
  updateWaiting: false,
  failure: null,
  update: async () => undefined,
}));

let started = false;

/**
 * Registers the service worker once the World is interactive, so its precache download does
 * not compete with the first load. Only in a production build: the dev server serves
 * modules that change on every edit.
 */
export async function startServiceWorker(): Promise<void> {
  if (started || !import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  started = true;
  useAppUpdates.setState({ offline: navigator.serviceWorker.controller ? 'ready' : 'caching' });
  const { registerSW } = await import('virtual:pwa-register');
  const update = registerSW({
    immediate: true,
    onOfflineReady: () => useAppUpdates.setState({ offline: 'ready' }),
    onNeedRefresh: () => useAppUpdates.setState({ updateWaiting: true, offline: 'ready' }),
    onRegisteredSW: (_url, registration) => {
      // Installed on an earlier visit: its precache is complete.
      if (registration?.active) useAppUpdates.setState({ offline: 'ready' });
      // A tab left open for days still hears of a new deployment.
      if (registration) setInterval(() => void registration.update().catch(() => undefined), 60 * 60 * 1000);
    },
    onRegisterError: (e: unknown) =>
      useAppUpdates.setState({ offline: 'failed', failure: e instanceof Error ? e.message : String(e) }),
  });
  useAppUpdates.setState({ update: () => update(true) });
}
