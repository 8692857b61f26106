// The method editor: one method's source in Monaco. Save (Ctrl/Cmd+S) commits it as a
// transaction; a syntax error is marked inline at its line and nothing is committed.
import { useRef, useState } from 'react';
import { CodeEditor, type CodeEditorHandle } from '../editor/CodeEditor';
import { useObject, worldLink } from '../world/useWorld';
import { describeError, openQuery } from '../actions';
import { useViewState } from '../viewState';

export function MethodEditor({ oid, selector }: { oid: number; selector: string }) {
  const { data: object, error } = useObject(oid);
  if (error && !object) return <p className="error-text">Cannot read object #{oid}: {error}</p>;
  if (!object) return <p className="muted">Reading…</p>;
  const slot = [...object.slots, ...object.traitMethods].find((s) => s.name === selector);
  return (
    <MethodPane
      oid={oid}
      selector={selector}
      source={slot?.source ?? 'function () {\n  \n}'}
      label={`Source of ${object.name} » ${selector}`}
    />
  );
}

/** A method's source with Save; shared by the method editor and the debugger. */
export function MethodPane({
  oid,
  selector,
  source,
  label,
  markedLine,
  onSaved,
}: {
  oid: number;
  selector: string;
  source: string;
  label: string;
  markedLine?: number;
  onSaved?: () => void;
}) {
  const editor = useRef<CodeEditorHandle | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [dirty, setDirty] = useState(false);

  const save = async (h = editor.current) => {
    if (!h) return;
    const outcome = await worldLink().setMethod(oid, selector, h.getText());
    if (outcome.ok) {
      h.markError(null);
      setMessage({ text: 'Saved.', error: false });
      setDirty(false);
      useViewState.getState().setStatus(`Saved ${selector}`);
      onSaved?.();
    } else {
      const e = outcome.error;
      h.markError({ line: e.line ?? 1, column: e.column, message: describeError(e) });
      setMessage({ text: `${describeError(e)} — nothing was committed.`, error: true });
    }
  };

  return (
    <div className="method-editor">
      <div className="toolbar" role="toolbar" aria-label={`Actions on ${selector}`}>
        <button type="button" onClick={() => void save()} title="Save (Ctrl+S)">
          Save
        </button>
        <button type="button" onClick={() => openQuery('senders', selector)}>
          Senders
        </button>
        <button type="button" onClick={() => openQuery('implementors', selector)}>
          Implementors
        </button>
        {dirty && <span className="muted">modified</span>}
        {message && (
          <span className={message.error ? 'error-text' : 'ok-text'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </span>
        )}
      </div>
      <CodeEditor
        key={`${oid}:${selector}`}
        initialText={source}
        label={label}
        markedLine={markedLine}
        commands={[{ keys: (m) => m.KeyMod.CtrlCmd | m.KeyCode.KeyS, run: (h) => void save(h) }]}
        onReady={(h) => {
          editor.current = h;
        }}
        onChange={() => setDirty(true)}
      />
    </div>
  );
}
