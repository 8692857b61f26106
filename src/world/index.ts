// Public face of the World: prototype objects, slots, traits, lookup, clone, transactions,
// genesis. Pure TypeScript: no DOM, no IndexedDB, no workers, no QuickJS.
export * from './types';
export * from './errors';
