// Pack: drop old history and whatever neither the root nor the kept history still reaches.
import type { StoreCore } from './core';
import { visitReferences, type Oid, type Tid } from './format';
import type { PackResult } from './types';

/**
 * Drops history older than `beforeTid` and removes the objects and blobs that neither the
 * root nor the kept history reaches. One read-write transaction: a crash leaves the image
 * as it was. Blobs younger than `blobGraceMs` are kept (a commit may be about to use them).
 */
export async function pack(core: StoreCore, beforeTid: Tid, options: { blobGraceMs?: number } = {}): Promise<PackResult> {
  const what = `Packing image “${core.name}”`;
  core.assertWritable(what);
  const grace = options.blobGraceMs ?? 10 * 60_000;
  let result: PackResult | undefined;
  await core.run('rw', [core.db.objects, core.db.txlog, core.db.meta, core.db.blobs], what, 'Nothing was removed.', async () => {
    const [meta, objects, kept, blobKeys] = await Promise.all([
      core.db.meta.get('image'),
      core.db.objects.toArray(),
      core.db.txlog.where('tid').aboveOrEqual(beforeTid).toArray(),
      core.db.blobs.toCollection().primaryKeys(),
    ]);
    const byOid = new Map(objects.map((o) => [o.oid, o]));
    const reached = new Set<Oid>();
    const blobsUsed = new Set<string>();
    const stack: Oid[] = [meta!.root];
    const push = (oid: Oid) => {
      if (!reached.has(oid)) {
        reached.add(oid);
        stack.push(oid);
      }
    };
    reached.add(meta!.root);
    for (const rec of kept) for (const c of rec.changes) visitReferences(c.before, push, (b) => blobsUsed.add(b));
    for (const rec of kept) for (const c of rec.changes) if (c.before) push(c.oid);
    while (stack.length) {
      const o = byOid.get(stack.pop()!);
      if (o) visitReferences(o.state, push, (b) => blobsUsed.add(b));
    }
    const dead = objects.filter((o) => !reached.has(o.oid)).map((o) => o.oid);
    const unusedBlobs = blobKeys.filter((k) => !blobsUsed.has(k));
    const blobRecords = unusedBlobs.length ? await core.db.blobs.bulkGet(unusedBlobs) : [];
    const now = Date.now();
    const deadBlobs = unusedBlobs.filter((_, i) => now - ((blobRecords[i] as { time?: number } | undefined)?.time ?? 0) >= grace);
    const dropped = await core.db.txlog.where('tid').below(beforeTid).primaryKeys();
    const packedTid = Math.max(meta!.packedTid, Math.min(beforeTid, meta!.lastTid + 1));
    await Promise.all([
      core.db.objects.bulkDelete(dead),
      core.db.blobs.bulkDelete(deadBlobs),
      core.db.txlog.bulkDelete(dropped),
      core.db.meta.put({ ...meta!, packedTid }),
    ]);
    core.meta = { ...core.meta, packedTid };
    result = { removedObjects: dead.length, removedBlobs: deadBlobs.length, droppedTransactions: dropped.length, packedTid };
  });
  return result!;
}
