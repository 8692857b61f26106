// The World worker: owns the World, its sandbox and (once src/store lands) the living image.
// Until then it starts from the genesis World in memory. The UI talks to it through WorldClient.

import wasmUrl from '@jitl/quickjs-wasmfile-release-sync/wasm?url';
import { RELEASE_SYNC, newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten';
import { createGenesisWorld } from '../world';
import { Sandbox, setQuickJSLoader } from '../sandbox';
import { serveWorld, type WorldSession } from './world-service';
import type { Endpoint, WorldMessage } from './world-protocol';

// Vite bundles the wasm file and gives its URL; the default loader's relative URL would not
// survive bundling.
setQuickJSLoader(() => newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmLocation: wasmUrl })));

const endpoint = self as unknown as Endpoint;

async function openSession(): Promise<WorldSession> {
  const { world } = await createGenesisWorld();
  const sandbox = await Sandbox.create(world, {
    onPrint: (line) => endpoint.postMessage({ event: { type: 'transcript', line } } satisfies WorldMessage),
  });
  return { world, sandbox };
}

void serveWorld(endpoint, openSession).catch((e: unknown) => {
  console.error('the World could not start:', e);
});
