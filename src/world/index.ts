// Public face of the World: prototype objects, slots, traits, lookup, clone, transactions,
// genesis. Pure TypeScript: no DOM, no IndexedDB, no workers, no QuickJS.
//
//   types.ts        OID, Value, SlotState, ObjectState, TraitUse; the store boundary
//                   (ObjectStore: load/commit, WriteSet, WriteRecord); WorldChange events
//   errors.ts       MessageNotUnderstood, TraitConflict, AmbiguousSend, SandboxLimit,
//                   ConflictError, InvalidInput, MethodSyntaxError, ObjectFault, TransactionError
//   world.ts        World: reading, mutations, lookup, traits, transactions, lazy loading
//   validate.ts     what may be a slot name, a value, a trait use (refusals say why)
//   work.ts         the check long host work runs now and then (the evaluation's deadline)
//   source.ts       reading method source with a parser (acorn): one function expression,
//                   the text to compile, selectors sent to self, use of resend
//   genesis.ts      the genesis World, built by code
//   memory-store.ts InMemoryStore: the reference ObjectStore for tests and the CLI
export * from './types';
export * from './errors';
export { World, copyState } from './world';
export type { SyntaxChecker, SyntaxProblem, WorldOptions } from './world';
export { InMemoryStore } from './memory-store';
export { buildGenesis, createGenesisWorld, genesisStates } from './genesis';
export type { GenesisOids } from './genesis';
export { lookupCases } from './lookup-cases';
export type { LookupCase, LookupCaseObject, LookupCaseSlot, LookupExpectation } from './lookup-cases';
export { setWorkCheck, workCheckpoint } from './work';
export { checkSlotName, checkValue, checkSlot, checkSource, checkTraitUse, isOid, LIMITS } from './validate';
export {
  selfSends,
  usesResend,
  methodSourceProblem,
  methodCompileText,
  parseMethodSource,
  MethodSourceRefused,
  instrumentMethod,
  instrumentWorkspace,
  originalColumn,
  ASYNC_THROW_HOOK,
} from './source';
export type { SourceProblem, ParsedMethod, Insertion, InstrumentedCode } from './source';
