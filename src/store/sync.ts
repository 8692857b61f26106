// Other tabs' commits: this tab learns of them from a BroadcastChannel hint, a timer (a
// killed tab sends no hint) and its own commits, reads the log records it has not seen, and
// tells subscribers which objects to drop ('invalidate').
import type { StoreCore } from './core';
import type { Tid } from './format';
import { CrossTabSignal } from './signal';

export class StoreSync {
  private lastSeenTid: Tid;
  private ownTids = new Set<Tid>();
  private refreshing: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private signal: CrossTabSignal;

  constructor(private readonly core: StoreCore) {
    this.lastSeenTid = core.meta.lastTid;
    this.signal = new CrossTabSignal(core.db.name, () => void this.refresh());
    if (core.options.syncIntervalMs > 0) {
      this.timer = setInterval(() => void this.refresh(), core.options.syncIntervalMs);
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  /** Checks `meta.lastTid` and reports other tabs' commits since the last check. Runs on a
   * BroadcastChannel hint, on a timer, and after this tab's own commits. */
  refresh(): Promise<void> {
    if (this.core.closedBy) return Promise.resolve();
    this.refreshing ??= this.catchUp().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async catchUp(): Promise<void> {
    try {
      const from = this.lastSeenTid;
      const result = await this.core.run('r', [this.core.db.meta, this.core.db.txlog], 'Checking for other tabs’ commits', 'Nothing was changed.', async () => {
        const meta = await this.core.db.meta.get('image');
        if (!meta || meta.lastTid <= from) return undefined;
        const recs = await this.core.db.txlog.where('tid').between(from, meta.lastTid, false, true).toArray();
        return { meta, recs };
      });
      if (!result) return;
      const { meta, recs } = result;
      this.core.meta = { ...this.core.meta, lastTid: Math.max(this.core.meta.lastTid, meta.lastTid), nextOid: Math.max(this.core.meta.nextOid, meta.nextOid), packedTid: meta.packedTid };
      this.lastSeenTid = Math.max(this.lastSeenTid, meta.lastTid);
      const others = recs.filter((r) => !this.ownTids.has(r.tid));
      for (const r of recs) this.ownTids.delete(r.tid);
      const expected = meta.lastTid - from;
      if (recs.length < expected) {
        this.core.emit({ type: 'invalidate', fromTid: from, toTid: meta.lastTid, oids: 'all', notes: others.map((r) => r.note) });
      } else if (others.length) {
        const oids = [...new Set(others.flatMap((r) => r.changes.map((c) => c.oid)))];
        this.core.emit({ type: 'invalidate', fromTid: from, toTid: meta.lastTid, oids, notes: others.map((r) => r.note) });
      }
    } catch {
      // A failed check is retried by the next hint or tick; a closed store reports itself.
    }
  }

  /** Called after each of this tab's own commits: tells other tabs, and catches up when
   * another tab committed in between. */
  noteOwnCommit(tid: Tid): void {
    this.ownTids.add(tid);
    this.signal.post(tid);
    if (tid === this.lastSeenTid + 1) {
      this.lastSeenTid = tid;
      this.ownTids.delete(tid);
    } else void this.refresh();
  }

  /** Stops the timer and the channel (the store closed). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.signal.close();
  }
}
