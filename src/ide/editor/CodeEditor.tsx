// A JavaScript code pane. Monaco loads on first use; until it arrives the pane shows the
// text read-only, so a window opens at once. Commands (Do it, Save, ...) are bound
// through `commands`, each with its key chord, and run with the editor's current text
// and selection.
import { useEffect, useRef, useState } from 'react';
import type * as MonacoTypes from 'monaco-editor/editor/editor.api.js';
import { loadMonaco, type Monaco } from './load-monaco';

export interface EditorCommand {
  /** Key chord as Monaco KeyMod|KeyCode bits, computed from the loaded Monaco. */
  keys: (m: Monaco) => number;
  run: (editor: CodeEditorHandle) => void;
}

/** What commands and owners can do with a code pane. */
export interface CodeEditorHandle {
  getText(): string;
  /** Replaces the whole text as one edit the user can undo (Ctrl+Z brings the old text back). */
  setText(text: string): void;
  /** Selected text, or the current line when nothing is selected (as Pharo does). */
  getSelectionOrLine(): string;
  /** Inserts text after the selection (or line) and selects it, for Print it. */
  insertAfterSelection(text: string): void;
  /** Marks a line (1-based) with an error message; null clears the marks. */
  markError(error: { line: number; column?: number; message: string } | null): void;
  focus(): void;
}

export function CodeEditor({
  initialText,
  label,
  commands = [],
  onReady,
  onChange,
  readOnly = false,
  markedLine,
}: {
  initialText: string;
  /** Accessible name of the text area, e.g. "Workspace code". */
  label: string;
  commands?: EditorCommand[];
  onReady?: (handle: CodeEditorHandle) => void;
  onChange?: (text: string) => void;
  readOnly?: boolean;
  /** A line to highlight (e.g. the failing line in the debugger). */
  markedLine?: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<MonacoTypes.editor.IStandaloneCodeEditor | null>(null);
  const decorations = useRef<MonacoTypes.editor.IEditorDecorationsCollection | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const latest = useRef({ commands, onReady, onChange });
  latest.current = { commands, onReady, onChange };

  useEffect(() => {
    let disposed = false;
    let editor: MonacoTypes.editor.IStandaloneCodeEditor | null = null;
    loadMonaco().then(
      (monaco) => {
        if (disposed || !host.current) return;
        editor = monaco.editor.create(host.current, {
          value: initialText,
          language: 'javascript',
          ariaLabel: label,
          readOnly,
          automaticLayout: true,
          minimap: { enabled: false },
          lineNumbersMinChars: 3,
          scrollBeyondLastLine: false,
          fontSize: 13,
          tabSize: 2,
          fixedOverflowWidgets: true,
        });
        editorRef.current = editor;
        decorations.current = editor.createDecorationsCollection();
        const model = editor.getModel()!;
        const handle: CodeEditorHandle = {
          getText: () => model.getValue(),
          setText: (t) => {
            if (t === model.getValue()) return;
            editor!.pushUndoStop();
            editor!.executeEdits('replace-text', [{ range: model.getFullModelRange(), text: t }]);
            editor!.pushUndoStop();
          },
          getSelectionOrLine: () => {
            const sel = editor!.getSelection();
            if (sel && !sel.isEmpty()) return model.getValueInRange(sel);
            const line = editor!.getPosition()?.lineNumber ?? 1;
            return model.getLineContent(line);
          },
          insertAfterSelection: (text) => {
            const sel = editor!.getSelection();
            const line = editor!.getPosition()?.lineNumber ?? 1;
            const end =
              sel && !sel.isEmpty()
                ? sel.getEndPosition()
                : new monaco.Position(line, model.getLineMaxColumn(line));
            const inserted = ` ${text}`;
            editor!.executeEdits('print-it', [
              { range: new monaco.Range(end.lineNumber, end.column, end.lineNumber, end.column), text: inserted },
            ]);
            const lines = inserted.split('\n');
            const endLine = end.lineNumber + lines.length - 1;
            const endCol = lines.length === 1 ? end.column + inserted.length : lines[lines.length - 1]!.length + 1;
            editor!.setSelection(new monaco.Range(end.lineNumber, end.column + 1, endLine, endCol));
          },
          markError: (err) => {
            if (!err) {
              monaco.editor.setModelMarkers(model, 'telos', []);
              return;
            }
            const line = Math.min(Math.max(1, err.line), model.getLineCount());
            monaco.editor.setModelMarkers(model, 'telos', [
              {
                severity: monaco.MarkerSeverity.Error,
                message: err.message,
                startLineNumber: line,
                startColumn: err.column ?? 1,
                endLineNumber: line,
                endColumn: model.getLineMaxColumn(line),
              },
            ]);
            editor!.revealLineInCenterIfOutsideViewport(line);
          },
          focus: () => editor!.focus(),
        };
        for (const cmd of latest.current.commands) {
          editor.addCommand(cmd.keys(monaco), () => cmd.run(handle));
        }
        model.onDidChangeContent(() => latest.current.onChange?.(model.getValue()));
        setLoaded(true);
        latest.current.onReady?.(handle);
      },
      (err: unknown) => setFailed(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      disposed = true;
      editor?.dispose();
      editorRef.current = null;
    };
    // The editor is created once per mount; text changes go through the handle.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const editor = editorRef.current;
    if (!editor || !decorations.current) return;
    decorations.current.set(
      markedLine
        ? [
            {
              range: { startLineNumber: markedLine, startColumn: 1, endLineNumber: markedLine, endColumn: 1 },
              options: { isWholeLine: true, className: 'failing-line', linesDecorationsClassName: 'failing-line-gutter' },
            },
          ]
        : [],
    );
    if (markedLine) editor.revealLineInCenter(markedLine);
  }, [markedLine, loaded]);

  return (
    <div className="code-editor" data-loaded={loaded ? 'true' : 'false'}>
      <div ref={host} className="code-editor-host" />
      {!loaded && (
        <pre className="code-editor-placeholder" aria-busy="true">
          {failed ? `The editor failed to load: ${failed}` : initialText}
        </pre>
      )}
    </div>
  );
}
