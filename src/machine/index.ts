// Public face of the Machine: the host-neutral emulator core (a v86 PC booting TelOS, its
// serial lines), the PS disk reader, the COM2 bridge client, and the image's kernel disk and
// suspended machine kept in IndexedDB (with their part of image export and import).
// Two platform faces sit beside this one: `./node` (boot from files, for tests and benches)
// and `./browser` (v86 and the kernel as Vite assets, for the machine worker).
export { Machine } from './emulator';
export type { DiskCommand, MachineConfig, SerialLineId, V86Constructor, V86Like } from './emulator';
export { SerialLine, TextTail, SERIAL_TAIL_BYTES } from './serial';
// The writers build PS disks as the PS would (for kernel tests and the crash harness).
export { readPsDisk, crc32, PSDISK, writePsDisk, appendPsTransaction, sealRecord, sealMarker, sealSuperblock } from './psdisk';
// The PS's record MAC, for tests that compare the guest's SipHash with the host's.
export { siphash24 } from './siphash';
export type { PsDiskState, PsObject, PsObjectInput, PsRecord, PsSuperblock, SealRecordOptions } from './psdisk';
export { decodePsObject, encodePsObject, describeCap, PsObjectFormatError } from './psobject';
export type { PsCap, PsContent, PsSlot, PsTraitUse, PsValue } from './psobject';
export { kernelObjectViews } from './kernelobjects';
export type { KernelObjectView, KernelSlotView } from './kernelobjects';
export { BridgeClient, BridgeError, FileTooLargeError, FrameDecoder, WriteCancelledError, encodeFrame, BRIDGE } from './bridge';
export type { BridgeEvent, BridgeFileEntry, BridgeFrame, KernelProcess, KernelProcessState, WriteFileOptions } from './bridge';
export { DiskStore, DiskTracker, DISK_BYTES, type DiskId, type SuspendedMachine } from './disk-store';
export { DEFAULT_HDB_BYTES, HDB_SIZES_MIB, MAX_HDB_BYTES, hdbSizeProblem } from './hdb-size';
export { machineStateProblem, type MachineStateKind } from './disk-store';
export { exportMachineState, importMachineState, renameMachineState, deleteMachineState } from './disk-store';
export { withMachineExport, withMachineImport } from './machine-transfer';
export { KernelImage, KernelRefused, MachineNotRunning, KERNEL_NAMESPACE, kernelRef, kernelOidOf, kernelWorldObject } from './kernel-image';
export type { KernelSlot, KernelValue, KernelWorldObject } from './kernel-image';
