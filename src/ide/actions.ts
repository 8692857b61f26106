// IDE commands shared by windows, the spotter and the keyboard: open things, run code,
// report outcomes. Each asks the World through the link and shows what came back.
import { useViewState } from './view-state';
import { deadlineFor, type StopFlag } from './evaluation-control';
import { LONG_WORK_MS, notify } from './notifications';
import { worldLink } from './world-link/use-world';
import { formatValue, isRef } from './world-link/format';
import type { ErrorView, EvalOutcome, Outcome, Value } from './world-link/types';
import type { WorldLink } from './world-link/world-link';

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

/**
 * Asks the World through the link. A throw (no World connected yet, its worker gone) comes
 * back as a failed outcome, so callers report it like a refusal instead of it escaping from
 * an event handler as an unhandled rejection.
 */
export async function askWorld<T>(ask: (link: WorldLink) => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await ask(worldLink());
  } catch (e) {
    return { ok: false, error: { name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e), frames: [] } };
  }
}

/** Asks the World and shows the outcome (a missing World included) in the status bar and the
 * Transcript; true when it was done. */
export async function askAndReport(what: string, ask: (link: WorldLink) => Promise<Outcome<unknown>>): Promise<boolean> {
  return reportOutcome(what, await askWorld(ask));
}

/** Shows an operation's outcome in the status bar; a refusal also goes to the Transcript and
 * the notifications, and so does a success when `long` (work the user waited for, such as an
 * export, whose "done" the next status message would replace before it is read). */
export function reportOutcome(what: string, outcome: Outcome<unknown>, long = false): boolean {
  const view = useViewState.getState();
  if (outcome.ok) {
    view.setStatus(`${what}: done`);
    if (long) notify(`${what}: done`);
    return true;
  }
  const msg = `${what} refused: ${describeError(outcome.error)}`;
  view.setStatus(msg);
  view.appendTranscript(msg, 'error');
  notify(msg, 'error');
  return false;
}

export function describeError(e: ErrorView): string {
  const where = e.line ? ` (line ${e.line}${e.column ? `, column ${e.column}` : ''})` : '';
  return `${e.name}: ${e.message}${where}`;
}

/** Runs workspace code as one transaction under the workspace's time limit; an error opens
 * the debugger on it, except Stop (the user asked for it: the Transcript says so). */
export async function evaluate(source: string, stop: StopFlag | null = null): Promise<EvalOutcome | null> {
  const view = useViewState.getState();
  let outcome: EvalOutcome;
  const started = Date.now();
  try {
    const deadlineMs = deadlineFor(view.timeLimitMs, stop !== null);
    outcome = await worldLink().evaluate(source, stop ? { deadlineMs, stop: stop.buffer } : { deadlineMs });
  } catch (e) {
    // Not sent (no World connected, its worker gone): the source stays where it was typed.
    const msg = `Evaluation failed: ${e instanceof Error ? e.message : String(e)}`;
    view.setStatus(msg);
    view.appendTranscript(msg, 'error');
    notify(msg, 'error');
    return null;
  }
  const seconds = (Date.now() - started) / 1000;
  for (const line of outcome.output) view.appendTranscript(line, 'print');
  const firstLine = source.trim().split('\n')[0] ?? '';
  const shown = firstLine.length > 60 ? firstLine.slice(0, 57) + '…' : firstLine;
  if (outcome.ok) {
    view.setStatus(`Evaluated: ${outcome.printString.slice(0, 80)}`);
    if (seconds * 1000 >= LONG_WORK_MS) notify(`Evaluated in ${Math.round(seconds)} s: ${shown} → ${outcome.printString.slice(0, 80)}`);
  } else if (outcome.error.name === 'Stopped') {
    const msg = `Stopped: ${shown} (nothing it changed was kept)`;
    view.setStatus('Stopped');
    view.appendTranscript(msg, 'info');
    notify(msg, 'info');
  } else {
    view.setStatus(describeError(outcome.error));
    notify(`${shown}: ${describeError(outcome.error)}`, 'error');
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

/** Exports an image as `NAME.telos` through the browser's download (the Images window's
 * Export and the status bar's "Export a copy" both come here). */
export async function exportImageFile(name: string): Promise<void> {
  const outcome = await askWorld((link) => link.exportImage(name));
  if (!reportOutcome(`Export ${name}`, outcome, true) || !outcome.ok) return;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(outcome.value);
  a.download = `${name}.telos`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// Image commands of the Images and missing-image windows; each reports how it went.
export const newImage = (name: string) => askAndReport(`New image ${name}`, (link) => link.newImage(name));
export const openImage = (name: string) => askAndReport(`Open image ${name}`, (link) => link.openImage(name));
export const renameImage = (from: string, to: string) => askAndReport(`Rename image ${from}`, (link) => link.renameImage(from, to));
export const deleteImage = (name: string) => askAndReport(`Delete image ${name}`, (link) => link.deleteImage(name));

/** Offers a `.telos` file for import: the Images window shows it with a free name to confirm
 * or change (the Images window's Import and a file dropped on the world both come here). */
export function importImageFile(file: File): void {
  const view = useViewState.getState();
  view.setPendingImport(file);
  openSingleton('images');
}
