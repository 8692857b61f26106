// Loaded only on first use (a dynamic import from load-monaco.ts), so Monaco stays out of
// the page's cold load. It brings the editor core, the contributions a code pane needs,
// JavaScript highlighting (Monarch tokens, no language server), and its worker bundled
// by Vite through `?worker`, so the editor works offline with no CDN.
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching.js';
import 'monaco-editor/editor/contrib/comment/browser/comment.js';
import 'monaco-editor/editor/contrib/find/browser/findController.js';
import 'monaco-editor/editor/contrib/linesOperations/browser/linesOperations.js';
import 'monaco-editor/editor/contrib/wordOperations/browser/wordOperations.js';
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution.js';
import 'monaco-editor/editor/contrib/clipboard/browser/clipboard.js';
import 'monaco-editor/editor/contrib/contextmenu/browser/contextmenu.js';
import 'monaco-editor/languages/definitions/javascript/register.js';
import EditorWorker from 'monaco-editor/editor/editor.worker.js?worker';

(globalThis as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker: () => new EditorWorker(),
};

/** Follows the system's light or dark setting, as the rest of the IDE does. */
function followSystemTheme(): void {
  const dark = window.matchMedia?.('(prefers-color-scheme: dark)');
  monaco.editor.setTheme(dark?.matches ? 'vs-dark' : 'vs');
  dark?.addEventListener('change', (e) => monaco.editor.setTheme(e.matches ? 'vs-dark' : 'vs'));
}
followSystemTheme();

export { monaco };
