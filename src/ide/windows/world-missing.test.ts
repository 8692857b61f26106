// Windows whose commands reach the World must not break when there is none (not connected
// yet, its worker gone): they render, and a command says it was refused instead of an
// unhandled rejection doing nothing.
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { undoTransaction } from './HistoryWindow';
import { ImagesWindow } from './ImagesWindow';
import { MissingImageWindow } from './MissingImageWindow';
import { setWorldLink } from '../world-link/use-world';
import { useViewState } from '../view-state';

afterEach(() => {
  setWorldLink(null);
  useViewState.getState().clearTranscript();
});

describe('windows with no World connected', () => {
  it('Undo resolves with the refusal for the window alert, also in the status bar and the Transcript', async () => {
    setWorldLink(null);
    await expect(undoTransaction(7, 'Add slot weight')).resolves.toBe('Undo of “Add slot weight” refused: The World is not connected yet');
    const text = 'Undo Add slot weight refused: Error: The World is not connected yet';
    expect(useViewState.getState().statusMessage).toBe(text);
    expect(useViewState.getState().transcript.at(-1)).toMatchObject({ kind: 'error', text });
  });

  it('the Images window renders its form', () => {
    setWorldLink(null);
    expect(renderToString(createElement(ImagesWindow))).toContain('New image');
  });

  it('the missing-image window renders its explanation and Create button', () => {
    setWorldLink(null);
    const html = renderToString(createElement(MissingImageWindow, { data: { name: 'lost' } })).replace(/<!-- -->/g, '');
    expect(html).toContain('There is no image named “lost” in this browser.');
    expect(html).toContain('Create image “lost”');
  });
});
