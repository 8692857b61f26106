// A slot edit whose World link is missing or fails must end in a visible error that names
// the edit, never in an unhandled rejection; the caller keeps the field (and the typed text)
// open for another try.
import { afterEach, describe, expect, it } from 'vitest';
import { editSlot } from './SlotRow';
import { setWorldLink } from '../world-link/use-world';
import { useViewState } from '../view-state';
import type { SlotView } from '../world-link/types';

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
