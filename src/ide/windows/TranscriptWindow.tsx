// The Transcript: what `print` wrote, and errors the IDE reported, newest at the bottom.
import { useEffect, useRef } from 'react';
import { useViewState } from '../view-state';

export function TranscriptWindow() {
  const lines = useViewState((s) => s.transcript);
  const log = useRef<HTMLDivElement>(null);
  const newest = lines.at(-1)?.id;
  // Follow the newest line (scrollTop, not scrollIntoView, which would also scroll the world),
  // known by its id: the number of lines stays the same once the Transcript drops old ones.
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [newest]);
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
