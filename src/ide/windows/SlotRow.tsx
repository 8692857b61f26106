// One slot in an outliner: name, kind, value (editable in place for data slots) and where
// it lives, with Rename slot, Remove slot and Recategorize. Method slots open the method
// editor; parent slots link to the parent's outliner.
// Every edit carries the version of the object the user saw when it started; when another
// tab changed the slot meanwhile, the outliner shows "Changed in another tab" (SlotEditConflict).
import { useState, type FormEvent } from 'react';
import type { ObjectView, Outcome, SlotView } from '../world-link/types';
import { formatValue, isRef, valueSource } from '../world-link/format';
import { worldLink } from '../world-link/use-world';
import { openMethodEditor, openOutliner, reportOutcome } from '../actions';
import { useViewState } from '../view-state';

type Editing = null | SlotEditState['kind'];
export type SlotEdit = 'value' | 'rename' | 'category' | 'remove';

/** A slot edit refused because another tab changed that slot after the edit started. */
export interface SlotEditConflict {
  edit: SlotEdit;
  /** The slot as the user saw it when the edit started. */
  seen: SlotView;
  /** What the user typed: the value's source, the new name or category ('' to remove). */
  mine: string;
  /** The object's version the refusal named as current. */
  currentSerial: number;
}

export function slotEditTitle(edit: SlotEdit, slot: string): string {
  return { value: `Set ${slot}`, rename: `Rename slot ${slot}`, category: `Recategorize ${slot}`, remove: `Remove slot ${slot}` }[edit];
}

function applySlotEdit(oid: number, slot: string, edit: SlotEdit, text: string, serial: number): Promise<Outcome<number | null>> {
  const link = worldLink();
  if (edit === 'value') return link.setSlotValue(oid, slot, text, serial);
  if (edit === 'rename') return link.renameSlot(oid, slot, text.trim(), serial);
  if (edit === 'category') return link.recategorizeSlot(oid, slot, text.trim(), serial);
  return link.removeSlot(oid, slot, serial);
}

/** Whether two views of a slot say the same (its holder's version aside). */
function sameSlot(a: SlotView | undefined, b: SlotView | undefined): boolean {
  if (!a || !b) return a === b;
  const key = (s: SlotView) => JSON.stringify([s.name, s.kind, s.value, s.source, s.constant, s.category, s.comment]);
  return key(a) === key(b);
}

/** done: written; conflict: onConflict has both sides; refused: the World said no (reported);
 * failed: the World could not be asked (reported). Only done and conflict end the edit. */
export type SlotEditResult = 'done' | 'conflict' | 'refused' | 'failed';

/**
 * Applies an edit of slot `seen` made on version `seenSerial` of the object. If another tab
 * has committed since, but left this slot as it was, the edit is applied over the version now
 * current (nothing the other tab wrote is overwritten); if it changed this slot, nothing is
 * written and `onConflict` gets both sides for the user to choose.
 */
export async function editSlot(
  oid: number,
  seen: SlotView,
  seenSerial: number,
  edit: SlotEdit,
  text: string,
  onConflict: (c: SlotEditConflict) => void,
): Promise<SlotEditResult> {
  const what = slotEditTitle(edit, seen.name);
  let serial = seenSerial;
  for (let tries = 0; tries < 3; tries++) {
    let outcome: Outcome<number | null>;
    try {
      outcome = await applySlotEdit(oid, seen.name, edit, text, serial);
    } catch (e) {
      // No World (not connected yet, its worker gone): the edit never reached it.
      const msg = `${what} failed: ${e instanceof Error ? e.message : String(e)}; nothing was written, your text is kept`;
      useViewState.getState().setStatus(msg);
      useViewState.getState().appendTranscript(msg, 'error');
      return 'failed';
    }
    const stale = outcome.ok ? undefined : outcome.error.stale;
    if (!stale) return reportOutcome(what, outcome) ? 'done' : 'refused';
    const fresh = await worldLink()
      .readObject(oid)
      .catch(() => null);
    const now = fresh?.slots.find((s) => s.name === seen.name);
    if (fresh && fresh.serial !== serial && sameSlot(now, seen)) {
      serial = fresh.serial;
      continue;
    }
    onConflict({ edit, seen, mine: text, currentSerial: Math.max(stale.currentSerial, fresh?.serial ?? 0) });
    useViewState.getState().setStatus(`${what}: changed in another tab; nothing was written — keep yours or take theirs`);
    return 'conflict';
  }
  return 'refused';
}

/**
 * An inline edit in progress. The outliner holds it, not the row: a row goes when its slot is
 * renamed (by another tab) or scrolls out of view, and the user's text must not go with it.
 */
export interface SlotEditState {
  kind: 'value' | 'rename' | 'category';
  /** The slot's name now (it follows a rename made in another tab). */
  slot: string;
  /** What the user typed. */
  text: string;
  /** The slot and the object's version the edit applies to, and the text the field started with. */
  seen: SlotView;
  serial: number;
  initial: string;
  /** The object's own slot names at `serial` (to tell a rename from a removal). */
  names: string[];
  /** Something the user should know before pressing Enter (the slot was renamed meanwhile). */
  note?: string;
}

