// The Workspace: code run with the lobby as self. Do it, Print it and Inspect it
// (Ctrl/Cmd+D, P, I, as in Pharo) evaluate the selection, or the current line when
// nothing is selected; each evaluation is one transaction.
import { useRef } from 'react';
import { CodeEditor, type CodeEditorHandle, type EditorCommand } from '../editor/CodeEditor';
import { evaluate, inspectValue } from '../actions';
import { useViewState } from '../viewState';

const WELCOME = `// Workspace: select code (or put the cursor on a line) and
// Do it (Ctrl+D), Print it (Ctrl+P) or Inspect it (Ctrl+I).
self.Circle.area()
`;

export function WorkspaceWindow({ id, initialText }: { id: string; initialText?: string }) {
  const editor = useRef<CodeEditorHandle | null>(null);

  const doIt = async (h = editor.current) => {
    if (h) await evaluate(h.getSelectionOrLine());
  };
  const printIt = async (h = editor.current) => {
    if (!h) return;
    const outcome = await evaluate(h.getSelectionOrLine());
    if (outcome?.ok) h.insertAfterSelection(outcome.printString);
  };
  const inspectIt = async (h = editor.current) => {
    if (!h) return;
    const outcome = await evaluate(h.getSelectionOrLine());
    if (outcome?.ok) inspectValue(outcome.value, outcome.printString);
  };

  const commands: EditorCommand[] = [
    { keys: (m) => m.KeyMod.CtrlCmd | m.KeyCode.KeyD, run: (h) => void doIt(h) },
    { keys: (m) => m.KeyMod.CtrlCmd | m.KeyCode.KeyP, run: (h) => void printIt(h) },
    { keys: (m) => m.KeyMod.CtrlCmd | m.KeyCode.KeyI, run: (h) => void inspectIt(h) },
  ];

  return (
    <div className="workspace">
      <div className="toolbar" role="toolbar" aria-label="Workspace actions">
        <button type="button" onClick={() => void doIt()} title="Do it (Ctrl+D)">
          Do it
        </button>
        <button type="button" onClick={() => void printIt()} title="Print it (Ctrl+P)">
          Print it
        </button>
        <button type="button" onClick={() => void inspectIt()} title="Inspect it (Ctrl+I)">
          Inspect it
        </button>
      </div>
      <CodeEditor
        initialText={initialText || WELCOME}
        label="Workspace code"
        commands={commands}
        onReady={(h) => {
          editor.current = h;
        }}
        onChange={(text) => useViewState.getState().updateWindow(id, { target: { data: text } })}
      />
    </div>
  );
}
