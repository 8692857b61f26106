// Schema evolution of the image format: a list of named steps vN → vN+1, each a record with a
// date, a name and a description. Open runs the steps an image needs, all in one read-write
// IndexedDB transaction, so an image is either fully migrated or untouched.
import type { Transaction } from 'dexie';
import { bounded } from './core';
import type { ImageDatabase } from './database';
import { StoreError } from './errors';
import type { MetaRecord } from './format';

export interface Migration {
  from: number;
  to: number;
  /** ISO date the step was written. */
  date: string;
  name: string;
  description: string;
  /** Rewrites records in place; runs inside the open's read-write transaction. */
  migrate(db: ImageDatabase, tx: Transaction): Promise<void>;
}

/** Every step from format 1 to FORMAT_VERSION. Format 1 is the first; nothing to run yet. */
export const MIGRATIONS: Migration[] = [];

/** The steps that take an image from `from` to `to`, or a reason why there is no such path. */
export function migrationPath(migrations: Migration[], from: number, to: number): Migration[] | string {
  const path: Migration[] = [];
  for (let at = from; at < to; ) {
    const step = migrations.find((m) => m.from === at);
    if (!step || step.to !== at + 1) return `no migration from format ${at} to ${at + 1}`;
    path.push(step);
    at = step.to;
  }
  return path;
}

/** Runs the steps from the image's format to `to` in one read-write transaction: all or nothing. */
export async function migrate(db: ImageDatabase, name: string, meta: MetaRecord, to: number, migrations: Migration[], timeoutMs: number): Promise<MetaRecord> {
  const path = migrationPath(migrations, meta.formatVersion, to);
  const what = `Migrating image “${name}” from format ${meta.formatVersion} to ${to}`;
  if (typeof path === 'string') throw new StoreError('migration-failed', `${what} failed: ${path}. Nothing was changed.`);
  let step: Migration | undefined;
  try {
    return await bounded(
      db.transaction('rw', [db.objects, db.txlog, db.blobs, db.meta], async (tx) => {
        for (step of path) await step.migrate(db, tx);
        const next = { ...(await db.meta.get('image'))!, formatVersion: to };
        await db.meta.put(next);
        return next;
      }),
      timeoutMs,
      what,
    );
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new StoreError('migration-failed', `${what} failed at step “${step?.name}” (format ${step?.from} → ${step?.to}): ${detail}. The image was left untouched at format ${meta.formatVersion}.`, { cause: e });
  }
}
