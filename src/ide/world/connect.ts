// Starts the World worker and installs the link the windows use. Until the worker's typed
// client lands this reports that the World is not connected, and the IDE runs with the
// windows that need no World (Transcript, Workspace editor, window morphs).
import { setWorldLink } from './useWorld';

export async function connectWorld(): Promise<void> {
  setWorldLink(null, 'The World worker is not available in this build');
}
