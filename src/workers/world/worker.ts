// The World worker: owns the World, its sandbox and the living image it is stored in. The
// page talks to it through the client of ./client.ts. The image is named by the worker's name
// (`world:<image>`, from the page's `?image=`, set by getWorldClient). "default" is created
// from genesis on a first visit; any other name must exist: a missing one is reported (hello's
// `missingImage`) and nothing is created. Then, as when the store cannot open, a World in
// memory runs and the page says so.

import wasmUrl from '@jitl/quickjs-wasmfile-release-sync/wasm?url';
import RELEASE_SYNC from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core';
import { setQuickJSLoader } from '../../sandbox';
import { serveWorld } from './service';
import { ImageCatalog, openImageSession, openMemorySession, type SessionOptions, type WorldSession } from './session';
import { StoreError } from '../../store';
import type { Endpoint } from '../rpc';
import type { WorldEvent } from './protocol';

// The marks (telos:world-*) time the worker's start for the load benchmark and devtools.
performance.mark('telos:world-worker-start');

/** QuickJS's WebAssembly, compiled once per worker and shared by every instance made from it
 * (a sandbox replacing a broken instance only instantiates). Streaming compilation from the
 * response lets the browser keep the compiled code with the cached file (its wasm code
 * cache), so a later visit need not compile it again. Vite bundles the file and gives its URL. */
function compileQuickJS(): Promise<WebAssembly.Module> {
  return WebAssembly.compileStreaming(fetch(wasmUrl)).catch(async () =>
    // A server that does not label the file application/wasm: compile from its bytes.
    WebAssembly.compile(await (await fetch(wasmUrl)).arrayBuffer()),
  );
}
let compiled: Promise<WebAssembly.Module> | null = null;
const compiledQuickJS = () =>
  (compiled ??= compileQuickJS().catch((e: unknown) => {
    compiled = null; // the next instance tries again
    throw e;
  }));
setQuickJSLoader((memory) => newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule: compiledQuickJS, wasmMemory: memory })));
// Fetch and compile QuickJS now, while the image opens and its objects load: the sandbox
// created after them finds the module ready instead of starting it then.
void compiledQuickJS().then(
  () => performance.mark('telos:world-quickjs-ready'),
  () => {
    // The sandbox's own load reports the failure.
  },
);

const endpoint = self as unknown as Endpoint;
/** Pushes an event to the page (set once the service is up). */
let emit: (event: WorldEvent) => void = () => {};
const workerName = (self as unknown as { name?: string }).name ?? '';
const imageName = workerName.startsWith('world:') && workerName.length > 6 ? workerName.slice(6) : 'default';
const catalog = new ImageCatalog();
const sessionOptions: SessionOptions = { onPrint: (line) => emit({ type: 'transcript', line }) };

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
    // Only "default" is made on first use: another name in the address may be mistyped or
    // belong to another browser, and an image made under it would hide that.
    const session = imageName === 'default' ? await openImageSession(imageName, sessionOptions) : await catalog.open(imageName, sessionOptions);
    performance.mark('telos:world-session-open');
    warmSandbox(session);
    return session;
  } catch (e) {
    if (e instanceof StoreError && e.code === 'not-found') {
      const session = await openMemorySession(sessionOptions);
      return { ...session, missingImage: imageName };
    }
    const reason = e instanceof Error ? e.message : String(e);
    const session = await openMemorySession(sessionOptions);
    // Said after the service is up, so the UI's Transcript receives it.
    setTimeout(() => emit({ type: 'transcript', line: `The living image “${imageName}” could not be opened (${reason}). This World runs in memory and will not be saved.` }), 0);
    return session;
  }
}

void serveWorld(
  endpoint,
  (pushEvent) => {
    emit = pushEvent;
    return openSession();
  },
  { catalog, sessionOptions },
).catch((e: unknown) => {
  console.error('the World could not start:', e);
});
