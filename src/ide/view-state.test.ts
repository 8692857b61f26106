import { afterEach, describe, expect, it } from 'vitest';
import { TRANSCRIPT_KEEP_CHARS, TRANSCRIPT_KEEP_LINES, useViewState } from './view-state';

const view = () => useViewState.getState();
const keptChars = () => view().transcript.filter((l) => l.kind !== 'info').reduce((n, l) => n + l.text.length + 1, 0);

afterEach(() => view().clearTranscript());

describe('the Transcript view keeps the newest lines within its bounds', () => {
  it('at most 2,000 lines: older ones are dropped, and a first line says how many', () => {
    for (let i = 0; i < 2500; i++) view().appendTranscript(`line ${i}`);
    const lines = view().transcript;
    expect(lines).toHaveLength(TRANSCRIPT_KEEP_LINES + 1);
    expect(lines[0]).toMatchObject({ kind: 'info', text: '… 500 earlier lines dropped: the Transcript keeps the newest 2,000 lines and 4,194,304 characters' });
    expect(lines[1]!.text).toBe('line 500');
    expect(lines.at(-1)!.text).toBe('line 2499');
    expect(new Set(lines.map((l) => l.id)).size).toBe(lines.length);
  });

  it('at most 4 Mi characters in all, whatever the lines', () => {
    const big = 'z'.repeat(65536);
    for (let i = 0; i < 200; i++) view().appendTranscript(`${i} ${big}`);
    const lines = view().transcript;
    expect(keptChars()).toBeLessThanOrEqual(TRANSCRIPT_KEEP_CHARS);
    expect(view().transcriptChars).toBe(keptChars());
    // 63 lines of 65,540 characters fit in 4 Mi; the other 137 are counted in the note.
    expect(lines).toHaveLength(64);
    expect(lines[0]!.text).toMatch(/^… 137 earlier lines dropped/);
    expect(lines.at(-1)!.text.startsWith('199 ')).toBe(true);
  });

  it('one line longer than the whole allowance is cut, saying how much', () => {
    view().appendTranscript('short');
    view().appendTranscript('w'.repeat(TRANSCRIPT_KEEP_CHARS + 10), 'error');
    const lines = view().transcript;
    expect(lines).toHaveLength(2);
    expect(lines[0]!.text).toBe('short');
    expect(lines[1]!.text.endsWith('w… (74 chars cut)')).toBe(true);
    expect(keptChars()).toBeLessThanOrEqual(TRANSCRIPT_KEEP_CHARS);
  });

  it('clearing forgets the dropped lines too', () => {
    for (let i = 0; i < 2001; i++) view().appendTranscript('x');
    view().clearTranscript();
    view().appendTranscript('fresh');
    expect(view().transcript.map((l) => l.text)).toEqual(['fresh']);
    expect(view().transcriptChars).toBe(6);
  });
});

describe('new windows are placed where they hide no other exactly, on screen', () => {
  const screen = globalThis as { innerWidth?: number; innerHeight?: number };
  const open = (title: string, kind: 'workspace' | 'outliner' = 'outliner') => view().openWindow({ kind, title, target: { oid: title.length + Math.random() } });
  const at = (id: string) => {
    const w = view().windows.find((x) => x.id === id)!;
    return { x: w.x, y: w.y, w: w.w, h: w.h };
  };
  const sameCorner = () => {
    const corners = view().windows.map((w) => `${w.x},${w.y}`);
    return corners.length - new Set(corners).size;
  };
  afterEach(() => {
    view().replaceWindows([], { x: 0, y: 0 });
    delete screen.innerWidth;
    delete screen.innerHeight;
  });

  it('a window opened after another was closed does not land on one still open', () => {
    screen.innerWidth = 1920;
    screen.innerHeight = 1080;
    const a = open('A');
    const b = open('B');
    open('C');
    view().closeWindow(b);
    open('D');
    expect(sameCorner()).toBe(0);
    view().closeWindow(a);
    open('E');
    open('F');
    expect(sameCorner()).toBe(0);
  });

  it('cascades from the window in front, wherever it was moved', () => {
    screen.innerWidth = 1920;
    screen.innerHeight = 1080;
    const a = open('A');
    view().moveWindow(a, 700, 300);
    const b = open('B');
    expect(at(b).x).toBeGreaterThan(700);
    expect(at(b).y).toBeGreaterThan(300);
    expect(at(b).x - 700).toBeLessThan(60);
  });

  it('keeps every new window inside the visible part of the world, and still apart, at 1280×720', () => {
    screen.innerWidth = 1280;
    screen.innerHeight = 720;
    view().panBy(200, 100);
    const ids = Array.from({ length: 14 }, (_, i) => open(`W${i}`, i % 2 ? 'workspace' : 'outliner'));
    for (const id of ids) {
      const r = at(id);
      expect(r.x).toBeGreaterThanOrEqual(200);
      expect(r.y).toBeGreaterThanOrEqual(100);
      expect(r.x + r.w).toBeLessThanOrEqual(200 + 1280);
      expect(r.y + r.h).toBeLessThanOrEqual(100 + 720);
    }
    expect(sameCorner()).toBe(0);
  });
});
