// A request to the World when there is none (not connected yet, its worker gone) comes back
// as a failed outcome the IDE reports, never as an unhandled rejection.
import { afterEach, describe, expect, it } from 'vitest';
import { askWorld, deleteImage, evaluate, exportImageFile, newImage, openImage, renameImage, reportOutcome } from './actions';
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

describe('commands that reach the World, with none connected', () => {
  const missing = 'Error: The World is not connected yet';
  const said = (text: string) => {
    expect(useViewState.getState().statusMessage).toBe(text);
    expect(useViewState.getState().transcript.at(-1)).toMatchObject({ kind: 'error', text });
  };

  it('image commands resolve as not done and say which one was refused', async () => {
    setWorldLink(null);
    await expect(newImage('scratch')).resolves.toBe(false);
    said(`New image scratch refused: ${missing}`);
    await expect(openImage('work')).resolves.toBe(false);
    said(`Open image work refused: ${missing}`);
    await expect(renameImage('work', 'play')).resolves.toBe(false);
    said(`Rename image work refused: ${missing}`);
    await expect(deleteImage('old')).resolves.toBe(false);
    said(`Delete image old refused: ${missing}`);
  });

  it('Export says it was refused instead of rejecting', async () => {
    setWorldLink(null);
    await expect(exportImageFile('work')).resolves.toBeUndefined();
    said(`Export work refused: ${missing}`);
  });

  it('evaluating says it failed in the status bar and the Transcript', async () => {
    setWorldLink(null);
    await expect(evaluate('3 + 4')).resolves.toBeNull();
    said('Evaluation failed: The World is not connected yet');
  });
});
