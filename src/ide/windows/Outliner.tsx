// The outliner (Self's, one per object): name and OID, slots grouped by category with
// kind, value and where each lives, trait uses with their exclusions and aliases,
// unresolved conflicts with one-click resolutions, and the selectors traits require.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useObject, worldLink } from '../world-link/use-world';
import type { ConflictView, ObjectView, SlotKind, SlotView, TraitUseView } from '../world-link/types';
import { askWorld, openOutliner, openQuery, reportOutcome } from '../actions';
import { VirtualList } from './VirtualList';
import { SlotRow, editSlot, followSlotEdit, slotEditTitle, type SlotEditConflict, type SlotEditState } from './SlotRow';
import { StaleNotice } from './StaleNotice';
import { formatValue } from '../world-link/format';
import { useParentLinks } from '../morphs/parent-links';
import { useViewState } from '../view-state';
import { whileBusy } from '../busy';

const ROW_HEIGHT = 26;

type Row = { type: 'category'; name: string; count: number } | { type: 'slot'; slot: SlotView };

/** Slots by category, own slots first, then what traits contribute. */
function groupRows(object: ObjectView): Row[] {
  const groups = new Map<string, SlotView[]>();
  for (const s of [...object.slots, ...object.traitMethods]) {
    const cat = s.via === 'trait' ? `from traits` : s.category || (s.kind === 'parent' ? 'parents' : 'uncategorized');
    let g = groups.get(cat);
    if (!g) groups.set(cat, (g = []));
    g.push(s);
  }
  const rows: Row[] = [];
  for (const [name, slots] of groups) {
    rows.push({ type: 'category', name, count: slots.length });
    for (const slot of slots) rows.push({ type: 'slot', slot });
  }
  return rows;
}

