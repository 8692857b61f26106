// Kernel objects in the IDE: the Persistence Server's objects, read from the PS log on the
// image's disk (when the machine is off, or from the running machine's live disk), listed
// in one window and shown read-only in outliners. A Process (anything whose parent chain
// reaches the Process prototype) can be sent `spawn`, which asks the running PMS for a
// new process.
import { useEffect, useState, type FormEvent } from 'react';
import { machineLink, useMachine } from './machineLink';
import { openKernelObject } from './open';
import type { KernelObjectView, KernelObjectsView } from '../../machine';

function nameOf(o: KernelObjectView): string {
  return o.fields.name ?? `#${o.oid}`;
}

/** Whether an object is the Process prototype or inherits from it. */
function isProcess(o: KernelObjectView, all: KernelObjectView[]): boolean {
  const byOid = new Map(all.map((x) => [x.oid, x]));
  let at: KernelObjectView | undefined = o;
  for (let hops = 0; at && hops < 32; hops++) {
    if (at.fields.name === 'Process') return true;
    at = at.fields.parent !== undefined ? byOid.get(Number(at.fields.parent)) : undefined;
  }
  return false;
}

function useKernelObjects(): KernelObjectsView | null {
  const view = useMachine((s) => s.kernelObjects);
  const state = useMachine((s) => s.status.state);
  useEffect(() => {
    void machineLink().refreshKernelObjects();
    if (state !== 'running') return;
    // The disk changes while it runs: look again every two seconds.
    const t = setInterval(() => void machineLink().refreshKernelObjects(), 2000);
    return () => clearInterval(t);
  }, [state]);
  return view;
}

function Provenance({ view }: { view: KernelObjectsView }) {
  return (
    <p className="muted kernel-source">
      {view.source === 'bridge'
        ? 'Live, from the running PS and PMS over the COM2 bridge'
        : view.source === 'live'
          ? 'From the running machine’s disk (the bridge is not serving yet)'
          : 'From the PS log on the image’s disk (machine off)'}
      {view.disk === 'ok' && view.source !== 'bridge' ? ` · ${view.transactions} transactions · generation ${view.generation}` : ''}
      {view.binaryObjects ? ` · ${view.binaryObjects} program-image chunks not listed` : ''}
      {view.disk === 'empty' ? ' · the disk is empty: boot the machine to create the genesis objects' : ''}
      {view.problem ? <span className="error-text"> · {view.problem}</span> : null}
    </p>
  );
}

export function KernelObjectsWindow() {
  const view = useKernelObjects();
  if (!view) return <p className="muted">Reading the PS log…</p>;
  return (
    <div className="kernel-objects">
      <Provenance view={view} />
      <table className="kernel-table" aria-label="Kernel objects">
        <thead>
          <tr>
            <th>oid</th>
            <th>name</th>
            <th>kind</th>
            <th>parent</th>
            {view.source !== 'bridge' && <th>tid</th>}
          </tr>
        </thead>
        <tbody>
          {view.objects.map((o) => (
            <tr key={o.oid} aria-label={`${nameOf(o)} ${o.fields.kind ?? ''}`.trim()}>
              <td className="mono">{o.oid}</td>
              <td>
                <button type="button" className="linklike" onClick={() => openKernelObject(o.oid, nameOf(o))}>
                  {nameOf(o)}
                </button>
              </td>
              <td>{o.fields.kind ?? ''}</td>
              <td className="mono">{o.fields.parent ?? ''}</td>
              {view.source !== 'bridge' && <td className="mono">{o.tid ?? '—'}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A read-only outliner on one kernel object. */
export function KernelObjectOutliner({ oid }: { oid: number }) {
  const view = useKernelObjects();
  const state = useMachine((s) => s.status.state);
  const object = view?.objects.find((o) => o.oid === oid);
  const [program, setProgram] = useState('');
  const [said, setSaid] = useState<string | null>(null);
  if (!view) return <p className="muted">Reading the PS log…</p>;
  if (!object) return <p className="muted">Kernel object #{oid} is not in the PS log{view.disk !== 'ok' ? ` (disk ${view.disk})` : ''}.</p>;
  const processLike = isProcess(object, view.objects);
  // A process's `image` names its program image object by oid; spawn takes the program's name.
  const linked = (k: string) => (k === 'parent' || k === 'image') && object.fields[k] !== undefined ? view.objects.find((o) => o.oid === Number(object.fields[k])) : undefined;
  const imageObject = linked('image');
  const defaultProgram = imageObject?.fields.name ?? (object.fields.name === 'Process' ? 'test_proc' : (object.fields.name ?? 'test_proc'));
  const spawn = async (e: FormEvent) => {
    e.preventDefault();
    const name = program.trim() || defaultProgram;
    setSaid(await machineLink().spawn(name));
  };
  return (
    <div className="kernel-outliner">
      <Provenance view={view} />
      <table className="slot-table" aria-label={`Slots of kernel ${nameOf(object)}`}>
        <tbody>
          <tr>
            <th scope="row">oid</th>
            <td className="mono">{object.oid}</td>
          </tr>
          {Object.entries(object.fields).map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td className="mono">
                {(() => {
                  const target = linked(k);
                  if (!target) return v;
                  return (
                    <button type="button" className="linklike" onClick={() => openKernelObject(target.oid, nameOf(target))}>
                      {k === 'parent' ? '↑ ' : '→ '}
                      {nameOf(target)} (#{target.oid})
                    </button>
                  );
                })()}
              </td>
            </tr>
          ))}
          <tr>
            <th scope="row">{object.tid !== undefined ? 'written by' : 'size'}</th>
            <td className="mono">
              {object.tid !== undefined ? `transaction ${object.tid} · ` : ''}
              {object.size} bytes
            </td>
          </tr>
        </tbody>
      </table>
      {processLike && (
        <form className="toolbar" onSubmit={spawn} aria-label="Spawn a process">
          <input
            aria-label="Program to spawn"
            placeholder={defaultProgram}
            value={program}
            onChange={(e) => setProgram(e.target.value)}
          />
          <button type="submit" disabled={state !== 'running'} title={state === 'running' ? 'Ask the PMS for a new process' : 'Boot the machine first'}>
            Spawn
          </button>
          {said && <span className="muted">{said}</span>}
        </form>
      )}
    </div>
  );
}
