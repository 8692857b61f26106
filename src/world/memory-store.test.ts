import { describe, expect, it } from 'vitest';
import { InMemoryStore } from './memory-store';
import type { LoadedObject } from './types';

describe('InMemoryStore.preload', () => {
  it('takes an image of 200,000 objects (an image file read for telos eval --image)', () => {
    const objects: LoadedObject[] = [];
    for (let oid = 0; oid < 200_000; oid++) objects.push({ serial: oid % 7, state: { oid, name: '', slots: [], traits: [], meta: {} } });
    const store = new InMemoryStore();
    store.preload(objects, 3, 10);
    expect(store.lastTid).toBe(6);
    expect(store.nextOid).toBe(200_000);
    expect(store.peek(199_999)?.serial).toBe(199_999 % 7);
  }, 60_000);

  it('keeps the lastTid and nextOid it is given when they are above every object', () => {
    const store = new InMemoryStore();
    store.preload([{ serial: 2, state: { oid: 4, name: '', slots: [], traits: [], meta: {} } }], 9, 40);
    expect([store.lastTid, store.nextOid]).toEqual([9, 40]);
  });
});
