// A request to the World when there is none (not connected yet, its worker gone) comes back
// as a failed outcome the IDE reports, never as an unhandled rejection.
import { afterEach, describe, expect, it } from 'vitest';
import { askWorld, reportOutcome } from './actions';
import { setWorldLink } from './world-link/use-world';
import { useViewState } from './view-state';

afterEach(() => useViewState.getState().clearTranscript());

describe('asking the World', () => {
  it('with no World connected answers a failed outcome, reported in the status bar and the Transcript', async () => {
    setWorldLink(null);
    const outcome = await askWorld((link) => link.addSlot(16, 'weight', 'data', '2'));
    expect(outcome).toEqual({ ok: false, error: { name: 'Error', message: 'The World is not connected yet', frames: [] } });
    expect(reportOutcome('Add slot weight', outcome)).toBe(false);
    expect(useViewState.getState().statusMessage).toBe('Add slot weight refused: Error: The World is not connected yet');
    expect(useViewState.getState().transcript.at(-1)).toMatchObject({ kind: 'error', text: 'Add slot weight refused: Error: The World is not connected yet' });
  });
});
