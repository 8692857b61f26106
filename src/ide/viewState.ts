// View state of the IDE (zustand). It holds only what the page shows; the World worker
// holds the truth about the image.
import { create } from 'zustand';

export interface ViewState {
  /** Name of the image the page is showing. */
  imageName: string;
  /** One line the status bar shows about the last thing that happened. */
  statusMessage: string;
  /** Top-left of the visible part of the world, in world coordinates (panning). */
  viewport: { x: number; y: number };
  setStatus(message: string): void;
  panBy(dx: number, dy: number): void;
}

export const useViewState = create<ViewState>((set) => ({
  imageName: 'genesis',
  statusMessage: 'Ready',
  viewport: { x: 0, y: 0 },
  setStatus: (statusMessage) => set({ statusMessage }),
  panBy: (dx, dy) => set((s) => ({ viewport: { x: s.viewport.x + dx, y: s.viewport.y + dy } })),
}));
