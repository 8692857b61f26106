// Schema evolution of the image format: a list of named steps vN → vN+1, each a record with a
// date, a name and a description. Open runs the steps an image needs, all in one read-write
// IndexedDB transaction, so an image is either fully migrated or untouched.
import type { Transaction } from 'dexie';
import type { ImageDatabase } from './database';

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
