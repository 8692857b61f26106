// Notifications: completed long work and errors, kept until the user dismisses them (the
// status bar shows only the latest message, which the next one replaces at once). A small
// zustand store of its own; the status bar's bell opens the list.
import { create } from 'zustand';

export interface Notification {
  id: number;
  kind: 'done' | 'error' | 'info';
  text: string;
  /** When it was added (ms since the epoch). */
  at: number;
}

/** At most this many are kept; beyond it the oldest go first. */
export const NOTIFICATIONS_KEEP = 100;

/** The list with `n` added, newest last, the oldest dropped beyond NOTIFICATIONS_KEEP. */
export function withNotification(list: readonly Notification[], n: Notification): Notification[] {
  const next = [...list, n];
  return next.length > NOTIFICATIONS_KEEP ? next.slice(next.length - NOTIFICATIONS_KEEP) : next;
}

/** An evaluation that ran this long is "long work", worth a notification when it ends. */
export const LONG_WORK_MS = 2000;

interface NotificationState {
  notifications: Notification[];
  notify(text: string, kind?: Notification['kind']): void;
  dismiss(id: number): void;
  clear(): void;
}

let nextId = 1;

export const useNotifications = create<NotificationState>()((set) => ({
  notifications: [],
  notify: (text, kind = 'done') => set((s) => ({ notifications: withNotification(s.notifications, { id: nextId++, kind, text, at: Date.now() }) })),
  dismiss: (id) => set((s) => ({ notifications: s.notifications.filter((n) => n.id !== id) })),
  clear: () => set({ notifications: [] }),
}));

/** Adds a notification (outside React). */
export function notify(text: string, kind: Notification['kind'] = 'done'): void {
  useNotifications.getState().notify(text, kind);
}
