// Kernel objects in the IDE: the Persistence Server's typed objects, read from the PS log
// on the image's disk (when the machine is off, or from the running machine's live disk)
// or over the bridge, listed in one window with their parents and traits, and shown
// read-only in outliners slot by slot (data, parent, method and capability slots, trait
// uses). A Process (anything whose parent chain reaches the Process prototype) can be
// sent `spawn`, which asks the running PMS for a new process.
import { useEffect, useState, type FormEvent } from 'react';
import { machineLink, useMachine } from './machine-link';
import { openKernelObject } from './open';
import type { KernelObjectView, KernelObjectsView } from '../../workers';

function nameOf(o: KernelObjectView): string {
  return o.name || `#${o.oid}`;
}

/** Whether an object is the Process prototype or inherits from it. */
function isProcess(o: KernelObjectView, all: KernelObjectView[]): boolean {
  const byOid = new Map(all.map((x) => [x.oid, x]));
  const seen = new Set<number>();
  const walk = (at: KernelObjectView | undefined): boolean => {
    if (!at || seen.has(at.oid)) return false;
    seen.add(at.oid);
    if (at.name === 'Process') return true;
    return at.slots.some((s) => s.kind === 'parent' && s.ref !== undefined && walk(byOid.get(s.ref)));
  };
  return walk(o);
}

/** A link that opens the outliner on the kernel object `oid`. */
function ObjectLink({ oid, name, prefix = '' }: { oid: number; name: string; prefix?: string }) {
  return (
    <button type="button" className="linklike" onClick={() => openKernelObject(oid, name)}>
      {prefix}
      {name}
    </button>
  );
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
            <th>role</th>
            <th>parents</th>
            <th>traits</th>
            <th>slots</th>
            {view.source !== 'bridge' && <th>tid</th>}
          </tr>
        </thead>
        <tbody>
          {view.objects.map((o) => (
            <tr key={o.oid} aria-label={`${nameOf(o)} ${o.role}`.trim()}>
              <td className="mono">{o.oid}</td>
              <td>
                <ObjectLink oid={o.oid} name={nameOf(o)} />
              </td>
              <td>{o.problem ? <span className="error-text">{o.problem}</span> : o.role}</td>
              <td>
                {o.slots
                  .filter((s) => s.kind === 'parent' && s.ref !== undefined)
                  .map((s) => (
                    <ObjectLink key={s.name} oid={s.ref!} name={view.objects.find((x) => x.oid === s.ref)?.name ?? `#${s.ref}`} prefix="↑ " />
                  ))}
              </td>
              <td>
                {o.traits.map((t, i) => (
                  <span key={t.oid}>
                    {i ? ', ' : ''}
                    <ObjectLink oid={t.oid} name={t.name} />
                  </span>
                ))}
              </td>
              <td className="mono">{o.slots.length}</td>
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
  // A process's `image` names its program image object; spawn takes the program's name.
  const imageRef = object.slots.find((s) => s.name === 'image')?.ref;
  const imageObject = imageRef !== undefined ? view.objects.find((o) => o.oid === imageRef) : undefined;
  const imageName = imageObject?.slots.find((s) => s.name === 'name')?.text;
  const defaultProgram = imageName ?? (object.name === 'Process' ? 'test_proc' : object.name || 'test_proc');
  const spawn = async (e: FormEvent) => {
    e.preventDefault();
    const name = program.trim() || defaultProgram;
    setSaid(await machineLink().spawn(name));
  };
  const target = (oid: number) => view.objects.find((o) => o.oid === oid);
  return (
    <div className="kernel-outliner">
      <Provenance view={view} />
      {object.problem && <p className="error-text">{object.problem}</p>}
      <table className="slot-table" aria-label={`Slots of kernel ${nameOf(object)}`}>
        <tbody>
          <tr>
            <th scope="row">oid</th>
            <td className="mono">{object.oid}</td>
          </tr>
          {object.slots.map((s) => (
            <tr key={s.name} className={`slot-${s.kind}`}>
              <th scope="row" title={`${s.kind} slot`}>
                {s.kind === 'parent' ? `${s.name}*` : s.name}
              </th>
              <td className="mono">
                {s.ref !== undefined && target(s.ref) ? (
                  <ObjectLink oid={s.ref} name={`${nameOf(target(s.ref)!)} (#${s.ref})`} prefix={s.kind === 'parent' ? '↑ ' : '→ '} />
                ) : (
                  s.text
                )}
              </td>
            </tr>
          ))}
          {object.traits.map((t) => (
            <tr key={`trait-${t.oid}`} className="slot-trait">
              <th scope="row">uses</th>
              <td className="mono">
                <ObjectLink oid={t.oid} name={t.name} />
                {t.exclude.length ? ` minus ${t.exclude.join(', ')}` : ''}
                {Object.keys(t.alias).length ? ` with ${Object.entries(t.alias).map(([a, o]) => `${a} → ${o}`).join(', ')}` : ''}
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
