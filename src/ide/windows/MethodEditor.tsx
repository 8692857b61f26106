// The method editor: one method's source in Monaco. Save (Ctrl/Cmd+S) commits it as a
// transaction; a syntax error is marked inline at its line and nothing is committed.
// The editor knows which version of the method its text started from (the object's serial
// and the source then). When another tab commits a new version, an untouched editor shows it;
// an editor with changes says "Changed in another tab" at once, and Save never writes over a
// version the user has not seen: keep mine, take theirs, or compare the two side by side.
import { useEffect, useRef, useState } from 'react';
import { CodeEditor, type CodeEditorHandle } from '../editor/CodeEditor';
import { DiffPane, type DiffPaneHandle } from '../editor/DiffPane';
import { useObject, worldLink } from '../world-link/use-world';
import type { ObjectView } from '../world-link/types';
import { describeError, openQuery } from '../actions';
import { useViewState } from '../view-state';
import { StaleNotice } from './StaleNotice';
import { whileBusy } from '../busy';

const NEW_METHOD = 'function () {\n  \n}';

function methodSource(object: ObjectView, selector: string): string | undefined {
  return [...object.slots, ...object.traitMethods].find((s) => s.name === selector)?.source;
}

export function MethodEditor({ oid, selector }: { oid: number; selector: string }) {
  const { data: object, error } = useObject(oid);
  if (error && !object) return <p className="error-text">Cannot read object #{oid}: {error}</p>;
  if (!object) return <p className="muted">Reading…</p>;
  return (
    <MethodPane
      oid={oid}
      selector={selector}
      source={methodSource(object, selector) ?? NEW_METHOD}
      serial={object.serial}
      label={`Source of ${object.name} » ${selector}`}
    />
  );
}

/** A version of the method: the object's serial and the method's source in it. */
interface Version {
  serial?: number;
  source: string;
}

