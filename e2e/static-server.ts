// A small static file server for specs that need the app's server to change or go away
// (offline, a new deployment): it serves a folder on a free loopback port, reads each file
// when asked (so a changed file is served at once), and stops on request.
import { createServer, type Server } from 'node:http';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

export interface StaticSite {
  url: string;
  root: string;
  stop(): Promise<void>;
  /** Removes the copy of the app. */
  dispose(): Promise<void>;
}

/** Copies the built app (dist/ unless E2E_DIST says otherwise) to a folder of its own and serves it. */
export async function serveCopyOfApp(port = 0): Promise<StaticSite> {
  const root = mkdtempSync(join(tmpdir(), 'telos-site-'));
  cpSync(process.env.E2E_DIST || 'dist', root, { recursive: true });
  return serveFolder(root, port);
}

export async function serveFolder(root: string, port = 0): Promise<StaticSite> {
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(root, path);
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
    // Cross-origin isolated, as vite's preview serves the app (see vite.config.ts).
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  let stopped = false;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (stopped) return resolve();
      stopped = true;
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    url,
    root,
    stop,
    dispose: async () => {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
