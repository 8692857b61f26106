// Vite builds the IDE. Workers are ES modules so they can import the same TypeScript.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

/** Cross-origin isolation: a workspace's Stop shares a SharedArrayBuffer flag with the World
 * worker (read by the sandbox's interrupt handler while QuickJS runs), and only an isolated
 * page may share one. Everything the app loads is its own, so require-corp costs nothing;
 * a host that cannot send these headers serves an app whose evaluations cannot be stopped. */
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  plugins: [
    react(),
    // Offline and installable: a web app manifest and a Workbox service worker that
    // precaches the whole app — the kernel ELF and every wasm (v86, QuickJS) included — so
    // the IDE opens and the Machine boots with the network gone. A new deployment waits
    // until the user accepts the update prompt (registerType 'prompt'); the dev server
    // (`npm start`) has no service worker.
    VitePWA({
      registerType: 'prompt',
      injectRegister: null,
      includeAssets: ['icon.svg', 'icon-192.png', 'icon-512.png'],
      manifest: {
        name: 'TelOS Studio',
        short_name: 'TelOS',
        description: 'A live prototype-object World and the TelOS microkernel, in one web page.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#f4f1ea',
        theme_color: '#1e2024',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{html,js,css,wasm,elf,ttf,svg,png,webmanifest}'],
        // The store's test page is not part of the app.
        globIgnores: ['e2e/**', '**/storeHarness-*'],
        // v86 and the QuickJS builds are megabytes each.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/e2e\//],
        cleanupOutdatedCaches: true,
      },
      devOptions: { enabled: false },
    }),
  ],
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
  server: { host: '127.0.0.1', port: 5173, strictPort: false, headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, headers: ISOLATION_HEADERS },
});
