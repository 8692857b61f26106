import { beforeEach, describe, expect, it } from 'vitest';
import { NOTIFICATIONS_KEEP, notify, useNotifications, withNotification } from './notifications';

describe('notifications', () => {
  beforeEach(() => useNotifications.getState().clear());

  // Catches a list that loses entries when a newer message arrives (as the status bar does).
  it('keep every entry until it is dismissed, newest last', () => {
    notify('Export default: done');
    notify('Open image x refused: NotFound', 'error');
    notify('Evaluated in 3 s: 42');
    const list = useNotifications.getState().notifications;
    expect(list.map((n) => n.text)).toEqual(['Export default: done', 'Open image x refused: NotFound', 'Evaluated in 3 s: 42']);
    expect(list[1]!.kind).toBe('error');
    useNotifications.getState().dismiss(list[1]!.id);
    expect(useNotifications.getState().notifications.map((n) => n.text)).toEqual(['Export default: done', 'Evaluated in 3 s: 42']);
    useNotifications.getState().clear();
    expect(useNotifications.getState().notifications).toEqual([]);
  });

  it('drop the oldest beyond the bound', () => {
    let list = withNotification([], { id: 0, kind: 'done', text: 'first', at: 0 });
    for (let i = 1; i <= NOTIFICATIONS_KEEP; i++) list = withNotification(list, { id: i, kind: 'done', text: `n${i}`, at: i });
    expect(list).toHaveLength(NOTIFICATIONS_KEEP);
    expect(list[0]!.text).toBe('n1');
    expect(list.at(-1)!.text).toBe(`n${NOTIFICATIONS_KEEP}`);
  });
});
