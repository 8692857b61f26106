// Single-request reads and writes of one image: objects and blobs by key, a cursor over
// objects in oid order, the object count, fresh oids and new blobs.
import type { StoreCore } from './core';
import type { BlobRecord, Oid, StoredState, Tid } from './format';

/** Committed states of these objects, with their serials; absent oids are left out. */
export async function load(core: StoreCore, oids: Oid[]): Promise<{ oid: Oid; state: StoredState; serial: Tid }[]> {
  const what = oids.length === 1 ? `Loading object ${oids[0]}` : `Loading ${oids.length} objects`;
  const records = await core.run('r', [core.db.objects], what, 'Nothing was changed.', () => core.db.objects.bulkGet(oids));
  const out: { oid: Oid; state: StoredState; serial: Tid }[] = [];
  for (const r of records) {
    if (!r) continue;
    out.push({ oid: r.oid, state: r.state, serial: r.serial });
    const created = r.state?.meta?.createdTid;
    if (created !== undefined) core.createdTids.set(r.oid, created);
  }
  return out;
}

/** Stored objects in oid order after `afterOid`, at most `limit`: one cursor read, for
 * walking a whole image in batches (export, eager loading) without probing every oid. */
export async function scanObjects(core: StoreCore, afterOid: Oid = -1, limit = 5_000): Promise<{ oid: Oid; state: StoredState; serial: Tid }[]> {
  const records = await core.run('r', [core.db.objects], `Reading objects after ${afterOid}`, 'Nothing was changed.', () =>
    core.db.objects.where('oid').above(afterOid).limit(limit).toArray(),
  );
  return records.map((r) => {
    const created = r.state?.meta?.createdTid;
    if (created !== undefined) core.createdTids.set(r.oid, created);
    return { oid: r.oid, state: r.state, serial: r.serial };
  });
}

export async function loadBlob(core: StoreCore, id: string): Promise<Blob | undefined> {
  const r = await core.run('r', [core.db.blobs], `Loading blob ${id}`, 'Nothing was changed.', () => core.db.blobs.get(id));
  return r?.data;
}

/** How many objects the image holds (cheap: a key count). */
export async function countObjects(core: StoreCore): Promise<number> {
  return core.run('r', [core.db.objects], 'Counting objects', 'Nothing was changed.', () => core.db.objects.count());
}


/** Hands out `count` fresh oids, unique across every tab on this image. */
export async function reserveOids(core: StoreCore, count: number): Promise<Oid> {
  core.assertWritable('Reserving oids');
  const first = await core.run('rw', [core.db.meta], 'Reserving oids', 'Nothing was changed.', async () => {
    const meta = (await core.db.meta.get('image'))!;
    const next = { ...meta, nextOid: meta.nextOid + count };
    await core.db.meta.put(next);
    core.meta = next;
    return meta.nextOid;
  });
  return first;
}

/** Stores a large value; refer to it from a state with the returned `{blob, size, type}`.
 * Written before the commit that uses it; pack removes it if no object ever does. */
export async function putBlob(core: StoreCore, data: Blob | ArrayBuffer | Uint8Array, type = ''): Promise<{ blob: string; size: number; type: string }> {
  core.assertWritable('Storing a blob');
  const blob = data instanceof Blob ? data : new Blob([data as BlobPart], { type });
  const id = globalThis.crypto.randomUUID();
  const record: BlobRecord & { time: number } = { id, data: blob, size: blob.size, type: type || blob.type, time: Date.now() };
  await core.run('rw', [core.db.blobs], `Storing a blob of ${blob.size} bytes`, 'Nothing was changed.', () => core.db.blobs.add(record));
  return { blob: id, size: record.size, type: record.type };
}
