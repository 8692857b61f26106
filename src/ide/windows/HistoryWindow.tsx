// History: the image's transactions, newest first, with their changes; Undo makes a new
// transaction from the before-images (refused, with the reason, when objects changed since).
import { useState } from 'react';
import { useWorldQuery } from '../world-link/use-world';
import { askWorld, reportOutcome } from '../actions';

/** Undoes transaction `tid`, reported in the status bar and the Transcript; the refusal (a
 * missing World included) for the window's alert, or null when it was undone. */
export async function undoTransaction(tid: number, note: string): Promise<string | null> {
  const outcome = await askWorld((link) => link.undo(tid));
  reportOutcome(`Undo ${note}`, outcome);
  return outcome.ok ? null : `Undo of “${note}” refused: ${outcome.error.message}`;
}

export function HistoryWindow() {
  const { data, error } = useWorldQuery((l) => l.history(200), []);
  const [open, setOpen] = useState<number | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  if (error && !data) return <p className="error-text">Cannot read history: {error}</p>;
  if (!data) return <p className="muted">Reading history…</p>;
  const undo = async (tid: number, note: string) => setRefusal(await undoTransaction(tid, note));
  return (
    <div className="history">
      {refusal && (
        <p className="error-text" role="alert">
          {refusal}
        </p>
      )}
      <ul className="tx-list" aria-label="Transactions">
        {data.length === 0 && <li className="muted">No transactions yet.</li>}
        {data.map((tx) => (
          <li key={tx.tid} className="tx" aria-label={`Transaction ${tx.tid}: ${tx.note}`}>
            <div className="tx-head">
              <button
                type="button"
                className="linklike"
                aria-expanded={open === tx.tid}
                onClick={() => setOpen(open === tx.tid ? null : tx.tid)}
              >
                {tx.note || '(no note)'}
              </button>
              <span className="muted">
                #{tx.tid} · {new Date(tx.time).toLocaleTimeString()} · {tx.origin} · {tx.changes.length} change
                {tx.changes.length === 1 ? '' : 's'}
              </span>
              <span className="spacer" />
              {tx.undoable && (
                <button type="button" onClick={() => void undo(tx.tid, tx.note)}>
                  Undo
                </button>
              )}
            </div>
            {open === tx.tid && (
              <ul className="tx-changes">
                {tx.changes.map((c, i) => (
                  <li key={i}>
                    <span className="mono">{c.name}</span> <span className="muted">#{c.oid}</span> {c.summary}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
