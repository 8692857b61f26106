// The Transcript: what `print` wrote, and errors the IDE reported, newest at the bottom.
import { useEffect, useRef } from 'react';
import { useViewState } from '../viewState';

export function TranscriptWindow() {
  const lines = useViewState((s) => s.transcript);
  const log = useRef<HTMLDivElement>(null);
  // Follow the newest line (scrollTop, not scrollIntoView, which would also scroll the world).
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length]);
  return (
    <div className="transcript">
      <div className="toolbar">
        <button type="button" onClick={() => useViewState.getState().clearTranscript()}>
          Clear
        </button>
      </div>
      <div ref={log} className="transcript-lines" role="log" aria-label="Transcript output" tabIndex={0}>
        {lines.map((l) => (
          <div key={l.id} className={`transcript-line ${l.kind}`}>
            {l.text}
          </div>
        ))}
      </div>
    </div>
  );
}
