// The integrity check: every record read and checked for shape and references. A damaged
// image is made read-only, never repaired behind the user's back.
import type { StoreCore } from './core';
import { MetaSchema, ObjectRecordSchema, TxRecordSchema, recordProblem, txOrderProblem, visitReferences, type Oid, type Tid } from './format';
import type { IntegrityProblem, IntegrityReport } from './types';

const MAX_PROBLEMS = 200;

/** Reads every record and checks its shape and references. Problems make the image
 * read-only (nothing is repaired); the report says which records and why. */
export async function checkIntegrity(core: StoreCore): Promise<IntegrityReport> {
  const problems: IntegrityProblem[] = [];
  const add = (p: IntegrityProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const report = await core.run('r', [core.db.objects, core.db.txlog, core.db.meta, core.db.blobs], `Checking image “${core.name}”`, 'Nothing was changed.', async () => {
    const meta = await core.db.meta.get('image');
    const metaProblem = recordProblem(MetaSchema, meta);
    if (metaProblem) add({ table: 'meta', key: 'image', problem: metaProblem });
    const oids = new Set<Oid>();
    const refs: [Oid, Oid][] = [];
    const blobRefs: [Oid, string][] = [];
    let objects = 0;
    await core.db.objects.each((rec, cursor) => {
      objects++;
      const key = cursor.primaryKey as Oid;
      oids.add(key);
      const p = recordProblem(ObjectRecordSchema, rec);
      if (p) return add({ table: 'objects', key, problem: p });
      if (rec.oid !== key || rec.state.oid !== key) return add({ table: 'objects', key, problem: `record says oid ${rec.oid}, its state says ${rec.state.oid}` });
      if (meta && rec.serial > meta.lastTid) add({ table: 'objects', key, problem: `serial ${rec.serial} is newer than the last transaction ${meta.lastTid}` });
      visitReferences(rec.state, (o) => refs.push([key, o]), (b) => blobRefs.push([key, b]));
    });
    for (const [from, to] of refs) if (!oids.has(to)) add({ table: 'objects', key: from, problem: `refers to object ${to}, which is not in the image` });
    if (meta && !metaProblem && objects > 0 && !oids.has(meta.root)) add({ table: 'meta', key: 'image', problem: `the root object ${meta.root} is missing` });
    if (blobRefs.length) {
      const ids = [...new Set(blobRefs.map(([, b]) => b))];
      const found = await core.db.blobs.bulkGet(ids);
      const missing = new Set(ids.filter((_, i) => !found[i]));
      for (const [from, b] of blobRefs) if (missing.has(b)) add({ table: 'objects', key: from, problem: `refers to blob ${b}, which is not in the image` });
    }
    let transactions = 0;
    await core.db.txlog.each((rec, cursor) => {
      transactions++;
      const p = recordProblem(TxRecordSchema, rec);
      if (p) add({ table: 'txlog', key: cursor.primaryKey as Tid, problem: p });
      else if (rec.tid !== cursor.primaryKey) add({ table: 'txlog', key: cursor.primaryKey as Tid, problem: `record says tid ${rec.tid}` });
      else {
        const order = txOrderProblem(rec);
        if (order) add({ table: 'txlog', key: rec.tid, problem: order });
      }
    });
    return { ok: problems.length === 0, objects, transactions, problems };
  });
  core.report = report;
  if (!report.ok) {
    core.readOnly = `${report.problems.length}${report.problems.length >= MAX_PROBLEMS ? '+' : ''} damaged record(s) were found, the first: ${report.problems[0]!.table} ${report.problems[0]!.key}: ${report.problems[0]!.problem}`;
  }
  core.emit({ type: 'integrity', report });
  return report;
}
