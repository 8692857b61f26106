// Starts the World worker (through its typed client) and installs the link the windows
// use. It keeps the status bar's image facts current, opens the image's own window layout
// when another image is opened, and shows safe mode when the image opened read-only (or its
// background check found damage), listing the damaged objects the worker reports.
// A World that fails to start leaves the IDE usable with a clear message.
import { setWorldLink } from './useWorld';
import { ClientLink, LAYOUT_NOTE } from './clientLink';
import { useViewState } from '../viewState';
import { applySavedLayout } from '../layoutStore';
import { getWorldClient, type ImageView } from '../../workers/world-client';
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
    const failures = image.problems.map((p) => ({ oid: p.oid, what: p.oid !== undefined ? 'object' : 'record', reason: p.reason }));
    showSafeMode(image.name, `it is open read-only because ${image.readOnly}`, failures.length ? failures : [{ what: 'image', reason: image.readOnly }]);
  } else if (open) {
    view.closeWindow(open.id);
  }
}

function showSafeMode(imageName: string, reason: string, failures: SafeModeReport['failures']): void {
  const report: SafeModeReport = { imageName, reason, failures };
  const view = useViewState.getState();
  view.setImageInfo({ imageName: `${imageName} (safe mode)` });
  view.openWindow({ kind: 'safe-mode', title: `Safe mode: ${imageName}`, target: { data: report }, x: 380, y: 60 });
}

async function storageUsed(): Promise<void> {
  const estimate = await navigator.storage?.estimate?.().catch(() => null);
  if (estimate?.usage !== undefined) {
    useViewState.getState().setImageInfo({ storageUsed: `${(estimate.usage / 1024 / 1024).toFixed(1)} MB` });
  }
}

let connecting: Promise<void> | null = null;

/** Connects once; later calls share the first attempt. Called as early as the IDE module
 * loads, so the worker starts while React renders the first frame. */
export function connectWorld(): Promise<void> {
  connecting ??= connectOnce();
  return connecting;
}

async function connectOnce(): Promise<void> {
  try {
    const client = getWorldClient();
    // Lines the worker prints while it starts (e.g. why it could not open the image)
    // arrive before the link exists; keep them for it.
    const early: string[] = [];
    const stopEarly = client.subscribe((e) => {
      if (e.type === 'transcript') early.push(e.line);
    });
    const hello = await client.hello();
    const image = await client.imageInfo().catch(() => null);
    const link = new ClientLink(client, image?.root ?? hello.root, image?.name ?? 'genesis');
    const onLine = (line: string) => {
      useViewState.getState().appendTranscript(line, 'print');
      // The worker announces an image it could not open on the Transcript and runs a World
      // in memory instead: that is safe mode.
      const failed = /^The living image “(.+)” could not be opened \((.*)\)\. This World runs in memory/s.exec(line);
      if (failed)
        showSafeMode(failed[1]!, `it could not be opened (${failed[2]}); a World in memory runs instead and nothing is saved`, [{ what: 'image', reason: failed[2]! }]);
    };
    link.onPrint(onLine);
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
    stopEarly();
    for (const line of early) onLine(line);
    void storageUsed();
    // The store checks a large image's records in the background after opening it; the
    // worker announces the result as an `image` event marked `checked` (same image).
    client.subscribe((e) => {
      if (e.type === 'image' && e.checked) showImage(e.image);
    });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    useViewState.getState().setStatus(`The World could not start: ${reason}`);
    setWorldLink(null, reason);
  }
}
