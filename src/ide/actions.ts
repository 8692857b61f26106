// IDE commands shared by windows, the spotter and the keyboard: open things, run code,
// report outcomes. Each asks the World through the link and shows what came back.
import { useViewState } from './viewState';
import { worldLink } from './world/useWorld';
import { formatValue, isRef } from './world/format';
import type { ErrorView, EvalOutcome, Outcome, Value } from './world/types';

export function openOutliner(oid: number, name: string, at?: { x: number; y: number }): string {
  return useViewState.getState().openWindow({ kind: 'outliner', title: name, target: { oid }, ...at });
}

export function openMethodEditor(oid: number, objectName: string, selector: string): string {
  return useViewState.getState().openWindow({
    kind: 'method',
    title: `${objectName} » ${selector}`,
    target: { oid, selector },
  });
}

export function openWorkspace(text?: string): string {
  return useViewState.getState().openWindow({ kind: 'workspace', title: 'Workspace', target: { data: text ?? '' } });
}

export function openSingleton(kind: 'transcript' | 'history' | 'images'): string {
  const titles = { transcript: 'Transcript', history: 'History', images: 'Images' };
  return useViewState.getState().openWindow({ kind, title: titles[kind], target: {} });
}

export function openQuery(query: 'senders' | 'implementors' | 'references', selector: string, oid?: number): string {
  const verb = { senders: 'Senders of', implementors: 'Implementors of', references: 'References to' }[query];
  return useViewState.getState().openWindow({
    kind: 'query',
    title: `${verb} ${selector}`,
    target: { query, selector, oid },
  });
}

/** Shows a refused operation in the status bar and the Transcript. */
export function reportOutcome(what: string, outcome: Outcome<unknown>): boolean {
  const view = useViewState.getState();
  if (outcome.ok) {
    view.setStatus(`${what}: done`);
    return true;
  }
  const msg = `${what} refused: ${describeError(outcome.error)}`;
  view.setStatus(msg);
  view.appendTranscript(msg, 'error');
  return false;
}

export function describeError(e: ErrorView): string {
  const where = e.line ? ` (line ${e.line}${e.column ? `, column ${e.column}` : ''})` : '';
  return `${e.name}: ${e.message}${where}`;
}

/** Runs workspace code as one transaction; an error opens the debugger on it. */
export async function evaluate(source: string): Promise<EvalOutcome | null> {
  const view = useViewState.getState();
  let outcome: EvalOutcome;
  try {
    outcome = await worldLink().evaluate(source);
  } catch (e) {
    view.setStatus(`Evaluation failed: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
  for (const line of outcome.output) view.appendTranscript(line, 'print');
  if (outcome.ok) {
    view.setStatus(`Evaluated: ${outcome.printString.slice(0, 80)}`);
  } else {
    view.setStatus(describeError(outcome.error));
    openDebugger(source, outcome.error);
  }
  return outcome;
}

export function openDebugger(source: string, error: ErrorView): string {
  return useViewState.getState().openWindow({
    kind: 'debugger',
    title: `Debugger: ${error.name}`,
    target: { data: { source, error } },
  });
}

/** Inspect it: an outliner for an object, an inspector for any other value. */
export function inspectValue(value: Value, printString: string): void {
  if (isRef(value)) {
    openOutliner(value.ref, printString.replace(/\s*\(#\d+\)$/, '') || `#${value.ref}`);
    return;
  }
  useViewState.getState().openWindow({
    kind: 'inspector',
    title: `Inspector: ${printString.slice(0, 40) || formatValue(value)}`,
    target: { data: { value, printString } },
  });
}

/** Imports a `.telos` file as a new image, after the user confirms its name (the Images
 * window's Import and a file dropped on the world both come here). True when it landed. */
export async function importImageFile(file: File): Promise<boolean> {
  const link = worldLink();
  if (!link.importImage) return false;
  const name = window.prompt('Name of the new image', file.name.replace(/\.telos$/i, ''));
  if (!name) return false;
  const landed = reportOutcome(`Import ${file.name}`, await link.importImage(file, name));
  useViewState.getState().imageListChanged();
  return landed;
}
