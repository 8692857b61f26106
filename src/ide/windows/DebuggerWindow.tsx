// The debugger: an evaluation's error with the chain of sends as frames. Selecting a
// frame shows its method with the failing line marked; the method can be edited and
// saved there, and the evaluation run again.
import { useState } from 'react';
import type { ErrorView } from '../world-link/types';
import { describeError, evaluate } from '../actions';
import { MethodPane } from './MethodEditor';
import { useObject } from '../world-link/use-world';
import { useViewState } from '../view-state';

export function DebuggerWindow({ id, source, error }: { id: string; source: string; error: ErrorView }) {
  const [selected, setSelected] = useState(0);
  const frame = error.frames[selected];
  const runAgain = async () => {
    const outcome = await evaluate(source);
    // A new error opened a fresh debugger; this one has done its work either way.
    if (outcome) useViewState.getState().closeWindow(id);
  };
  return (
    <div className="debugger">
      <div className="debugger-error" role="alert">
        {describeError(error)}
      </div>
      <div className="toolbar">
        <button type="button" onClick={() => void runAgain()}>
          Run again
        </button>
        <span className="muted mono">{source.split('\n')[0]}</span>
      </div>
      <div className="debugger-body">
        <ul className="frames" role="listbox" aria-label="Frames">
          {error.frames.length === 0 && <li className="muted">(no frames: the error was in the workspace code)</li>}
          {error.frames.map((f, i) => (
            <li
              key={i}
              role="option"
              aria-selected={i === selected}
              tabIndex={i === selected ? 0 : -1}
              className={i === selected ? 'selected' : ''}
              onClick={() => setSelected(i)}
              onKeyDown={(e) => {
                if (e.key === 'ArrowDown') setSelected(Math.min(error.frames.length - 1, i + 1));
                if (e.key === 'ArrowUp') setSelected(Math.max(0, i - 1));
              }}
            >
              {f.ownerName} » {f.selector}
              {f.line ? <span className="muted"> line {f.line}</span> : null}
            </li>
          ))}
        </ul>
        <div className="frame-source">{frame ? <FrameSource key={selected} frame={frame} /> : null}</div>
      </div>
    </div>
  );
}

function FrameSource({ frame }: { frame: ErrorView['frames'][number] }) {
  const { data: object } = useObject(frame.owner);
  const current = object ? [...object.slots, ...object.traitMethods].find((s) => s.name === frame.selector)?.source : undefined;
  const source = current ?? frame.source;
  if (source === undefined) return <p className="muted">Reading method…</p>;
  return (
    <MethodPane
      oid={frame.owner}
      selector={frame.selector}
      source={source}
      serial={current === undefined ? undefined : object?.serial}
      label={`Source of ${frame.ownerName} » ${frame.selector}`}
      markedLine={frame.line}
    />
  );
}