function fieldText(kind: SlotEditState['kind'], slot: SlotView): string {
  return kind === 'value' ? valueSource(slot.value) : kind === 'rename' ? slot.name : (slot.category ?? '');
}

const ownNames = (object: ObjectView) => object.slots.filter((s) => s.via === 'own').map((s) => s.name);

export function startSlotEdit(object: ObjectView, slot: SlotView, kind: SlotEditState['kind']): SlotEditState {
  const initial = fieldText(kind, slot);
  return { kind, slot: slot.name, text: initial, seen: slot, serial: object.serial, initial, names: ownNames(object) };
}

/**
 * An edit in progress after another tab committed `object`. If its slot is as it was, the edit
 * now applies to the newer version; if the user has not typed, the field shows the slot's new
 * state; a field the user changed keeps their text (Enter will tell them of a conflict). If
 * the slot was renamed (one new slot, the same in all but its name, where it went), the edit
 * follows it, text kept, with a note saying so; if it is gone otherwise, the edit becomes a
 * conflict holding the user's text.
 */
export function followSlotEdit(edit: SlotEditState, object: ObjectView): { edit: SlotEditState } | { gone: SlotEditConflict } {
  if (object.serial === edit.serial) return { edit };
  const own = object.slots.filter((s) => s.via === 'own');
  const now = own.find((s) => s.name === edit.slot);
  if (now) {
    if (sameSlot(now, edit.seen)) return { edit: { ...edit, serial: object.serial, names: ownNames(object) } };
    if (edit.text === edit.initial) {
      const initial = fieldText(edit.kind, now);
      return { edit: { ...edit, text: initial, initial, seen: now, serial: object.serial, names: ownNames(object) } };
    }
    return { edit };
  }
  const renamed = own.filter((s) => !edit.names.includes(s.name) && sameSlot({ ...s, name: edit.seen.name }, edit.seen));
  if (renamed.length === 1) {
    const to = renamed[0]!;
    const untouched = edit.text === edit.initial;
    const initial = untouched ? fieldText(edit.kind, to) : edit.initial;
    return {
      edit: {
        ...edit,
        slot: to.name,
        seen: to,
        serial: object.serial,
        names: ownNames(object),
        initial,
        text: untouched ? initial : edit.text,
        note: `${edit.seen.name} was renamed to ${to.name} in another tab; Enter applies your edit to ${to.name}`,
      },
    };
  }
  return { gone: { edit: edit.kind, seen: edit.seen, mine: edit.text, currentSerial: object.serial } };
}

export function SlotRow({
  object,
  slot,
  onConflict,
  edit,
  onEdit,
}: {
  object: ObjectView;
  slot: SlotView;
  onConflict: (c: SlotEditConflict) => void;
  /** This row's edit in progress, if any (held by the outliner). */
  edit: SlotEditState | null;
  onEdit: (edit: SlotEditState | null) => void;
}) {
  const editing: Editing = edit?.kind ?? null;
  const text = edit?.text ?? '';
  // Why the last edit of this row was not written (shown until the next try or Escape).
  const [failure, setFailure] = useState<string | null>(null);
  const own = slot.via === 'own';

  const begin = (what: SlotEditState['kind']) => {
    setFailure(null);
    onEdit(startSlotEdit(object, slot, what));
  };
  const setText = (value: string) => edit && onEdit({ ...edit, text: value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!edit) return;
    const result = await editSlot(object.oid, edit.seen, edit.serial, edit.kind, edit.text, onConflict);
    // Refused or failed: the field stays open with the typed text, the reason beside it.
    if (result === 'done' || result === 'conflict') close();
    else setFailure(useViewState.getState().statusMessage);
  };
  const remove = async () => {
    const result = await editSlot(object.oid, slot, object.serial, 'remove', '', onConflict);
    setFailure(result === 'done' || result === 'conflict' ? null : useViewState.getState().statusMessage);
  };
  const close = () => {
    onEdit(null);
    setFailure(null);
  };
  const cancelOnEscape = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
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
        onClick={() => begin('value')}
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
      {edit?.note && !failure ? (
        <span className="slot-where slot-note" role="status" title={edit.note}>
          {edit.note}
        </span>
      ) : failure ? (
        // In the "lives in" column: the row keeps its height and grid.
        <span className="slot-where slot-error error-text" role="alert" title={failure}>
          {failure}
        </span>
      ) : (
        <span className="slot-where" title={`lives in ${slot.holderName}`}>
          {own ? '' : `in ${slot.holderName}`}
        </span>
      )}
      {own && !editing && (
        <span className="slot-actions">
          <button type="button" className="icon" aria-label="Rename slot" title="Rename slot" onClick={() => begin('rename')}>
            ✎
          </button>
          <button
            type="button"
            className="icon"
            aria-label="Recategorize"
            title="Recategorize"
            onClick={() => begin('category')}
          >
            #
          </button>
          <button
            type="button"
            className="icon"
            aria-label="Remove slot"
            title="Remove slot"
            onClick={() => void remove()}
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
