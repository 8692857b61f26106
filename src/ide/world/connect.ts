// Starts the World worker (through its typed client) and installs the link the windows
// use. A World that fails to start leaves the IDE usable with a clear message.
import { setWorldLink } from './useWorld';
import { ClientLink, LAYOUT_NOTE } from './clientLink';
import { useViewState } from '../viewState';

export async function connectWorld(): Promise<void> {
  try {
    const { getWorldClient } = await import('../../workers/world-client');
    const client = getWorldClient();
    const hello = await client.hello();
    const link = new ClientLink(client, hello.root, 'genesis');
    link.onPrint((line) => useViewState.getState().appendTranscript(line, 'print'));
    link.subscribe((c) => {
      if (c.tid !== undefined && !c.note?.startsWith(LAYOUT_NOTE)) {
        useViewState.getState().setImageInfo({ lastCommit: `#${c.tid} ${c.note ?? ''}`.trim() });
      }
    });
    useViewState.getState().setImageInfo({ imageName: link.imageName() });
    setWorldLink(link);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    useViewState.getState().setStatus(`The World could not start: ${reason}`);
    setWorldLink(null, reason);
  }
}
