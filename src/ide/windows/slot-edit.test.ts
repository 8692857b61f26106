// An edit in progress keeps the user's text when another tab renames or removes its slot.
// A slot edit whose World link is missing or fails must end in a visible error that names
// the edit, never in an unhandled rejection; the caller keeps the field (and the typed text)
// open for another try.
import { afterEach, describe, expect, it } from 'vitest';
import { editSlot, followSlotEdit, startSlotEdit, type SlotEditState } from './SlotRow';
import { setWorldLink } from '../world-link/use-world';
import { useViewState } from '../view-state';
import type { ObjectView, SlotView } from '../world-link/types';

const radius: SlotView = { name: 'radius', kind: 'data', value: 1, constant: false, via: 'own', holder: 16, holderName: 'Circle' } as SlotView;

afterEach(() => {
  setWorldLink(null);
  useViewState.getState().clearTranscript();
});

describe('a slot edit when the World cannot take it', () => {
  it('with no World connected, resolves as failed and says so in the status bar and the Transcript', async () => {
    setWorldLink(null);
    const conflicts: unknown[] = [];
    const result = await editSlot(16, radius, 3, 'value', '5 + 1', (c) => conflicts.push(c));
    expect(result).toBe('failed');
    expect(conflicts).toEqual([]);
    const message = 'Set radius failed: The World is not connected yet; nothing was written, your text is kept';
    expect(useViewState.getState().statusMessage).toBe(message);
    expect(useViewState.getState().transcript.at(-1)).toMatchObject({ text: message, kind: 'error' });
  });

  it('a removal with no World connected fails the same way', async () => {
    setWorldLink(null);
    await expect(editSlot(16, radius, 3, 'remove', '', () => undefined)).resolves.toBe('failed');
    expect(useViewState.getState().statusMessage).toMatch(/^Remove slot radius failed: The World is not connected yet/);
  });
});

describe('an inline edit in progress when another tab commits the object', () => {
  const circle = (serial: number, slots: Partial<SlotView>[]): ObjectView =>
    ({
      oid: 16,
      name: 'Circle',
      serial,
      slots: slots.map((s) => ({ kind: 'data', constant: false, via: 'own', holder: 16, holderName: 'Circle', ...s }) as SlotView),
      traitMethods: [],
      traits: [],
      conflicts: [],
      requires: [],
      names: {},
    }) as unknown as ObjectView;
  const before = circle(3, [{ name: 'radius', value: 1 }, { name: 'color', value: 'red' }]);
  const typing = (kind: SlotEditState['kind'], text: string) => ({ ...startSlotEdit(before, before.slots[0]!, kind), text });

  it('keeps the typed text and follows the slot when it is renamed, saying so', () => {
    const after = circle(4, [{ name: 'r', value: 1 }, { name: 'color', value: 'red' }]);
    const next = followSlotEdit(typing('value', '6'), after);
    expect(next).toEqual({
      edit: expect.objectContaining({ slot: 'r', text: '6', serial: 4, seen: after.slots[0], note: 'radius was renamed to r in another tab; Enter applies your edit to r' }),
    });
  });

  it('an untouched field follows a rename and shows the slot as it is now', () => {
    const after = circle(4, [{ name: 'r', value: 1 }, { name: 'color', value: 'red' }]);
    const next = followSlotEdit(startSlotEdit(before, before.slots[0]!, 'rename'), after);
    expect(next).toEqual({ edit: expect.objectContaining({ slot: 'r', text: 'r', initial: 'r' }) });
  });

  it('turns into a conflict holding the typed text when the slot is removed, or renamed and changed', () => {
    for (const slots of [[{ name: 'color', value: 'red' }], [{ name: 'r', value: 2 }, { name: 'color', value: 'red' }]]) {
      const next = followSlotEdit(typing('value', '6'), circle(5, slots));
      expect(next).toEqual({ gone: { edit: 'value', seen: before.slots[0], mine: '6', currentSerial: 5 } });
    }
  });

  it('two new slots like it are no rename it can follow: a conflict, text kept', () => {
    const next = followSlotEdit(typing('value', '6'), circle(5, [{ name: 'r', value: 1 }, { name: 'rad', value: 1 }, { name: 'color', value: 'red' }]));
    expect(next).toMatchObject({ gone: { mine: '6' } });
  });

  it('a change to another slot moves the edit to the new version; a change to this slot keeps typed text', () => {
    const other = circle(6, [{ name: 'radius', value: 1 }, { name: 'color', value: 'blue' }]);
    expect(followSlotEdit(typing('value', '6'), other)).toEqual({ edit: expect.objectContaining({ slot: 'radius', text: '6', serial: 6 }) });
    const same = circle(7, [{ name: 'radius', value: 5 }, { name: 'color', value: 'red' }]);
    expect(followSlotEdit(typing('value', '6'), same)).toEqual({ edit: expect.objectContaining({ text: '6', serial: 3 }) });
    expect(followSlotEdit(typing('value', '1'), same)).toEqual({ edit: expect.objectContaining({ text: '5', initial: '5', serial: 7 }) });
  });
});