/** A method's source with Save; shared by the method editor and the debugger. */
export function MethodPane({
  oid,
  selector,
  source,
  serial,
  label,
  markedLine,
  onSaved,
}: {
  oid: number;
  selector: string;
  /** The method's source in the version of the object now shown. */
  source: string;
  /** That version's serial (undefined: not known, the save is not checked). */
  serial?: number;
  label: string;
  markedLine?: number;
  onSaved?: () => void;
}) {
  const editor = useRef<CodeEditorHandle | null>(null);
  const diff = useRef<DiffPaneHandle | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  // The version the editor's text started from, and the text now.
  const [base, setBaseState] = useState<Version>({ serial, source });
  const baseRef = useRef(base);
  const setBase = (v: Version) => {
    baseRef.current = v;
    setBaseState(v);
  };
  const [text, setText] = useState(source);
  // A newer version from another tab that the user's changes have not seen yet.
  const [theirs, setTheirsState] = useState<Version | null>(null);
  const [comparing, setComparing] = useState(false);
  const [busy, setBusyState] = useState(false);
  // Key commands are bound once, when Monaco arrives: they read the state through refs.
  const theirsRef = useRef<Version | null>(null);
  const busyRef = useRef(false);
  const setTheirs = (v: Version | null) => {
    theirsRef.current = v;
    setTheirsState(v);
  };
  const setBusy = (b: boolean) => {
    busyRef.current = b;
    setBusyState(b);
  };
  const dirty = text !== base.source;

  const currentText = () => editor.current?.getText() ?? text;

  /** A version of the method newer than the base arrived (from this tab's commit or another's). */
  const follow = (next: Version) => {
    const b = baseRef.current;
    if (next.serial === b.serial && next.source === b.source) return;
    const mine = currentText();
    if (next.source === b.source || next.source === mine) {
      // Only other slots changed, or the other tab wrote what is here: nothing to choose.
      setBase(next);
      setTheirs(null);
      setComparing(false);
    } else if (mine === b.source) {
      // Untouched: show the new version.
      editor.current?.setText(next.source);
      setText(next.source);
      setBase(next);
      setTheirs(null);
      setComparing(false);
      setMessage({ text: 'Updated: saved in another tab.', error: false });
    } else {
      setTheirs(next);
    }
  };

  useEffect(() => {
    follow({ serial, source });
    // `follow` reads the latest state through refs; it runs when the shown version changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [serial, source]);

  /** Commits `mine` over version `over`; a newer version than `over` leaves it unsaved and shown as theirs. */
  const commit = async (mine: string, over: Version): Promise<boolean> => {
    const link = worldLink();
    let seen = over;
    for (let tries = 0; tries < 3; tries++) {
      const outcome = await link.setMethod(oid, selector, mine, seen.serial);
      if (outcome.ok) {
        editor.current?.markError(null);
        setBase({ serial: outcome.value ?? seen.serial, source: mine });
        setTheirs(null);
        setComparing(false);
        setMessage({ text: 'Saved.', error: false });
        useViewState.getState().setStatus(`Saved ${selector}`);
        onSaved?.();
        return true;
      }
      const e = outcome.error;
      if (!e.stale) {
        editor.current?.markError({ line: e.line ?? 1, column: e.column, message: describeError(e) });
        setMessage({ text: `${describeError(e)} — nothing was committed.`, error: true });
        return false;
      }
      const fresh = await link.readObject(oid).catch(() => null);
      const now: Version = { serial: Math.max(e.stale.currentSerial, fresh?.serial ?? 0), source: (fresh && methodSource(fresh, selector)) ?? NEW_METHOD };
      if (now.source === seen.source && now.serial !== seen.serial) {
        // Another tab changed other slots of the object, not this method: save over it.
        seen = now;
        continue;
      }
      setTheirs(now);
      setMessage(null);
      useViewState.getState().setStatus(`Save ${selector}: changed in another tab; nothing was written — keep yours or take theirs`);
      return false;
    }
    return false;
  };

  /** The save could not even be sent (the World is not connected): said in the editor. */
  const failed = (e: unknown) => setMessage({ text: `${e instanceof Error ? e.message : String(e)} — nothing was committed.`, error: true });

  const save = async (h = editor.current) => {
    if (!h || busyRef.current) return;
    if (theirsRef.current) {
      // The choice is the user's: Save does not write over a version they have not seen.
      setMessage({ text: 'Changed in another tab: keep yours or take theirs first.', error: true });
      return;
    }
    await whileBusy(setBusy, () => commit(h.getText(), baseRef.current)).catch(failed);
  };

  const keepMine = async () => {
    if (!theirs) return;
    // Mine as merged by hand on the right of the comparison, when it is open.
    const mine = comparing && diff.current ? diff.current.getModified() : currentText();
    if (mine !== currentText()) {
      editor.current?.setText(mine);
      setText(mine);
    }
    await whileBusy(setBusy, () => commit(mine, theirs)).catch(failed);
  };

  const toggleCompare = () => {
    if (comparing && diff.current) {
      // Back to the editor with whatever was merged by hand on the right.
      const merged = diff.current.getModified();
      editor.current?.setText(merged);
      setText(merged);
    }
    setComparing(!comparing);
  };

  const takeTheirs = () => {
    if (!theirs) return;
    // One undoable edit: Ctrl+Z in the editor brings the discarded text back.
    editor.current?.setText(theirs.source);
    editor.current?.markError(null);
    setText(theirs.source);
    setBase(theirs);
    setTheirs(null);
    setComparing(false);
    setMessage({ text: 'Took the version from another tab (Ctrl+Z brings yours back).', error: false });
    useViewState.getState().setStatus(`${selector}: kept the version from another tab; yours was not written`);
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
      {theirs && (
        <StaleNotice busy={busy} onKeep={() => void keepMine()} onTake={takeTheirs} comparing={comparing} onCompare={toggleCompare}>
          {selector} was saved in another tab (transaction {theirs.serial}) while you were changing it; yours is not saved.
        </StaleNotice>
      )}
      {theirs && comparing && (
        <DiffPane
          key={`${oid}:${selector}`}
          original={theirs.source}
          modified={currentText()}
          originalLabel={`Theirs: ${selector} as saved in another tab`}
          modifiedLabel={`Mine: ${selector} as edited here`}
          label={`Compare ${selector}: theirs and mine`}
          onReady={(h) => {
            diff.current = h;
          }}
          onClose={() => {
            // A later Compare gets a new diff editor; until it is ready there is none to read.
            diff.current = null;
          }}
        />
      )}
      <div className="method-editor-body" hidden={!!(theirs && comparing)}>
        <CodeEditor
          key={`${oid}:${selector}`}
          initialText={source}
          label={label}
          markedLine={markedLine}
          commands={[{ keys: (m) => m.KeyMod.CtrlCmd | m.KeyCode.KeyS, run: (h) => void save(h) }]}
          onReady={(h) => {
            editor.current = h;
            // Monaco arrived after a newer version was shown: start from it.
            if (h.getText() !== baseRef.current.source) h.setText(baseRef.current.source);
          }}
          onChange={(t) => setText(t)}
        />
      </div>
    </div>
  );
}
