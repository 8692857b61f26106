// The Machine's window components, loaded on first use (xterm.js and the machine worker
// stay out of the IDE's first load).
export { MachineWindow } from './MachineWindow';
export { ConsoleWindow } from './ConsoleWindow';
export { KernelObjectsWindow, KernelObjectOutliner } from './KernelObjectsWindow';
export { FilesWindow } from './FilesWindow';
export { FileViewer } from './FileViewer';
