// Public face of the workers, for the page: the typed clients of the World worker (which
// owns the World, its sandbox and its living image) and of the machine worker (which owns
// v86, the kernel disk and the serial lines), both over one RPC mechanism (./rpc.ts), and
// the one declaration of every type that crosses either boundary. The workers' own modules
// (services, sessions, worker entries) stay behind this face.
export { RemoteError, type CallOptions, type Client, type Endpoint } from './rpc';
export { connectWorld, getWorldClient, type WorldClient } from './world/client';
export type {
  Committed,
  ConflictView,
  ImageEntry,
  ImageProblem,
  ImageView,
  ObjectSummary,
  ObjectView,
  OID,
  QueryHit,
  RequiredView,
  Revision,
  RunResult,
  SlotInput,
  SlotKind,
  SlotView,
  TaskProgress,
  Tid,
  TraitUseView,
  TxDetail,
  TxOptions,
  TxSummary,
  Value,
  WorldApi,
  WorldChange,
  WorldEvent,
} from './world/protocol';
export { startMachineWorker, type MachineClient } from './machine/client';
export { DEFAULT_HDB_BYTES, HDB_SIZES_MIB } from './machine/protocol';
export type { FileEntryView, KernelObjectView, KernelObjectsView, KernelSlotView, MachineApi, MachineEvent, MachineStatus, PowerState, UploadProgress } from './machine/protocol';
