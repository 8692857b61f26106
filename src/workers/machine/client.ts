// The page's typed handle on the machine worker: every MachineApi method answers a Promise,
// a refusal rejects with its reason, and `subscribe` delivers power state and console output.
import { connect, type Client } from '../rpc';
import type { MachineApi, MachineEvent } from './protocol';

export type MachineClient = Client<MachineApi, MachineEvent>;

/** Starts the machine worker (v86 and its wasm load inside it, on first Boot); `onFailure`
 * hears of a worker that failed to load or run. */
export function startMachineWorker(onFailure: (message: string) => void): MachineClient {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'machine' });
  worker.addEventListener('error', (e) => onFailure(e.message));
  return connect<MachineApi, MachineEvent>(worker);
}
