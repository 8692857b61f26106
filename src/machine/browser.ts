// The Machine's browser adapter: fetches the kernel and hands v86 the wasm URL (from
// Vite's `?url` imports in the caller), then boots through the host-neutral core. Meant
// for the machine worker; nothing here touches the DOM.
import { V86 } from 'v86';
import { Machine, type MachineConfig, type V86Constructor } from './emulator';

export interface BrowserBootOptions extends Partial<Omit<MachineConfig, 'V86' | 'wasmPath' | 'kernel'>> {
  /** URL of v86.wasm, e.g. `import wasmUrl from 'v86/build/v86.wasm?url'`. */
  wasmUrl: string;
  /** URL of telos.elf, or the bytes themselves. */
  kernel: string | ArrayBuffer;
}

export async function bootBrowserMachine(options: BrowserBootOptions): Promise<Machine> {
  let kernel: ArrayBuffer;
  if (typeof options.kernel === 'string') {
    const response = await fetch(options.kernel);
    if (!response.ok) throw new Error(`cannot load the TelOS kernel from ${options.kernel}: HTTP ${response.status}`);
    kernel = await response.arrayBuffer();
  } else {
    kernel = options.kernel;
  }
  return Machine.boot({ ...options, V86: V86 as unknown as V86Constructor, wasmPath: options.wasmUrl, kernel });
}
