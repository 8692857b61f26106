// The Machine window: the TelOS PC's power controls (Boot, Shut down, Power off, Reset,
// Suspend, Resume), its state and uptime, its two disks (the PS's, and the file system at
// /disk, whose size is chosen before the boot that makes it), and doors to its Console and
// kernel objects.
import './machine.css';
import { useEffect, useState } from 'react';
import { formatUptime, machineLink, useMachine } from './machine-link';
import { openConsole, openFiles, openKernelObjects } from './open';
import { useViewState } from '../view-state';
import { DEFAULT_HDB_BYTES, HDB_SIZES_MIB, type PowerState } from '../../workers';

const STATE_LABEL: Record<PowerState, string> = {
  off: 'Off',
  booting: 'Booting',
  running: 'Running',
  stopping: 'Stopping',
  suspending: 'Suspending',
  suspended: 'Suspended',
  resuming: 'Resuming',
};

function Uptime() {
  const status = useMachine((s) => s.status);
  const [, tick] = useState(0);
  useEffect(() => {
    if (status.since === null) return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [status.since]);
  const ms = status.uptimeBaseMs + (status.since !== null ? Date.now() - status.since : 0);
  return <output aria-label="Uptime">{formatUptime(ms)}</output>;
}

export function MachineWindow() {
  const status = useMachine((s) => s.status);
  const busy = useMachine((s) => s.busy);
  const error = useMachine((s) => s.error);
  // The machine belongs to the open image: follow it when another image is opened.
  const imageName = useViewState((s) => s.imageName);
  useEffect(() => {
    void machineLink().attach();
  }, [imageName]);
  const link = machineLink();
  const [hdbMiB, setHdbMiB] = useState(DEFAULT_HDB_BYTES >> 20);
  const hdbKnown = status.hdbBytes !== undefined;
  const running = status.state === 'running';
  const off = status.state === 'off' || status.state === 'suspended';
  const idle = busy === null;
  return (
    <div className="machine-window">
      <div className="toolbar" role="toolbar" aria-label="Power">
        <button type="button" disabled={!idle || !off} onClick={() => void link.power('boot', 'Boot', hdbKnown ? undefined : hdbMiB << 20)}>
          Boot
        </button>
        <button type="button" disabled={!idle || !running} onClick={() => void link.power('shutdown', 'Shut down')}>
          Shut down
        </button>
        <button type="button" disabled={!idle || !running} onClick={() => void link.power('powerOff', 'Power off')}>
          Power off
        </button>
        <button type="button" disabled={!idle || !running} onClick={() => void link.power('reset', 'Reset')}>
          Reset
        </button>
        <button type="button" disabled={!idle || !running} onClick={() => void link.power('suspend', 'Suspend')}>
          Suspend
        </button>
        <button type="button" disabled={!idle || status.state !== 'suspended'} onClick={() => void link.power('resume', 'Resume')}>
          Resume
        </button>
      </div>
      <dl className="machine-facts">
        <dt>State</dt>
        <dd>
          <output aria-label="Machine state" className={`machine-state state-${status.state}`}>
            {STATE_LABEL[status.state]}
          </output>
        </dd>
        <dt>Uptime</dt>
        <dd>
          <Uptime />
        </dd>
        <dt>Disk</dt>
        <dd className="muted">
          {status.image ? `4 MiB ATA disk of image “${status.image}”` : '—'}
          {running && (
            <>
              {' · '}
              <output aria-label="Disk state">{status.diskSaved === false ? 'writing to the image…' : 'saved in the image'}</output>
            </>
          )}
        </dd>
        <dt>
          <label htmlFor="machine-hdb-size">File disk</label>
        </dt>
        <dd className="muted">
          {!status.image ? (
            '—'
          ) : hdbKnown ? (
            <output id="machine-hdb-size" aria-label="File disk">{`${(status.hdbBytes ?? 0) >> 20} MiB disk (hdb), the ext2 file system at /disk`}</output>
          ) : (
            <>
              <select id="machine-hdb-size" value={hdbMiB} disabled={!idle || !off} onChange={(e) => setHdbMiB(Number(e.target.value))}>
                {HDB_SIZES_MIB.map((m) => (
                  <option key={m} value={m}>
                    {m} MiB
                  </option>
                ))}
              </select>{' '}
              made blank at the next boot (hdb, /disk)
            </>
          )}
        </dd>
      </dl>
      <p className="machine-note muted" aria-live="polite">
        {busy ? `${busy}…` : status.note}
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="toolbar machine-doors">
        <button type="button" onClick={() => openConsole()}>
          Open console
        </button>
        <button type="button" onClick={() => openKernelObjects()}>
          Kernel objects
        </button>
        <button type="button" onClick={() => openFiles()}>
          Files
        </button>
      </div>
    </div>
  );
}
