// The world menu: a small bar of buttons that open the IDE's tools, reachable by Tab.
import { openSingleton, openWorkspace, openOutliner } from './actions';
import { useViewState } from './view-state';
import { useWorldLink } from './world-link/use-world';
import { openMachine } from './machine-windows';

export function WorldMenu() {
  const link = useWorldLink();
  return (
    <nav className="world-menu" aria-label="World menu">
      <span className="brand">TelOS Studio</span>
      <button type="button" onClick={() => openWorkspace()}>
        Workspace
      </button>
      <button type="button" onClick={() => openSingleton('transcript')}>
        Transcript
      </button>
      <button type="button" onClick={() => openSingleton('history')}>
        History
      </button>
      <button type="button" onClick={() => openSingleton('images')}>
        Images
      </button>
      <button type="button" onClick={() => openMachine()}>
        Machine
      </button>
      <button type="button" disabled={!link} onClick={() => link && openOutliner(link.rootOid, 'lobby')}>
        Lobby
      </button>
      <button type="button" title="Spotter (Ctrl+K)" onClick={() => useViewState.getState().setSpotterOpen(true)}>
        Search… <kbd>Ctrl K</kbd>
      </button>
    </nav>
  );
}
