// Starts the World worker (through its typed client) and installs the link the windows
// use. It keeps the status bar's image facts current, opens the image's own window layout
// when another image is opened, and shows safe mode when the image opened read-only.
// A World that fails to start leaves the IDE usable with a clear message.
import { setWorldLink } from './useWorld';
import { ClientLink, LAYOUT_NOTE } from './clientLink';
import { useViewState } from '../viewState';
import { applySavedLayout } from '../layoutStore';
import type { ImageView } from '../../workers/world-client';
import type { SafeModeReport } from '../windows/SafeModeWindow';

function showImage(image: ImageView | null): void {
  const view = useViewState.getState();
  if (!image) {
    view.setImageInfo({ imageName: 'genesis (in memory)', lastCommit: '—' });
    return;
  }
  view.setImageInfo({ imageName: image.name, lastCommit: image.lastTid ? `#${image.lastTid}` : '—' });
  const open = view.windows.find((w) => w.kind === 'safe-mode');
  if (image.readOnly) {
    const report: SafeModeReport = { imageName: image.name, reason: image.readOnly, failures: parseProblems(image.readOnly) };
    view.openWindow({ kind: 'safe-mode', title: `Safe mode: ${image.name}`, target: { data: report }, x: 380, y: 60 });
  } else if (open) {
    view.closeWindow(open.id);
  }
}

/** The store's read-only reason lists its problems separated by semicolons or newlines. */
function parseProblems(reason: string): SafeModeReport['failures'] {
  return reason
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((line) => {
      const m = /#(\d+)|oid (\d+)/i.exec(line);
      return { oid: m ? Number(m[1] ?? m[2]) : undefined, what: m ? 'object' : 'record', reason: line };
    });
}

async function storageUsed(): Promise<void> {
  const estimate = await navigator.storage?.estimate?.().catch(() => null);
  if (estimate?.usage !== undefined) {
    useViewState.getState().setImageInfo({ storageUsed: `${(estimate.usage / 1024 / 1024).toFixed(1)} MB` });
  }
}

export async function connectWorld(): Promise<void> {
  try {
    const { getWorldClient } = await import('../../workers/world-client');
    const client = getWorldClient();
    const hello = await client.hello();
    const image = await client.imageInfo().catch(() => null);
    const link = new ClientLink(client, image?.root ?? hello.root, image?.name ?? 'genesis');
    link.onPrint((line) => useViewState.getState().appendTranscript(line, 'print'));
    link.subscribe((c) => {
      if (c.tid !== undefined && !c.note?.startsWith(LAYOUT_NOTE)) {
        useViewState.getState().setImageInfo({ lastCommit: `#${c.tid} ${c.note ?? ''}`.trim() });
        void storageUsed();
      }
    });
    link.onImage((img) => {
      showImage(img);
      void applySavedLayout(false).then(() => showImage(img));
    });
    setWorldLink(link);
    showImage(image);
    void storageUsed();
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    useViewState.getState().setStatus(`The World could not start: ${reason}`);
    setWorldLink(null, reason);
  }
}
