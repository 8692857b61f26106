// One slot in an outliner: name, kind, value (editable in place for data slots) and where
// it lives, with Rename slot, Remove slot and Recategorize. Method slots open the method
// editor; parent slots link to the parent's outliner.
import { useState, type FormEvent } from 'react';
import type { ObjectView, SlotView } from '../world/types';
import { formatValue, isRef, valueSource } from '../world/format';
import { worldLink } from '../world/useWorld';
import { openMethodEditor, openOutliner, reportOutcome } from '../actions';

type Editing = null | 'value' | 'rename' | 'category';

export function SlotRow({ object, slot }: { object: ObjectView; slot: SlotView }) {
  const [editing, setEditing] = useState<Editing>(null);
  const [text, setText] = useState('');
  const own = slot.via === 'own';

  const begin = (what: Editing, initial: string) => {
    setEditing(what);
    setText(initial);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const link = worldLink();
    let ok = false;
    if (editing === 'value') ok = reportOutcome(`Set ${slot.name}`, await link.setSlotValue(object.oid, slot.name, text));
    if (editing === 'rename') ok = reportOutcome(`Rename slot ${slot.name}`, await link.renameSlot(object.oid, slot.name, text.trim()));
    if (editing === 'category')
      ok = reportOutcome(`Recategorize ${slot.name}`, await link.recategorizeSlot(object.oid, slot.name, text.trim()));
    if (ok) setEditing(null);
  };
  const cancelOnEscape = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      setEditing(null);
    }
  };

  const fieldLabel =
    editing === 'value' ? `Value of ${slot.name}` : editing === 'rename' ? `New name for ${slot.name}` : `Category of ${slot.name}`;

  let valueCell;
  if (editing) {
    valueCell = (
      <form className="slot-edit" onSubmit={submit}>
        <input aria-label={fieldLabel} autoFocus value={text} onChange={(e) => setText(e.target.value)} onKeyDown={cancelOnEscape} />
      </form>
    );
  } else if (slot.kind === 'method') {
    valueCell = (
      <button type="button" className="linklike slot-value" onClick={() => openMethodEditor(slot.holder, slot.holderName, slot.name)}>
        {firstLine(slot.source)}
      </button>
    );
  } else if (slot.kind === 'parent' && isRef(slot.value)) {
    const ref = slot.value.ref;
    const name = object.names[ref] ?? `#${ref}`;
    valueCell = (
      <button type="button" className="linklike slot-value parent-arrow" onClick={() => openOutliner(ref, name)} aria-label={`Open parent ${name}`}>
        → {name}
      </button>
    );
  } else if (own && !slot.constant) {
    valueCell = (
      <button
        type="button"
        className="linklike slot-value data"
        aria-label={`Edit value of ${slot.name}: ${formatValue(slot.value, object.names)}`}
        onClick={() => begin('value', valueSource(slot.value))}
      >
        {formatValue(slot.value, object.names)}
      </button>
    );
  } else if (isRef(slot.value)) {
    const ref = slot.value.ref;
    valueCell = (
      <button type="button" className="linklike slot-value" onClick={() => openOutliner(ref, object.names[ref] ?? `#${ref}`)}>
        {formatValue(slot.value, object.names)}
      </button>
    );
  } else {
    valueCell = <span className="slot-value">{formatValue(slot.value, object.names)}</span>;
  }

  return (
    <div role="listitem" aria-label={slot.name} className={`slot-row kind-${slot.kind} via-${slot.via}`}>
      <span className="slot-name" title={slot.comment ?? slot.name}>
        {slot.name}
      </span>
      <span className={`slot-kind ${slot.kind}`} title={slot.constant ? 'constant' : slot.kind}>
        {slot.kind === 'data' && slot.constant ? 'const' : slot.kind}
      </span>
      {valueCell}
      <span className="slot-where" title={`lives in ${slot.holderName}`}>
        {own ? '' : `in ${slot.holderName}`}
      </span>
      {own && !editing && (
        <span className="slot-actions">
          <button type="button" className="icon" aria-label="Rename slot" title="Rename slot" onClick={() => begin('rename', slot.name)}>
            ✎
          </button>
          <button
            type="button"
            className="icon"
            aria-label="Recategorize"
            title="Recategorize"
            onClick={() => begin('category', slot.category ?? '')}
          >
            #
          </button>
          <button
            type="button"
            className="icon"
            aria-label="Remove slot"
            title="Remove slot"
            onClick={async () => reportOutcome(`Remove slot ${slot.name}`, await worldLink().removeSlot(object.oid, slot.name))}
          >
            −
          </button>
        </span>
      )}
    </div>
  );
}

/** A method at a glance: its arguments and the first line of its body. */
function firstLine(source?: string): string {
  if (!source) return '';
  const m = /^\s*function\s*\(([^)]*)\)\s*\{\s*([^\n]*)/.exec(source);
  const line = m ? `(${m[1]!.trim()}) ${m[2]!.trim() || (source.split('\n').find((l, i) => i > 0 && l.trim()) ?? '').trim()}` : source.split('\n')[0]!.trim();
  return line.length > 70 ? `${line.slice(0, 70)}…` : line;
}
