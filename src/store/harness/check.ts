// Minimal assertions for the conformance scenarios, so the same scenarios run under vitest
// (fake-indexeddb) and inside Chromium's page (real IndexedDB) without a test framework.

export class CheckFailed extends Error {
  override name = 'CheckFailed';
}

export function ok(cond: unknown, what: string): asserts cond {
  if (!cond) throw new CheckFailed(what);
}

export function equal<T>(actual: T, expected: T, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new CheckFailed(`${what}: expected ${e}, got ${a}`);
}

/** Awaits a promise that must reject; checks the error's name, code and message. */
export async function rejects(
  p: Promise<unknown>,
  expect: { name?: string; code?: string; message?: RegExp },
  what: string,
): Promise<Error & { code?: string }> {
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new CheckFailed(`${what}: expected a rejection, but it resolved`);
  const e = error as Error & { code?: string };
  if (expect.name && e.name !== expect.name) throw new CheckFailed(`${what}: expected ${expect.name}, got ${e.name}: ${e.message}`);
  if (expect.code && e.code !== expect.code) throw new CheckFailed(`${what}: expected code ${expect.code}, got ${e.code} (${e.name}: ${e.message})`);
  if (expect.message && !expect.message.test(e.message)) throw new CheckFailed(`${what}: message “${e.message}” does not match ${expect.message}`);
  return e;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond()` holds, checking every 20 ms, or fails after `ms`. */
export async function eventually(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new CheckFailed(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
}
