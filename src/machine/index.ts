// The Machine's public face: the host-neutral emulator core. Node-only helpers (booting
// from files, QEMU) live in `./node` and are imported from there by tests and benches.
export { Machine, SerialLine } from './emulator';
export type { MachineConfig, SerialLineId, V86Constructor, V86Like } from './emulator';
export { readPsDisk, crc32, PSDISK } from './psdisk';
export type { PsDiskState, PsObject, PsRecord } from './psdisk';
export { BridgeClient, BridgeError, FrameDecoder, encodeFrame, BRIDGE } from './bridge';
export type { BridgeFrame, KernelProcess } from './bridge';
