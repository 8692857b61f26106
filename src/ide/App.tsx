// The IDE's top level: the World canvas above a status bar.
import './ide.css';
import { StatusBar } from './StatusBar';
import { WorldCanvas } from './WorldCanvas';

export function App() {
  return (
    <div className="ide">
      <WorldCanvas />
      <StatusBar />
    </div>
  );
}
