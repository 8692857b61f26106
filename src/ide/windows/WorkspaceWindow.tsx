// The Workspace: code run with the lobby as self. Do it, Print it and Inspect it
// (Ctrl/Cmd+D, P, I, as in Pharo) evaluate the selection, or the current line when
// nothing is selected; each evaluation is one transaction.
import { useEffect, useRef, useState } from 'react';
import { CodeEditor, type CodeEditorHandle, type EditorCommand } from '../editor/CodeEditor';
import { evaluate, inspectValue } from '../actions';
import { useViewState } from '../view-state';
import { RunningEvaluations, canStop, newStopFlag, timeLimitChoices } from '../evaluation-control';

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

/** How long an evaluation may run (the view state's, shared by every workspace). Without
 * Stop (a page that is not cross-origin isolated) there is no "none". */
function TimeLimit({ stoppable }: { stoppable: boolean }) {
  const limit = useViewState((s) => s.timeLimitMs);
  const choices = timeLimitChoices(stoppable);
  return (
    <label className="time-limit">
      Time limit{' '}
      <select
        value={limit === null ? 'none' : String(limit)}
        onChange={(e) => useViewState.getState().setTimeLimit(e.target.value === 'none' ? null : Number(e.target.value))}
      >
        {choices.map((c) => (
          <option key={c.label} value={c.ms === null ? 'none' : String(c.ms)}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function WorkspaceWindow({ id, initialText }: { id: string; initialText?: string }) {
  const editor = useRef<CodeEditorHandle | null>(null);
  const stoppable = canStop();
  // Evaluations of this workspace not answered yet (they queue in the World), and since when.
  const [running, setRunning] = useState<{ count: number; since: number }>({ count: 0, since: 0 });
  const pending = useRef(new RunningEvaluations());
  const [stopping, setStopping] = useState(false);
  const run = async (source: string) => {
    setRunning((r) => ({ count: r.count + 1, since: r.count === 0 ? Date.now() : r.since }));
    const flag = newStopFlag();
    const done = pending.current.start(flag);
    try {
      return await evaluate(source, flag);
    } finally {
      done();
      if (pending.current.size === 0) setStopping(false);
      setRunning((r) => ({ count: r.count - 1, since: r.since }));
    }
  };
  const stop = () => {
    if (pending.current.stopAll() > 0) setStopping(true);
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
        <TimeLimit stoppable={stoppable} />
        {running.count > 0 && <RunningIndicator since={running.since} />}
        {running.count > 0 && stoppable && (
          <button type="button" className="stop" onClick={stop} disabled={stopping} title="Stop the running evaluation (nothing it changed is kept)">
            {stopping ? 'Stopping…' : 'Stop'}
          </button>
        )}
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
