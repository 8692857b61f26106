// The notifications area: a button in the status bar (with how many there are) opens a list
// of completed long work and errors above it, each kept until dismissed.
import { useEffect, useRef } from 'react';
import { useNotifications } from './notifications';

const PANEL_ID = 'notifications-panel';

export function NotificationsButton({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  const notifications = useNotifications((s) => s.notifications);
  const errors = notifications.filter((n) => n.kind === 'error').length;
  return (
    <button
      type="button"
      className="status-action status-notifications"
      aria-expanded={open}
      aria-controls={PANEL_ID}
      data-errors={errors > 0 ? 'true' : undefined}
      onClick={onToggle}
    >
      Notifications ({notifications.length})
    </button>
  );
}

export function NotificationsPanel({ onClose }: { onClose: () => void }) {
  const notifications = useNotifications((s) => s.notifications);
  const { dismiss, clear } = useNotifications.getState();
  const panel = useRef<HTMLElement | null>(null);
  useEffect(() => {
    panel.current?.focus();
  }, []);
  return (
    <section
      id={PANEL_ID}
      ref={panel}
      className="notifications-panel"
      aria-label="Notifications"
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <header className="notifications-header">
        <h2>Notifications</h2>
        <button type="button" onClick={clear} disabled={notifications.length === 0}>
          Clear all
        </button>
        <button type="button" onClick={onClose} aria-label="Close notifications">
          ×
        </button>
      </header>
      {notifications.length === 0 ? (
        <p className="notifications-empty">Nothing to report.</p>
      ) : (
        <ul aria-label="Notifications list">
          {[...notifications].reverse().map((n) => (
            <li key={n.id} className="notification" data-kind={n.kind}>
              <span className="notification-time">{new Date(n.at).toLocaleTimeString()}</span>
              <span className="notification-text">{n.text}</span>
              <button type="button" onClick={() => dismiss(n.id)} aria-label={`Dismiss: ${n.text}`}>
                Dismiss
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
