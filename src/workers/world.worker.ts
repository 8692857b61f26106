// The World worker: owns the World, its sandbox and the living image it is stored in. The UI
// talks to it through WorldClient. The image is named by the worker's name (`world:<image>`,
// set by getWorldClient); a store that cannot open leaves a World in memory and says so.

import wasmUrl from '@jitl/quickjs-wasmfile-release-sync/wasm?url';
import { RELEASE_SYNC, newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten';
import { loadQuickJS, setQuickJSLoader } from '../sandbox';
import { serveWorld } from './world-service';
import { ImageCatalog, openImageSession, openMemorySession, type SessionOptions, type WorldSession } from './world-session';
import type { Endpoint, WorldMessage } from './world-protocol';

// Vite bundles the wasm file and gives its URL; the default loader's relative URL would not
// survive bundling.
setQuickJSLoader(() => newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmLocation: wasmUrl })));
// Fetch and compile QuickJS now, while the image opens and its objects load: the sandbox
// created after them finds the module ready instead of starting it then. The marks
// (telos:world-*) time the worker's start for the load benchmark and devtools.
performance.mark('telos:world-worker-start');
void loadQuickJS().then(
  () => performance.mark('telos:world-quickjs-ready'),
  () => {
    // The sandbox's own load reports the failure.
  },
);

const endpoint = self as unknown as Endpoint;
const post = (m: WorldMessage) => endpoint.postMessage(m);
const workerName = (self as unknown as { name?: string }).name ?? '';
const imageName = workerName.startsWith('world:') && workerName.length > 6 ? workerName.slice(6) : 'default';
const sessionOptions: SessionOptions = { onPrint: (line) => post({ event: { type: 'transcript', line } }) };

/** Boots the sandbox once the IDE's first reads are likely answered, so the first Do it
 * does not wait for it either (a request that needs it earlier boots it then). */
function warmSandbox(session: WorldSession): void {
  setTimeout(() => {
    void session.sandbox().then(
      () => performance.mark('telos:world-sandbox-ready'),
      () => {
        // The first evaluation reports why the sandbox could not start.
      },
    );
  }, 500);
}

async function openSession(): Promise<WorldSession> {
  try {
    const session = await openImageSession(imageName, sessionOptions);
    performance.mark('telos:world-session-open');
    warmSandbox(session);
    return session;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const session = await openMemorySession(sessionOptions);
    // Said after the service is up, so the UI's Transcript receives it.
    setTimeout(() => post({ event: { type: 'transcript', line: `The living image “${imageName}” could not be opened (${reason}). This World runs in memory and will not be saved.` } }), 0);
    return session;
  }
}

void serveWorld(endpoint, openSession, { catalog: new ImageCatalog(), sessionOptions }).catch((e: unknown) => {
  console.error('the World could not start:', e);
});
