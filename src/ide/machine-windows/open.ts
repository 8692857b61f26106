// Opening the Machine's windows (from the world menu, the Machine window, or a script).
import { fitsOnScreen, useViewState, type WindowKind } from '../view-state';

/** `at` when the window fits on screen there, else nothing (the usual cascade places it). */
function beside(kind: WindowKind, at: { x: number; y: number }): { x: number; y: number } | object {
  return fitsOnScreen(kind, at.x, at.y) ? at : {};
}

export function openMachine(): string {
  return useViewState.getState().openWindow({ kind: 'machine', title: 'Machine', target: {} });
}

export function openConsole(): string {
  const view = useViewState.getState();
  const machine = view.windows.find((w) => w.kind === 'machine');
  // Beside the Machine window when there is one.
  const at = machine ? beside('console', { x: machine.x + machine.w + 12, y: machine.y }) : {};
  return view.openWindow({ kind: 'console', title: 'Console', target: {}, ...at });
}

export function openKernelObjects(): string {
  const view = useViewState.getState();
  const machine = view.windows.find((w) => w.kind === 'machine');
  // Below the Machine window when there is one, so its buttons stay in sight.
  const at = machine ? beside('kernel-objects', { x: machine.x, y: machine.y + machine.h + 12 }) : {};
  return view.openWindow({ kind: 'kernel-objects', title: 'Kernel objects', target: {}, ...at });
}

export function openFiles(): string {
  const view = useViewState.getState();
  const machine = view.windows.find((w) => w.kind === 'machine');
  // Below the Machine window when there is one, like the kernel objects.
  const at = machine ? beside('files', { x: machine.x, y: machine.y + machine.h + 12 }) : {};
  return view.openWindow({ kind: 'files', title: 'Files', target: {}, ...at });
}

/** An outliner on one kernel object of the PS (read-only; Process objects can spawn). */
export function openKernelObject(oid: number, name: string): string {
  const view = useViewState.getState();
  const list = view.windows.find((w) => w.kind === 'kernel-objects');
  const open = view.windows.filter((w) => w.kind === 'kernel-object').length;
  // Beside the list, cascading.
  const at = list ? beside('kernel-object', { x: list.x + list.w + 12 + 24 * (open % 5), y: list.y + 24 * (open % 5) }) : {};
  return view.openWindow({ kind: 'kernel-object', title: `Kernel ${name}`, target: { oid }, ...at });
}

/** A read-only viewer on one file of the running TelOS (one window per path), beside Files. */
export function openFile(path: string): string {
  const view = useViewState.getState();
  const files = view.windows.find((w) => w.kind === 'files');
  const open = view.windows.filter((w) => w.kind === 'file').length;
  const at = files ? beside('file', { x: files.x + files.w + 12 + 24 * (open % 5), y: files.y + 24 * (open % 5) }) : {};
  return view.openWindow({ kind: 'file', title: path, target: { data: path }, ...at });
}
