// The Workspace: code run with the lobby as self. Do it, Print it and Inspect it
// (Ctrl/Cmd+D, P, I, as in Pharo) evaluate the selection, or the current line when
// nothing is selected; each evaluation is one transaction.
import { useEffect, useRef, useState } from 'react';
import { CodeEditor, type CodeEditorHandle, type EditorCommand } from '../editor/CodeEditor';
import { evaluate, inspectValue } from '../actions';
import { useViewState } from '../view-state';

const WELCOME = `// Workspace: select code (or put the cursor on a line) and
// Do it (Ctrl+D), Print it (Ctrl+P) or Inspect it (Ctrl+I).
self.Circle.area()
`;

/** "Running…" beside the workspace's actions while its evaluations run, with the seconds
 * they have taken once that is more than one. */
function RunningIndicator({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.floor((now - since) / 1000);
  return (
    <span className="running" role="status" aria-label="Evaluation running">
      <span className="spinner" aria-hidden="true" />
      Running…{seconds >= 1 ? ` ${seconds} s` : ''}
    </span>
  );
}

export function WorkspaceWindow({ id, initialText }: { id: string; initialText?: string }) {
  const editor = useRef<CodeEditorHandle | null>(null);
  // Evaluations of this workspace not answered yet (they queue in the World), and since when.
  const [running, setRunning] = useState<{ count: number; since: number }>({ count: 0, since: 0 });
  const run = async (source: string) => {
    setRunning((r) => ({ count: r.count + 1, since: r.count === 0 ? Date.now() : r.since }));
    try {
      return await evaluate(source);
    } finally {
      setRunning((r) => ({ count: r.count - 1, since: r.since }));
    }
  };

  const doIt = async (h = editor.current) => {
    if (h) await run(h.getSelectionOrLine());
  };
  const printIt = async (h = editor.current) => {
    if (!h) return;
    const outcome = await run(h.getSelectionOrLine());
    if (outcome?.ok) h.insertAfterSelection(outcome.printString);
  };
  const inspectIt = async (h = editor.current) => {
    if (!h) return;
    const outcome = await run(h.getSelectionOrLine());
    if (outcome?.ok) inspectValue(outcome.value, outcome.printString);
  };

  const commands: EditorCommand[] = [
    { keys: (m) => m.KeyMod.CtrlCmd | m.KeyCode.KeyD, run: (h) => void doIt(h) },
    { keys: (m) => m.KeyMod.CtrlCmd | m.KeyCode.KeyP, run: (h) => void printIt(h) },
    { keys: (m) => m.KeyMod.CtrlCmd | m.KeyCode.KeyI, run: (h) => void inspectIt(h) },
  ];

  return (
    <div className="workspace">
      <div className="toolbar" role="toolbar" aria-label="Workspace actions" aria-busy={running.count > 0}>
        <button type="button" onClick={() => void doIt()} title="Do it (Ctrl+D)">
          Do it
        </button>
        <button type="button" onClick={() => void printIt()} title="Print it (Ctrl+P)">
          Print it
        </button>
        <button type="button" onClick={() => void inspectIt()} title="Inspect it (Ctrl+I)">
          Inspect it
        </button>
        {running.count > 0 && <RunningIndicator since={running.since} />}
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
