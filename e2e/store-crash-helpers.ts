// What the store's crash specs share: Chromium started on a profile directory the spec owns
// (so the whole browser's process group can be SIGKILLed), the store's test page opened in
// it, and the check of the crash image after a restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser, type Page } from '@playwright/test';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HARNESS_PATH = '/e2e/pages/store-harness.html';

export interface Running {
  proc: ChildProcess;
  browser: Browser;
}

/** Starts Chromium on `profile`, in a process group of its own. */
export async function startChromium(profile: string): Promise<Running> {
  const proc = spawn(
    CHROMIUM,
    [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const ws = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${buf}`)), 60_000);
    proc.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.on('exit', () => reject(new Error(`Chromium exited: ${buf}`)));
  });
  proc.stderr!.resume();
  const browser = await chromium.connectOverCDP(ws);
  return { proc, browser };
}

/** SIGKILLs the browser's whole process group, as a crash or `kill -9` would end it. */
export function killChromium(r: Running): Promise<void> {
  return new Promise((resolve) => {
    if (r.proc.exitCode !== null || r.proc.signalCode !== null) return resolve();
    r.proc.once('exit', () => resolve());
    try {
      process.kill(-r.proc.pid!, 'SIGKILL');
    } catch {
      r.proc.kill('SIGKILL');
    }
  });
}

/** Closes Chromium the way a user quitting it does, so it finishes its writes. */
export async function shutDownChromium(r: Running): Promise<void> {
  const exited = new Promise<void>((resolve) => (r.proc.exitCode !== null ? resolve() : r.proc.once('exit', () => resolve())));
  const cdp = await r.browser.newBrowserCDPSession();
  await cdp.send('Browser.close').catch(() => undefined);
  await Promise.race([exited, new Promise((res) => setTimeout(res, 10_000))]);
  await killChromium(r);
}

/** Opens the store's test page; `onAck` hears each acknowledged commit of the crash stream. */
export async function openHarness(browser: Browser, baseURL: string, onAck?: (k: number, fastCommits: number) => void): Promise<Page> {
  const context = browser.contexts()[0]!;
  const page = await context.newPage();
  if (onAck) await page.exposeFunction('__ack', onAck);
  const url = new URL(HARNESS_PATH, baseURL).href;
  // The preview server may be answering another run's rebuild for a moment: retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await page.goto(url);
      break;
    } catch (e) {
      if (attempt >= 4) throw e;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
  return page;
}

export function crashCheck(page: Page, db: string) {
  return page.evaluate((name) => window.storeHarness.crashCheck(name), db);
}
