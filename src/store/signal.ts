// Cross-tab hint that an image changed: a BroadcastChannel per image database. Delivery is
// not guaranteed (a killed tab sends nothing), so receivers treat it as a hint to read
// `meta.lastTid`, which is the truth; a timer does the same check as a fallback.

export class CrossTabSignal {
  private channel: BroadcastChannel | undefined;

  constructor(dbName: string, onHint: (tid: number) => void) {
    if (typeof BroadcastChannel === 'undefined') return;
    this.channel = new BroadcastChannel(`telos-image:${dbName}`);
    this.channel.onmessage = (e: MessageEvent) => {
      const tid = (e.data as { tid?: unknown } | null)?.tid;
      if (typeof tid === 'number') onHint(tid);
    };
    // Node keeps a process alive while a channel is open; the browser does not care.
    (this.channel as { unref?: () => void }).unref?.();
  }

  post(tid: number): void {
    try {
      this.channel?.postMessage({ tid });
    } catch {
      // A closed channel: other tabs still see the commit through their lastTid check.
    }
  }

  close(): void {
    this.channel?.close();
    this.channel = undefined;
  }
}
