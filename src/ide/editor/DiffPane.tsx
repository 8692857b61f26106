// Two versions of a text side by side in Monaco's diff editor: theirs (read-only, left) and
// mine (right, editable, so the user can merge by hand before keeping it).
import { useEffect, useRef, useState } from 'react';
import type * as MonacoTypes from 'monaco-editor/editor/editor.api.js';
import { loadMonaco } from './load-monaco';

export interface DiffPaneHandle {
  /** The right-hand text as the user has it now (mine, merged by hand if edited). */
  getModified(): string;
}

export function DiffPane({
  original,
  modified,
  originalLabel,
  modifiedLabel,
  label,
  onReady,
  onClose,
}: {
  original: string;
  modified: string;
  originalLabel: string;
  modifiedLabel: string;
  /** Accessible name of the comparison as a whole. */
  label: string;
  /** The comparison is ready: its handle is valid until onClose. */
  onReady?: (handle: DiffPaneHandle) => void;
  /** The comparison closed: its editor and models are disposed, and its handle with them. */
  onClose?: () => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const models = useRef<{ original: MonacoTypes.editor.ITextModel; modified: MonacoTypes.editor.ITextModel } | null>(null);
  const [loaded, setLoaded] = useState(false);
  const latest = useRef({ onReady, onClose });
  latest.current = { onReady, onClose };

  useEffect(() => {
    let disposed = false;
    let diff: MonacoTypes.editor.IStandaloneDiffEditor | null = null;
    // The view model is ours, so closing can dispose it: that cancels a diff still being
    // computed (a view model made by setModel({original, modified}) is never disposed, and its
    // diff then fails on the disposed models with "no diff result available").
    let view: MonacoTypes.editor.IDiffEditorViewModel | null = null;
    void loadMonaco().then((monaco) => {
      if (disposed || !host.current) return;
      diff = monaco.editor.createDiffEditor(host.current, {
        automaticLayout: true,
        readOnly: false,
        originalEditable: false,
        renderSideBySide: true,
        useInlineViewWhenSpaceIsLimited: false,
        minimap: { enabled: false },
        lineNumbersMinChars: 3,
        scrollBeyondLastLine: false,
        fontSize: 13,
        originalAriaLabel: originalLabel,
        modifiedAriaLabel: modifiedLabel,
      });
      const m = {
        original: monaco.editor.createModel(original, 'javascript'),
        modified: monaco.editor.createModel(modified, 'javascript'),
      };
      view = diff.createViewModel(m);
      diff.setModel(view);
      models.current = m;
      setLoaded(true);
      latest.current.onReady?.({ getModified: () => m.modified.getValue() });
    });
    return () => {
      disposed = true;
      const m = models.current;
      models.current = null;
      // Detach and dispose the view model first (cancelling its diff), then the editor, then
      // the models it showed.
      diff?.setModel(null);
      view?.dispose();
      view = null;
      diff?.dispose();
      diff = null;
      m?.original.dispose();
      m?.modified.dispose();
      if (m) latest.current.onClose?.();
    };
    // The diff editor is created once per mount; a newer "theirs" goes through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Another commit from the other tab while comparing: the left side follows it.
  useEffect(() => {
    const m = models.current?.original;
    if (m && m.getValue() !== original) m.setValue(original);
  }, [original, loaded]);

  return (
    <div className="diff-pane" role="region" aria-label={label} data-loaded={loaded ? 'true' : 'false'}>
      <div className="diff-pane-heads" aria-hidden="true">
        <span>{originalLabel}</span>
        <span>{modifiedLabel}</span>
      </div>
      <div ref={host} className="diff-pane-host" />
    </div>
  );
}
