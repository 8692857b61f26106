// The store's integrity check must accept every state the World makes: the genesis World
// opens writable, and a world built by the World's own operations checks clean.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { genesisStates } from '../world';
import { ObjectRecordSchema, recordProblem } from './format';
import { ImageStore } from './index';

describe('the World’s states fit the store’s schema', () => {
  it('every genesis state passes the record schema', () => {
    for (const state of genesisStates()) expect(recordProblem(ObjectRecordSchema, { oid: state.oid, serial: 1, state }), state.name).toBeUndefined();
  });

  it('an image seeded with genesis opens writable with a clean report', async () => {
    const states = genesisStates();
    const s = await ImageStore.create('genesis', `telos-world-shape-${Date.now()}`, { root: 0, objects: states }, { syncIntervalMs: 0 });
    const report = await s.checkIntegrity();
    expect(report.problems).toEqual([]);
    expect(report.objects).toBe(states.length);
    expect(s.readOnly).toBeUndefined();
    s.close();
  });
});
