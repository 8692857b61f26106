// Opening the Machine's windows (from the world menu, the Machine window, or a script).
import { useViewState } from '../viewState';

export function openMachine(): string {
  return useViewState.getState().openWindow({ kind: 'machine', title: 'Machine', target: {} });
}

export function openConsole(): string {
  const view = useViewState.getState();
  const machine = view.windows.find((w) => w.kind === 'machine');
  // Beside the Machine window when there is one.
  const at = machine ? { x: machine.x + machine.w + 12, y: machine.y } : {};
  return view.openWindow({ kind: 'console', title: 'Console', target: {}, ...at });
}

export function openKernelObjects(): string {
  return useViewState.getState().openWindow({ kind: 'kernel-objects', title: 'Kernel objects', target: {} });
}

/** An outliner on one kernel object of the PS (read-only; Process objects can spawn). */
export function openKernelObject(oid: number, name: string): string {
  return useViewState.getState().openWindow({ kind: 'kernel-object', title: `Kernel ${name}`, target: { oid } });
}