export function Outliner({ windowId, oid }: { windowId: string; oid: number }) {
  const { data: object, error } = useObject(oid);
  const [adding, setAdding] = useState(false);
  const [conflict, setConflict] = useState<SlotEditConflict | null>(null);
  // The inline slot edit in progress: kept here so it outlives its row (see SlotEditState).
  const [edit, setEdit] = useState<SlotEditState | null>(null);
  const rows = useMemo(() => (object ? groupRows(object) : []), [object]);

  // Another tab committed: the edit follows its slot (or becomes a conflict holding the text).
  useEffect(() => {
    if (!object || !edit) return;
    const next = followSlotEdit(edit, object);
    if ('gone' in next) {
      setEdit(null);
      setConflict(next.gone);
      useViewState.getState().setStatus(`${slotEditTitle(next.gone.edit, next.gone.seen.name)}: the slot was removed or renamed in another tab; nothing was written, your text is kept`);
    } else if (next.edit !== edit) setEdit(next.edit);
    // Runs when the shown version of the object changes, not on each keystroke.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [object]);

  useEffect(() => {
    if (!object) return;
    const parents = object.slots.filter((s) => s.kind === 'parent' && s.value && typeof s.value === 'object' && 'ref' in s.value);
    useParentLinks.getState().setLinks(
      windowId,
      parents.map((s) => (s.value as { ref: number }).ref),
    );
    if (object.name && useViewState.getState().windows.find((w) => w.id === windowId)?.title !== object.name) {
      useViewState.getState().updateWindow(windowId, { title: object.name });
    }
  }, [object, windowId]);
  useEffect(() => () => useParentLinks.getState().setLinks(windowId, []), [windowId]);

  if (error && !object) return <p className="error-text">Cannot read object #{oid}: {error}</p>;
  if (!object) return <p className="muted">Reading object #{oid}…</p>;

  const clone = async () => {
    const outcome = await askWorld((link) => link.clone(oid));
    if (reportOutcome(`Clone ${object.name}`, outcome) && outcome.ok) {
      const win = useViewState.getState().windows.find((w) => w.id === windowId);
      openOutliner(outcome.value, `${object.name} clone`, win ? { x: win.x + 40, y: win.y + 40 } : undefined);
    }
  };

  return (
    <div className="outliner">
      <div className="outliner-head">
        <span className="object-name">{object.name}</span>
        <span className="oid" aria-label={`OID ${object.oid}`}>
          oid {object.oid}
        </span>
        <span className="spacer" />
        <button type="button" onClick={() => void clone()}>
          Clone
        </button>
        <button type="button" aria-expanded={adding} onClick={() => setAdding((a) => !a)}>
          Add slot
        </button>
        <button type="button" title="Who points here" onClick={() => openQuery('references', object.name, oid)}>
          References
        </button>
      </div>
      {conflict && <SlotConflictNotice object={object} conflict={conflict} onConflict={setConflict} onDone={() => setConflict(null)} />}
      {adding && <NewSlotForm object={object} onDone={() => setAdding(false)} />}
      {(object.traits.length > 0 || object.conflicts.length > 0) && <TraitsSection object={object} />}
      {rows.length === 0 ? (
        <p className="muted">No slots.</p>
      ) : (
        <VirtualList
          items={rows}
          rowHeight={ROW_HEIGHT}
          label={`Slots of ${object.name}`}
          keyOf={(row) => `${row.type}:${row.type === 'slot' ? `${row.slot.via}:${row.slot.name}` : row.name}`}
          render={(row) =>
            row.type === 'category' ? (
              <div className="category-row" role="listitem" aria-label={`Category ${row.name}`}>
                {row.name} <span className="muted">({row.count})</span>
              </div>
            ) : (
              <SlotRow
                object={object}
                slot={row.slot}
                onConflict={setConflict}
                edit={edit && row.slot.via === 'own' && row.slot.name === edit.slot ? edit : null}
                onEdit={setEdit}
              />
            )
          }
        />
      )}
    </div>
  );
}

/** A slot edit another tab got in before: theirs (as the outliner now shows it) and mine. */
function SlotConflictNotice({
  object,
  conflict,
  onConflict,
  onDone,
}: {
  object: ObjectView;
  conflict: SlotEditConflict;
  onConflict: (c: SlotEditConflict) => void;
  onDone: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const name = conflict.seen.name;
  const now = object.slots.find((s) => s.name === name);
  const what = slotEditTitle(conflict.edit, name);
  const theirs = !now
    ? 'the slot was removed or renamed'
    : conflict.edit === 'value'
      ? formatValue(now.value, object.names)
      : conflict.edit === 'category'
        ? `category ${now.category || '(none)'}`
        : now.kind === 'method'
          ? 'the method was changed'
          : formatValue(now.value, object.names);
  const mine =
    conflict.edit === 'value'
      ? conflict.mine
      : conflict.edit === 'rename'
        ? `rename to ${conflict.mine}`
        : conflict.edit === 'category'
          ? `category ${conflict.mine}`
          : 'remove the slot';
  // Keep mine applies the edit over the version the user now sees (or the newer one the
  // refusal named, if the outliner has not read it yet).
  const keep = async () => {
    const result = await whileBusy(setBusy, () =>
      editSlot(object.oid, now ?? conflict.seen, Math.max(object.serial, conflict.currentSerial), conflict.edit, conflict.mine, onConflict),
    ).catch((e: unknown) => {
      useViewState.getState().setStatus(`${what}: ${e instanceof Error ? e.message : String(e)}; nothing was written`);
      return 'failed' as const;
    });
    // A refused or failed call leaves the notice (and both versions, the user's text among
    // them) for another try or Take theirs; a new conflict has replaced it.
    if (result === 'done') onDone();
  };
  const take = () => {
    useViewState.getState().setStatus(`${what}: kept the version from another tab; yours (${mine}) was not written`);
    onDone();
  };
  return (
    <StaleNotice busy={busy} onKeep={() => void keep()} onTake={take}>
      {object.name} » {name} was changed in another tab (transaction {Math.max(object.serial, conflict.currentSerial)}) after you started
      editing it; nothing was written. Theirs: <code className="mono">{theirs}</code> · yours: <code className="mono">{mine}</code>
    </StaleNotice>
  );
}

function NewSlotForm({ object, onDone }: { object: ObjectView; onDone: () => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<SlotKind>('data');
  const [value, setValue] = useState('');
  const [category, setCategory] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const initial = kind === 'method' ? value || 'function () {\n  return self;\n}' : value || 'null';
    // Refused or failed, the form stays with what was typed.
    const outcome = await askWorld((link) => link.addSlot(object.oid, name.trim(), kind, initial, category.trim() || undefined));
    if (reportOutcome(`Add slot ${name}`, outcome)) onDone();
  };
  return (
    <form className="new-slot" aria-label="New slot" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && onDone()}>
      <input aria-label="Slot name" placeholder="name" autoFocus required value={name} onChange={(e) => setName(e.target.value)} />
      <select aria-label="Slot kind" value={kind} onChange={(e) => setKind(e.target.value as SlotKind)}>
        <option value="data">data</option>
        <option value="method">method</option>
        <option value="parent">parent</option>
      </select>
      {kind === 'method' ? (
        <textarea
          aria-label="Method source"
          className="mono"
          rows={3}
          placeholder="function () { … }"
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      ) : (
        <input
          aria-label="Slot value"
          placeholder={kind === 'parent' ? 'self.BaseObject' : '42'}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      )}
      <input aria-label="Slot category" placeholder="category" value={category} onChange={(e) => setCategory(e.target.value)} />
      <button type="submit">Save</button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}

function TraitsSection({ object }: { object: ObjectView }) {
  return (
    <div className="traits" role="group" aria-label={`Traits of ${object.name}`}>
      {object.traits.map((use) => (
        <TraitUseRow key={use.trait} object={object} use={use} />
      ))}
      {object.conflicts.map((c) => (
        <ConflictRow key={c.selector} object={object} conflict={c} />
      ))}
      {object.requires
        .filter((r) => r.selectors.length > 0)
        .map((r) => (
          <div key={r.trait} className="requires">
            {r.traitName} requires: <span className="mono">{r.selectors.join(', ')}</span>
          </div>
        ))}
    </div>
  );
}

/** The object's trait list as a comparable key (which traits, with their exclusions and
 * aliases): an edit of a trait use conflicts only with a change to this, not to other slots. */
function traitsKey(traits: TraitUseView[]): string {
  return JSON.stringify(traits.map((u) => [u.trait, u.exclude, Object.entries(u.alias).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]));
}

function TraitUseRow({ object, use }: { object: ObjectView; use: TraitUseView }) {
  const [editing, setEditing] = useState(false);
  const [exclude, setExclude] = useState(use.exclude.join(', '));
  const aliasText = (u: TraitUseView) =>
    Object.entries(u.alias)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
  const [alias, setAlias] = useState(aliasText(use));
  // The object's version and its trait list when the edit started; a newer version that
  // changed the trait list (another tab's commit) is shown as theirs, one that only changed
  // other slots is not a conflict.
  const [seen, setSeen] = useState({ serial: object.serial, traits: traitsKey(object.traits) });
  const [stale, setStale] = useState<number | null>(null);
  const begin = () => {
    // Start from the use as shown now: another tab or a conflict fix may have changed it.
    setExclude(use.exclude.join(', '));
    setAlias(aliasText(use));
    setSeen({ serial: object.serial, traits: traitsKey(object.traits) });
    setStale(null);
    setEditing(true);
  };
  // Another tab committed while the edit is open without touching the trait list: the edit
  // now starts from that version.
  useEffect(() => {
    if (editing && stale === null && object.serial !== seen.serial && traitsKey(object.traits) === seen.traits) setSeen({ serial: object.serial, traits: seen.traits });
    // Runs when the shown version of the object changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [object.serial]);
  const apply = async (from: { serial: number; traits: string }) => {
    const ex = exclude.split(',').map((s) => s.trim()).filter(Boolean);
    const al: Record<string, string> = {};
    for (const pair of alias.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [k, v] = pair.split('=').map((s) => s.trim());
      if (k && v) al[k] = v;
    }
    let serial = from.serial;
    for (let tries = 0; tries < 3; tries++) {
      const outcome = await worldLink().setTraitUse(object.oid, use.trait, ex, al, serial);
      if (!outcome.ok && outcome.error.stale) {
        // Refused over a newer version: if that version's trait list is the one the edit
        // started from, only other slots changed, and the edit applies over it.
        const fresh = await worldLink()
          .readObject(object.oid)
          .catch(() => null);
        if (fresh && fresh.serial !== serial && traitsKey(fresh.traits) === from.traits) {
          serial = fresh.serial;
          continue;
        }
        setStale(Math.max(outcome.error.stale.currentSerial, fresh?.serial ?? 0, object.serial));
        useViewState.getState().setStatus(`Trait use ${use.traitName}: changed in another tab; nothing was written — keep yours or take theirs`);
        return;
      }
      if (reportOutcome(`Trait use ${use.traitName}`, outcome)) {
        setStale(null);
        setEditing(false);
      }
      return;
    }
  };
  // Save and Keep mine are disabled while the edit is being written, and usable again however it ends.
  const [busy, setBusy] = useState(false);
  const run = (from: { serial: number; traits: string }) => {
    if (busy) return;
    void whileBusy(setBusy, () => apply(from)).catch((e: unknown) =>
      useViewState.getState().setStatus(`Trait use ${use.traitName}: ${e instanceof Error ? e.message : String(e)}; nothing was written`),
    );
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    run(seen);
  };
  const current = `excluded: ${use.exclude.join(', ') || '(none)'}; aliases: ${Object.entries(use.alias).map(([k, v]) => `${k}=${v}`).join(', ') || '(none)'}`;
  const staleNotice = stale !== null && (
    <StaleNotice
      busy={busy}
      onKeep={() => run({ serial: Math.max(stale, object.serial), traits: traitsKey(object.traits) })}
      onTake={() => {
        setStale(null);
        setEditing(false);
        setExclude(use.exclude.join(', '));
        setAlias(Object.entries(use.alias).map(([k, v]) => `${k}=${v}`).join(', '));
      }}
    >
      {object.name} was changed in another tab (transaction {Math.max(stale, object.serial)}) after you started editing its use of {use.traitName}; nothing was
      written. Theirs: <code className="mono">{current}</code> · yours: <code className="mono">excluded: {exclude || '(none)'}; aliases: {alias || '(none)'}</code>
    </StaleNotice>
  );
  return (
    <>
      <div className="trait-use">
        <span>uses </span>
        <button type="button" className="linklike" onClick={() => openOutliner(use.trait, use.traitName)}>
          {use.traitName}
        </button>
        {!editing && use.exclude.length > 0 && <span className="muted"> − {use.exclude.join(', ')}</span>}
        {!editing && Object.keys(use.alias).length > 0 && (
          <span className="muted">
            {' '}
            @ {Object.entries(use.alias).map(([k, v]) => `${k}→${v}`).join(', ')}
          </span>
        )}
        {editing ? (
          <form className="trait-edit" onSubmit={save}>
            <input aria-label={`Exclusions from ${use.traitName}`} placeholder="excluded selectors" value={exclude} onChange={(e) => setExclude(e.target.value)} />
            <input aria-label={`Aliases from ${use.traitName}`} placeholder="alias=original" value={alias} onChange={(e) => setAlias(e.target.value)} />
            <button type="submit" disabled={busy}>
              Save
            </button>
          </form>
        ) : (
          <button type="button" className="icon" aria-label={`Edit use of ${use.traitName}`} onClick={begin}>
            ✎
          </button>
        )}
      </div>
      {staleNotice}
    </>
  );
}

/** An unresolved conflict and its one-click resolutions: exclude the selector from one
 * trait, or alias that trait's method under a new name and exclude the original. */
function ConflictRow({ object, conflict }: { object: ObjectView; conflict: ConflictView }) {
  const resolve = async (traitOid: number, mode: 'exclude' | 'alias') => {
    const use = object.traits.find((u) => u.trait === traitOid);
    if (!use) return;
    const traitName = conflict.traits.find((t) => t.oid === traitOid)?.name ?? `#${traitOid}`;
    const exclude = [...new Set([...use.exclude, conflict.selector])];
    const alias = { ...use.alias };
    if (mode === 'alias') alias[aliasName(conflict.selector, traitName)] = conflict.selector;
    reportOutcome(
      `Resolve ${conflict.selector} (${mode} ${traitName})`,
      // Made on the version shown; over a newer one it is refused and the outliner shows that one.
      await askWorld((link) => link.setTraitUse(object.oid, traitOid, exclude, alias, object.serial)),
    );
  };
  return (
    <div className="conflict" role="alert" aria-label={`Conflict on ${conflict.selector}`}>
      <span>
        ⚠ <span className="mono">{conflict.selector}</span> conflicts between {conflict.traits.map((t) => t.name).join(' and ')}
      </span>
      <span className="conflict-fixes">
        {conflict.traits.map((t) => (
          <span key={t.oid}>
            <button type="button" onClick={() => void resolve(t.oid, 'exclude')}>
              Exclude {conflict.selector} from {t.name}
            </button>
            <button type="button" onClick={() => void resolve(t.oid, 'alias')}>
              Alias {t.name}'s {conflict.selector} as {aliasName(conflict.selector, t.name)}
            </button>
          </span>
        ))}
      </span>
      <button type="button" className="linklike" onClick={() => openQuery('implementors', conflict.selector)}>
        Implementors
      </button>
    </div>
  );
}

/** The alias offered for a trait's conflicting method: `describe` from `TColor` → `colorDescribe`. */
export function aliasName(selector: string, traitName: string): string {
  const base = traitName.replace(/^T(?=[A-Z])/, '');
  return `${base.charAt(0).toLowerCase()}${base.slice(1)}${selector.charAt(0).toUpperCase()}${selector.slice(1)}`;
}
