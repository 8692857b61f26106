// Vite builds the IDE. Workers are ES modules so they can import the same TypeScript.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  // The machine worker's dependencies, pre-bundled at dev start so the first Boot does not
  // make the dev server re-optimise and reload the page.
  optimizeDeps: { include: ['v86', 'idb', '@xterm/xterm', '@xterm/addon-fit'] },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4096,
    // The store's test page (real-IndexedDB scenarios, crash stream, bench) ships beside the app.
    rollupOptions: { input: { main: 'index.html', storeHarness: 'e2e/pages/store-harness.html' } },
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
});
