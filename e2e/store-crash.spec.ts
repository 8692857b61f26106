// Crash test for the living image store in real Chromium: a page commits a stream of
// multi-object transactions; at a random moment the whole browser is SIGKILLed (or only the
// page's renderer is crashed); Chromium is started again on the same profile and the image
// must hold exactly the state after the last acknowledged commit — or after the one in
// flight, which may have landed — with no partial transaction. Many trials.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';
import { startChromium, killChromium, shutDownChromium, openHarness as openHarnessAt, crashCheck, type Running } from './store-crash-helpers';

// `npm test` runs a sample; `npm run test:crash` runs the full count (30 + 30).
const BROWSER_KILLS = Number(process.env.STORE_CRASH_BROWSER_KILLS ?? 6);
const RENDERER_CRASHES = Number(process.env.STORE_CRASH_RENDERER_CRASHES ?? 6);
const DB = 'telos-crash-image';
let harnessBase = '';
const openHarness = (browser: Running['browser'], onAck?: (k: number, fastCommits: number) => void) => openHarnessAt(browser, harnessBase, onAck);
const check = (page: Parameters<typeof crashCheck>[0]) => crashCheck(page, DB);

const debug = process.env.STORE_CRASH_DEBUG ? (...a: unknown[]) => console.log(...a) : () => {};
const randomDelay = () => 20 + Math.floor(Math.random() * 400);

test('acknowledged commits survive browser kills and renderer crashes, with no partial transaction', async () => {
  // A browser start takes seconds on a busy machine: the limit grows with the trials.
  test.setTimeout(60_000 + (BROWSER_KILLS + RENDERER_CRASHES) * 15_000);
  harnessBase = test.info().project.use.baseURL ?? 'http://127.0.0.1:4173';
  const profile = mkdtempSync(join(tmpdir(), 'telos-crash-'));
  let running = await startChromium(profile);
  let acked = 0;
  let fastCommits = 0;
  const failures: string[] = [];
  const outcomes = { exact: 0, inFlightLanded: 0 };
  const record = (trial: string, result: Awaited<ReturnType<typeof check>>, ackedThen: number) => {
    if (!result.consistent) failures.push(`${trial}: inconsistent image: ${result.detail}`);
    else if (result.k === ackedThen) outcomes.exact++;
    else if (result.k === ackedThen + 1) outcomes.inFlightLanded++;
    // Say which loss it was: the database gone (no meta), or an image rolled back to an earlier commit.
    else failures.push(`${trial}: image holds commit ${result.k} (lastTid ${result.lastTid}${result.detail ? `: ${result.detail}` : ''}), last acknowledged was ${ackedThen}`);
    acked = result.k;
  };
  try {
    // Create the image, then shut Chromium down cleanly once before the first kill. On a
    // brand-new profile a SIGKILL in the origin's first seconds has twice here lost the whole
    // database, creation included (the browser's own first-use bookkeeping for the origin,
    // not a torn commit): the trials test our commits, so they start on an established origin.
    const first = await openHarness(running.browser);
    await first.evaluate((db) => window.storeHarness.crashCreate(db), DB);
    await first.close();
    await shutDownChromium(running);
    running = await startChromium(profile);
    for (let trial = 0; trial < BROWSER_KILLS + RENDERER_CRASHES; trial++) {
      const killBrowser = trial < BROWSER_KILLS;
      const name = `${killBrowser ? 'browser kill' : 'renderer crash'} #${trial + 1}`;
      let ackedNow = acked;
      const page = await openHarness(running.browser, (k, fast) => {
        ackedNow = Math.max(ackedNow, k);
        fastCommits = Math.max(fastCommits, fast);
      });
      debug(name, 'page open');
      void page.evaluate((db) => window.storeHarness.crashStream(db), DB).catch((e) => debug('stream ended', String(e)));
      // Let a few commits land, then strike at a random moment.
      const start = Date.now();
      while (ackedNow < acked + 2 && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, randomDelay()));
      debug(name, 'striking after ack', ackedNow);
      if (killBrowser) {
        await killChromium(running);
        debug(name, 'killed');
        const ackedThen = ackedNow;
        running = await startChromium(profile);
        debug(name, 'restarted');
        const checker = await openHarness(running.browser);
        record(name, await check(checker), ackedThen);
        await checker.close();
      } else {
        const cdp = await page.context().newCDPSession(page);
        const crashed = new Promise((r) => page.once('crash', r));
        // The command never answers: its target dies. Wait for the crash event instead.
        void cdp.send('Page.crash').catch(() => undefined);
        await Promise.race([crashed, new Promise((r) => setTimeout(r, 5_000))]);
        const ackedThen = ackedNow;
        debug(name, 'crashed');
        await page.close().catch(() => undefined);
        const checker = await openHarness(running.browser);
        debug(name, 'checker open');
        record(name, await check(checker), ackedThen);
        await checker.close();
      }
    }
  } finally {
    await killChromium(running);
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(
    `store crash test: ${BROWSER_KILLS} browser kills + ${RENDERER_CRASHES} renderer crashes; ` +
      `${outcomes.exact} ended at the last acknowledged commit, ${outcomes.inFlightLanded} also kept the commit in flight; ` +
      `${failures.length} failures; final commit ${acked} (half of the commits by the fast path)`,
  );
  expect(fastCommits, 'the fast commit path was exercised').toBeGreaterThan(0);
  expect(failures).toEqual([]);
  expect(acked).toBeGreaterThan(BROWSER_KILLS + RENDERER_CRASHES);
});
