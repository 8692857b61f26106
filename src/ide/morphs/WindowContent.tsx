// What a window shows, by kind. Each kind is a small component in windows/.
import { useViewState, type WindowMorph } from '../view-state';
import { Outliner } from '../windows/Outliner';
import { WorkspaceWindow } from '../windows/WorkspaceWindow';
import { TranscriptWindow } from '../windows/TranscriptWindow';
import { HistoryWindow } from '../windows/HistoryWindow';
import { ImagesWindow } from '../windows/ImagesWindow';
import { MethodEditor } from '../windows/MethodEditor';
import { DebuggerWindow } from '../windows/DebuggerWindow';
import { QueryWindow } from '../windows/QueryWindow';
import { InspectorWindow } from '../windows/InspectorWindow';
import { SafeModeWindow } from '../windows/SafeModeWindow';
import { MissingImageWindow } from '../windows/MissingImageWindow';
import { MachineWindowContent } from '../machine-windows';
import { useWorldLink } from '../world-link/use-world';
import type { ErrorView } from '../world-link/types';

/** Windows that need the World wait for it; the Transcript and inspectors do not. */
const NEEDS_WORLD = new Set<WindowMorph['kind']>(['outliner', 'history', 'images', 'missing-image', 'method', 'debugger', 'query']);

export function WindowContent({ id }: { id: string }) {
  // Only what decides the content; position changes do not re-render it.
  const kind = useViewState((s) => s.windows.find((w) => w.id === id)?.kind);
  const target = useViewState((s) => s.windows.find((w) => w.id === id)?.target);
  const link = useWorldLink();
  if (!kind || !target) return null;
  if (NEEDS_WORLD.has(kind) && !link) return <p className="muted">Connecting to the World…</p>;
  switch (kind) {
    case 'outliner':
      return <Outliner windowId={id} oid={target.oid ?? 0} />;
    case 'workspace':
      return <WorkspaceWindow id={id} initialText={typeof target.data === 'string' ? target.data : undefined} />;
    case 'transcript':
      return <TranscriptWindow />;
    case 'history':
      return <HistoryWindow />;
    case 'images':
      return <ImagesWindow />;
    case 'method':
      return <MethodEditor oid={target.oid ?? 0} selector={target.selector ?? ''} />;
    case 'debugger': {
      const d = target.data as { source: string; error: ErrorView };
      return <DebuggerWindow id={id} source={d.source} error={d.error} />;
    }
    case 'query':
      return <QueryWindow query={target.query ?? 'senders'} selector={target.selector ?? ''} oid={target.oid} />;
    case 'inspector':
      return <InspectorWindow data={target.data} />;
    case 'safe-mode':
      return <SafeModeWindow data={target.data} />;
    case 'missing-image':
      return <MissingImageWindow data={target.data} />;
    case 'machine':
    case 'console':
    case 'kernel-objects':
    case 'kernel-object':
    case 'files':
      return <MachineWindowContent kind={kind} oid={target.oid} />;
    case 'file':
      return <MachineWindowContent kind="file" path={typeof target.data === 'string' ? target.data : '/'} />;
  }
}
