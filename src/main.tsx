// Entry point of the page: mounts the IDE.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ide';

const root = document.getElementById('root');
if (!root) throw new Error('TelOS Studio: #root element missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
