// Public face of the World: prototype objects, slots, traits, lookup, clone, transactions,
// genesis. Pure TypeScript: no DOM, no IndexedDB, no workers, no QuickJS.
export * from './types';
export * from './errors';
export { World, copyState } from './world';
export type { SyntaxChecker, SyntaxProblem, WorldOptions } from './world';
export { InMemoryStore } from './memory-store';
export { buildGenesis, createGenesisWorld, genesisStates } from './genesis';
export type { GenesisOids } from './genesis';
export { checkSlotName, checkValue, checkSlot, checkSource, checkTraitUse, isOid, LIMITS } from './validate';
export { selfSends, usesResend } from './source';
