// The Machine's public face: the host-neutral emulator core. Node-only helpers (booting
// from files, QEMU) live in `./node` and are imported from there by tests and benches.
export { Machine, SerialLine } from './emulator';
export type { MachineConfig, SerialLineId, V86Constructor, V86Like } from './emulator';
export { readPsDisk, crc32, PSDISK } from './psdisk';
export type { PsDiskState, PsObject, PsRecord } from './psdisk';
export { BridgeClient, BridgeError, FrameDecoder, encodeFrame, BRIDGE } from './bridge';
export type { BridgeFrame, KernelProcess } from './bridge';
// The IDE's side: messages to and from the machine worker, and the image's kernel disk and
// suspended machine for image files. The worker's browser host is `./browser` (Vite assets).
export type { FromMachineWorker, KernelObjectView, KernelObjectsView, MachineEvent, MachineRequest, MachineStatus, PowerState, ToMachineWorker } from './protocol';
export { exportMachineState, importMachineState, renameMachineState, deleteMachineState } from './diskstore';
export { withMachineExport, withMachineImport } from './imagefile';
