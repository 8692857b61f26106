// Lazy entry to Monaco: the first call downloads the editor chunk; later calls share it.
export type Monaco = typeof import('monaco-editor/editor/editor.api.js');

let loading: Promise<Monaco> | null = null;

export function loadMonaco(): Promise<Monaco> {
  loading ??= import('./monaco-setup').then((m) => m.monaco);
  return loading;
}
