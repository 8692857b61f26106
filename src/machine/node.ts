// The Machine's Node adapter: finds v86 and its wasm in node_modules and the built kernel
// in images/build, then boots through the host-neutral core. Used by tests and benches.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { V86 } from 'v86';
import { Machine, type MachineConfig, type V86Constructor } from './emulator';

const require = createRequire(import.meta.url);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Path of a file built by `make -C images/telos`, e.g. `telos.elf`. */
export function builtImagePath(name: string): string {
  return join(repoRoot, 'images', 'build', name);
}

/** The kernel the tests boot: $TELOS_KERNEL when set, else the one `make` built. */
export function defaultKernelPath(): string {
  return process.env.TELOS_KERNEL || builtImagePath('telos.elf');
}

/** v86.wasm inside the installed `v86` package. */
export function v86WasmPath(): string {
  return join(dirname(require.resolve('v86')), 'v86.wasm');
}

export async function readKernel(path: string): Promise<ArrayBuffer> {
  try {
    const bytes = await readFile(path);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  } catch (e) {
    throw new Error(`cannot read kernel ${path} (run \`make -C images/telos\` first): ${(e as Error).message}`);
  }
}

export interface NodeBootOptions extends Partial<Omit<MachineConfig, 'V86' | 'wasmPath' | 'kernel'>> {
  /** Kernel file; defaults to $TELOS_KERNEL, else images/build/telos.elf (the kernel
   * mutation run points TELOS_KERNEL at a deliberately broken build). */
  kernelPath?: string;
  kernel?: ArrayBuffer;
}

/** Boots a TelOS PC in this Node process. */
export async function bootMachine(options: NodeBootOptions = {}): Promise<Machine> {
  const kernel = options.kernel ?? (await readKernel(options.kernelPath ?? defaultKernelPath()));
  return Machine.boot({
    ...options,
    V86: V86 as unknown as V86Constructor,
    wasmPath: v86WasmPath(),
    kernel,
  });
}
