// An ObjectStore kept in memory: the reference behaviour of a store (serial checks, atomic
// commit, createdTid stamping) for tests and the command line. Nothing survives the process.

import { ConflictError } from './errors';
import type { CommitResult, LoadedObject, OID, ObjectState, ObjectStore, Tid, WriteSet } from './types';
import { copyState } from './world';

export class InMemoryStore implements ObjectStore {
  private readonly records = new Map<OID, LoadedObject>();
  /** Every committed write set, oldest first (for tests and history views). */
  readonly log: (WriteSet & { tid: Tid })[] = [];
  lastTid: Tid = 0;
  nextOid: OID = 0;

  async load(oids: OID[]): Promise<LoadedObject[]> {
    const out: LoadedObject[] = [];
    for (const o of oids) {
      const r = this.records.get(o);
      if (r) out.push({ state: copyState(r.state), serial: r.serial });
    }
    return out;
  }

  async commit(ws: WriteSet): Promise<CommitResult> {
    const stale = ws.writes.filter((w) => (this.records.get(w.oid)?.serial ?? 0) !== w.serial).map((w) => w.oid);
    if (stale.length) throw new ConflictError(stale);
    const tid = ++this.lastTid;
    for (const w of ws.writes) {
      const state: ObjectState = copyState(w.after);
      if (w.before === null && state.meta.createdTid === undefined) state.meta.createdTid = tid;
      this.records.set(w.oid, { state, serial: tid });
    }
    this.nextOid = Math.max(this.nextOid, ws.nextOid);
    this.log.push({ ...ws, tid });
    return { tid };
  }

  /** Starts from existing committed objects (an image file read into memory). */
  preload(objects: LoadedObject[], lastTid: Tid, nextOid: OID): void {
    // A loop, not Math.max(...): spreading one argument per object overflowed the stack
    // past about 125,000 objects.
    let maxTid = Math.max(this.lastTid, lastTid);
    let endOid = Math.max(this.nextOid, nextOid);
    for (const o of objects) {
      this.records.set(o.state.oid, { state: copyState(o.state), serial: o.serial });
      if (o.serial > maxTid) maxTid = o.serial;
      if (o.state.oid >= endOid) endOid = o.state.oid + 1;
    }
    this.lastTid = maxTid;
    this.nextOid = endOid;
  }

  /** Committed state of one object (a copy), or undefined. */
  peek(oid: OID): LoadedObject | undefined {
    const r = this.records.get(oid);
    return r && { state: copyState(r.state), serial: r.serial };
  }

  oids(): OID[] {
    return [...this.records.keys()].sort((a, b) => a - b);
  }
}
