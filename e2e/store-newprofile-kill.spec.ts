// A browser killed in a brand-new profile's first seconds: each trial starts Chromium on an
// empty profile, opens the store's test page, creates the crash image and commits a
// stream, SIGKILLs the whole browser at a random moment within 5 s of its start (after at
// least one acknowledged commit), starts it again on the same profile and checks that the
// image holds every acknowledged commit, with no partial transaction. `npm test` runs a
// sample; `npm run test:kill` runs 30 trials.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';
import { startChromium, killChromium, openHarness, crashCheck, type Running } from './store-crash-helpers';

const TRIALS = Number(process.env.STORE_KILL_TRIALS ?? 3);
const WITHIN_MS = 5_000;
const DB = 'telos-new-profile-image';

test('acknowledged commits survive a browser kill within the first seconds of a new profile', async () => {
  test.setTimeout(60_000 + TRIALS * 40_000);
  const base = test.info().project.use.baseURL ?? 'http://127.0.0.1:4173';
  const failures: string[] = [];
  const killedAfterMs: number[] = [];
  let inFlightLanded = 0;
  for (let trial = 1; trial <= TRIALS; trial++) {
    const profile = mkdtempSync(join(tmpdir(), 'telos-newprofile-'));
    let running: Running | null = null;
    try {
      running = await startChromium(profile);
      const started = Date.now();
      let acked = 0;
      let firstAckAt = 0;
      const page = await openHarness(running.browser, base, (k) => {
        acked = Math.max(acked, k);
        firstAckAt ||= Date.now();
      });
      void page.evaluate((db) => window.storeHarness.crashStream(db), DB).catch(() => undefined);
      // Strike at a random moment within 5 s of the browser's start, once a commit is acknowledged.
      const strikeAt = started + Math.floor(Math.random() * WITHIN_MS);
      while (Date.now() - started < 60_000 && (acked === 0 || Date.now() < strikeAt)) await new Promise((r) => setTimeout(r, 5));
      const ackedThen = acked;
      killedAfterMs.push(Date.now() - started);
      await killChromium(running);
      running = await startChromium(profile);
      const checker = await openHarness(running.browser, base);
      const result = await crashCheck(checker, DB);
      const name = `trial ${trial} (killed ${Date.now() - started} ms after start, ${ackedThen} acknowledged)`;
      if (ackedThen === 0) failures.push(`${name}: no commit was acknowledged within 60 s`);
      else if (!result.consistent) failures.push(`${name}: inconsistent image: ${result.detail}`);
      else if (result.k < ackedThen) failures.push(`${name}: image holds commit ${result.k} (${result.detail || 'consistent'})`);
      else if (result.k > ackedThen + 1) failures.push(`${name}: image holds commit ${result.k}, more than was sent`);
      else if (result.k === ackedThen + 1) inFlightLanded++;
    } finally {
      if (running) await killChromium(running);
      rmSync(profile, { recursive: true, force: true });
    }
  }
  const within = killedAfterMs.filter((ms) => ms <= WITHIN_MS).length;
  console.log(
    `new-profile kill test: ${TRIALS} kills (${within} within ${WITHIN_MS / 1000} s of the browser's start; ` +
      `median ${killedAfterMs.sort((a, b) => a - b)[Math.floor(killedAfterMs.length / 2)]} ms), ` +
      `${failures.length} lost acknowledged commits, ${inFlightLanded} also kept the commit in flight`,
  );
  expect(failures).toEqual([]);
});
