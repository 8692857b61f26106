// Starts the World worker (through its typed client) and installs the link the windows
// use. It keeps the status bar's image facts current, opens the image's own window layout
// when another image is opened, and shows safe mode when the image opened read-only (or its
// background check found damage), listing the damaged objects the worker reports. The open
// image's name goes into the page's address; an address naming an image that does not exist
// gets a window saying so. A World that fails to start leaves the IDE usable with a clear message.
import { setWorldLink } from './use-world';
import { WorldLink, LAYOUT_NOTE } from './world-link';
import { useViewState } from '../view-state';
import { applySavedLayout } from '../layout-store';
import { askForPersistenceOnce, refreshStorage } from '../storage-state';
import { getWorldClient, type ImageView } from '../../workers';
import type { SafeModeReport } from '../windows/SafeModeWindow';
import type { MissingImageReport } from '../windows/MissingImageWindow';
import { showImageInAddress } from '../image-address';

function showImage(image: ImageView | null): void {
  const view = useViewState.getState();
  if (!image) {
    view.setImageInfo({ imageName: 'genesis (in memory)', lastCommit: '—' });
    return;
  }
  view.setImageInfo({ imageName: image.name, lastCommit: image.lastTid ? `#${image.lastTid}` : '—' });
  showImageInAddress(image.name);
  const missing = view.windows.find((w) => w.kind === 'missing-image');
  if (missing) view.closeWindow(missing.id);
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

/** The address names an image this browser does not have: say so (the World runs in memory). */
function showMissingImage(name: string): void {
  const report: MissingImageReport = { name };
  useViewState.getState().openWindow({ kind: 'missing-image', title: `No image “${name}”`, target: { data: report }, x: 380, y: 60 });
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
    const link = new WorldLink(client, image?.root ?? hello.root, image?.name ?? 'genesis');
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
        // A real edit (not a window moved): now there is something worth keeping.
        void askForPersistenceOnce();
        void refreshStorage();
      }
    });
    link.onImage((img) => {
      // The windows of the image left behind give way to the new image's layout; a window
      // opened while that layout is read (a Workspace clicked at once) is kept.
      const leftBehind = new Set(useViewState.getState().windows.map((w) => w.id));
      showImage(img);
      void applySavedLayout(leftBehind).then(() => showImage(img));
    });
    setWorldLink(link);
    showImage(image);
    if (hello.missingImage) showMissingImage(hello.missingImage);
    stopEarly();
    for (const line of early) onLine(line);
    void refreshStorage();
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
