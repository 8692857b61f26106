// The Machine in the IDE: windows for the TelOS PC (power, console, kernel objects, files, a file). The
// IDE's window registry renders MachineWindowContent for the machine's window kinds; the
// components and xterm.js load on first use.
import { lazy, Suspense } from 'react';
export { openMachine, openConsole, openKernelObjects, openKernelObject, openFiles, openFile } from './open';

const windows = () => import('./windows');
const MachineWindow = lazy(() => windows().then((m) => ({ default: m.MachineWindow })));
const ConsoleWindow = lazy(() => windows().then((m) => ({ default: m.ConsoleWindow })));
const KernelObjectsWindow = lazy(() => windows().then((m) => ({ default: m.KernelObjectsWindow })));
const KernelObjectOutliner = lazy(() => windows().then((m) => ({ default: m.KernelObjectOutliner })));
const FilesWindow = lazy(() => windows().then((m) => ({ default: m.FilesWindow })));
const FileViewer = lazy(() => windows().then((m) => ({ default: m.FileViewer })));

export type MachineWindowKind = 'machine' | 'console' | 'kernel-objects' | 'kernel-object' | 'files' | 'file';

export function MachineWindowContent({ kind, oid, path }: { kind: MachineWindowKind; oid?: number; path?: string }) {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      {kind === 'machine' && <MachineWindow />}
      {kind === 'console' && <ConsoleWindow />}
      {kind === 'kernel-objects' && <KernelObjectsWindow />}
      {kind === 'kernel-object' && <KernelObjectOutliner oid={oid ?? 0} />}
      {kind === 'files' && <FilesWindow />}
      {kind === 'file' && <FileViewer path={path ?? '/'} />}
    </Suspense>
  );
}
