// `telos image inspect|verify|export|import`: the `.telos` image file from the command line,
// running the same reader, writer and store code as the browser. Bad input gives a one-line
// reason on stderr and a non-zero status, never a stack trace.
import { createReadStream, createWriteStream } from 'node:fs';
import { link, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import {
  exportImage,
  ImageFileError,
  ImageImportError,
  loadImageIntoMemory,
  MemoryImage,
  readImageFile,
  type ImageReadSummary,
} from '../imagefile';
import { genesisStates } from '../world';

const USAGE = `usage:
  telos image inspect FILE.telos [--objects]     show header, counts and checksum; --objects lists them
  telos image verify FILE.telos...               check every record, reference and the checksum
  telos image export (--genesis | --from FILE.telos) [--history] [--name NAME] OUT.telos
                                                 write the genesis World (or a file, re-encoded) as an image
  telos image import FILE.telos [--name NAME]    import into a new image of the store (in Node a scratch
                                                 store in memory: it proves the store accepts the file)`;

class UsageError extends Error {}

/** A `.telos` file as a web stream of bytes. */
export function imageFileStream(path: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
}

/** Reads and validates a `.telos` file into memory (for `telos eval --image FILE`). */
export function openImageFile(path: string): Promise<MemoryImage> {
  return loadImageIntoMemory(imageFileStream(path));
}

/** Whether a process with this id is running (one of another user's counts as running). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes the temporary files (`F.partial-PID`, `F.lock-PID-N`, `F.lock-….stale`) that processes
 * which died while writing `path` left behind; those of running processes, and this one's, are kept.
 */
export async function sweepStaleFiles(path: string): Promise<string[]> {
  const dir = dirname(path);
  const pattern = new RegExp(`^${escapeRegExp(basename(path))}\\.(?:partial|lock)-(\\d+)(?:-[0-9a-z]+)?$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  const lockName = `${basename(path)}.lock`;
  const claims: string[] = [];
  for (const name of names) {
    // A takeover's claim (see removeStaleFile) outlives its takeover only if its taker died.
    if (name.startsWith(`${lockName}-`) && name.endsWith('.stale')) {
      claims.push(name);
      continue;
    }
    const m = pattern.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  if (claims.length > 0) {
    await withIdentity(path, async (identity) => {
      // Claims on claims first: clearing one clears nothing above it.
      for (const name of claims.sort((a, b) => b.length - a.length)) {
        const file = join(dir, name);
        const held = await readFile(file, 'utf8').catch(() => null);
        if (held === null || holderAlive(held)) continue;
        // Removed the safe way: another process may be recovering the same claim right now.
        if ((await removeStaleFile(file, held, identity, () => undefined)) === 'removed') removed.push(name);
      }
    });
  }
  return removed;
}

/** Another process holds the image file's lock. */
export class ImageLockedError extends Error {
  override readonly name = 'ImageLocked';
}

export interface ImageFileLock {
  /** Throws ImageLockedError if the lock is no longer this process's (it was taken as stale). */
  check(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Called after each step of taking a lock (for tests, which kill the process there to leave
 * what a death at that step leaves): its identity file written, a takeover claimed, the stale
 * file removed (depth 0 is the lock, 1 a claim on it, …), the lock linked.
 */
export type LockStepHook = (step: 'identity' | 'claimed' | 'removed' | 'locked', depth: number) => void | Promise<void>;

/** This call's identity on disk: `F.lock-PID-TOKEN` holding `PID TOKEN\n`, linked to take a lock or a claim whole. */
interface Identity {
  tmp: string;
  mine: string;
}

/** Runs `fn` with a fresh identity file, removed after (a dead process's is swept). */
async function withIdentity<T>(path: string, fn: (identity: Identity) => Promise<T>): Promise<T> {
  const token = randomBytes(8).toString('hex');
  const identity = { mine: `${process.pid} ${token}\n`, tmp: `${path}.lock-${process.pid}-${token}` };
  await writeFile(identity.tmp, identity.mine);
  try {
    return await fn(identity);
  } finally {
    await rm(identity.tmp, { force: true });
  }
}

/** Whether the process named by a lock's or claim's text runs (unreadable text: it does not). */
function holderAlive(held: string): boolean {
  const pid = Number.parseInt(held, 10);
  return Number.isSafeInteger(pid) && pid > 0 && processAlive(pid);
}

/**
 * Takes `F.lock` for writing `path`: created whole, with this process's id and a random token,
 * by a hard link (which fails when the lock exists), so no reader ever sees it empty. A lock
 * whose process is not running is stale and is taken over (see removeStaleFile): of many
 * processes that find it at once, exactly one removes it, and then the usual link decides who
 * holds the new one. A takeover interrupted by its taker's death is completed or undone by the
 * next process that meets it. A lock whose process runs refuses.
 */
export async function lockImageFile(path: string, options: { onStep?: LockStepHook } = {}): Promise<ImageFileLock> {
  const lock = `${path}.lock`;
  const step = options.onStep ?? (() => undefined);
  const mine = await withIdentity(path, async (identity) => {
    await step('identity', 0);
    for (let attempt = 0; ; attempt++) {
      try {
        await link(identity.tmp, lock);
        await step('locked', 0);
        return identity.mine;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let held: string;
      try {
        held = await readFile(lock, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
        throw e;
      }
      if (holderAlive(held)) {
        throw new ImageLockedError(`${path} is being written by another process (pid ${Number.parseInt(held, 10)}); if it is not, remove ${lock}`);
      }
      // Left by a process that died: take it over.
      if ((await removeStaleFile(lock, held, identity, step)) === 'busy') {
        // Another running process is taking it over now (that takes a few ms): wait for the outcome.
        if (attempt >= 100) throw new ImageLockedError(`${path} is being written by another process (its stale lock is being taken over by a running process)`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  });
  const check = async () => {
    const held = await readFile(lock, 'utf8').catch(() => '');
    if (held !== mine) throw new ImageLockedError(`${path} is being written by another process: its lock was taken while this one wrote`);
  };
  return {
    check,
    async release() {
      if ((await readFile(lock, 'utf8').catch(() => '')) === mine) await rm(lock, { force: true });
    },
  };
}

/** The claim on removing a stale file that was read to hold `held`: `FILE-PID-TOKEN.stale`, named from what it held. */
function staleLockName(file: string, held: string): string {
  const id = held.trim().replace(/[^0-9A-Za-z]+/g, '-').slice(0, 80) || 'empty';
  return `${file}-${id}.stale`;
}

/** How deep claims on claims go before a takeover gives up (each level is one taker that died mid-takeover). */
const MAX_CLAIM_DEPTH = 4;

/**
 * Removes the stale file `file` (a lock, or a claim below) that was read to hold `held`,
 * unless a running process is doing so ('busy'). Removing it by name would race: between
 * reading it and removing it, another taker may have removed it and linked its own, which
 * would go instead. So a taker first claims the removal: it links its identity to a name made
 * from what it read (`FILE-PID-TOKEN.stale`); the link fails for every taker but one. Only the
 * claim's holder removes a file holding `held`, and it checks that the file still does after
 * claiming, so it never removes anything else (a file's token is never reused).
 * The claim names its taker, so a taker that died mid-takeover is seen: its claim is stale
 * in turn and is removed the same way (a claim on the claim), after which the takeover is
 * done again from the start: the file is removed if it still holds `held` (completed), or
 * left (undone: nothing was removed yet, or someone else finished first).
 */
async function removeStaleFile(file: string, held: string, identity: Identity, step: LockStepHook, depth = 0): Promise<'removed' | 'busy' | 'changed'> {
  const claim = staleLockName(file, held);
  for (;;) {
    try {
      await link(identity.tmp, claim);
      await step('claimed', depth);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let claimHeld: string;
    try {
      claimHeld = await readFile(claim, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // its taker finished meanwhile
      throw e;
    }
    if (holderAlive(claimHeld)) return 'busy';
    // Its taker died mid-takeover: clear its claim, then claim again.
    if (depth >= MAX_CLAIM_DEPTH) throw new ImageLockedError(`${claim} and the claims on it were left by ${MAX_CLAIM_DEPTH} processes that died; remove ${file}* by hand`);
    if ((await removeStaleFile(claim, claimHeld, identity, step, depth + 1)) === 'busy') return 'busy';
  }
  try {
    const now = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    if (now !== held) return 'changed';
    await rm(file);
    await step('removed', depth);
    return 'removed';
  } finally {
    await rm(claim, { force: true });
  }
}

/** fsync of a directory, so a rename in it is on disk (not possible on every platform: skipped there). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw e;
  } finally {
    await handle?.close();
  }
}

/**
 * Writes a stream to `path` through a temporary file, so a failed export leaves no half file:
 * the temporary file is flushed to disk (fsync) before it is renamed over `path`, and the
 * directory after, so a write reported done survives a power loss. Temporary files of
 * writers that died are swept first. `beforeRename` may refuse the rename (a lost lock).
 */
export async function writeAtomically(
  path: string,
  stream: ReadableStream<Uint8Array>,
  options: { beforeRename?: () => Promise<void> } = {},
): Promise<number> {
  await sweepStaleFiles(path);
  const tmp = `${path}.partial-${process.pid}`;
  try {
    await pipeline(Readable.fromWeb(stream as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(tmp));
    const handle = await open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeRename?.();
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await syncDirectory(dirname(path));
  return (await stat(path)).size;
}

function takeFlag(args: string[], flag: string): boolean {
  const i = args.indexOf(flag);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
}

function takeOption(args: string[], option: string): string | undefined {
  const i = args.indexOf(option);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${option} needs a value`);
  args.splice(i, 2);
  return value;
}

function noMoreOptions(args: string[]): void {
  const unknown = args.find((a) => a.startsWith('--'));
  if (unknown) throw new UsageError(`unknown option ${unknown}`);
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;

function describeCounts(s: ImageReadSummary): string {
  const c = s.counts;
  const parts = [`${c.obj} objects`, `${c.blob} blobs`, `${c.tx} transactions`];
  if (c.disk) parts.push(`${c.disk} disk chunks`);
  if (c.vm) parts.push(`${c.vm} VM state chunks`);
  return parts.join(', ');
}

async function inspect(args: string[]): Promise<number> {
  const listObjects = takeFlag(args, '--objects');
  noMoreOptions(args);
  if (args.length !== 1) throw new UsageError('inspect takes one file');
  const path = args[0]!;
  const objects: { oid: number; name: string; slots: number; traits: number }[] = [];
  const summary = await readImageFile(imageFileStream(path), {
    header(h) {
      console.log(`file:       ${path}`);
      console.log(`format:     ${h.format} version ${h.version}`);
      if (h.name !== undefined) console.log(`name:       ${h.name}`);
      console.log(`created:    ${h.createdAt}`);
      console.log(`root:       object ${h.root}`);
      if (h.nextOid !== undefined) console.log(`next OID:   ${h.nextOid}`);
      if (h.lastTid !== undefined) console.log(`last tid:   ${h.lastTid}`);
    },
    record(r) {
      if (listObjects && r.type === 'obj') objects.push({ oid: r.oid, name: r.state.name, slots: r.state.slots.length, traits: r.state.traits.length });
    },
  });
  console.log(`contents:   ${describeCounts(summary)}`);
  console.log(`size:       ${mb(summary.compressedBytes)} compressed, ${mb(summary.bytes)} as NDJSON (${summary.lines} lines)`);
  console.log(`sha256:     ${summary.sha256} (verified)`);
  for (const o of objects) console.log(`  ${String(o.oid).padStart(6)}  ${o.name || '(unnamed)'}  ${o.slots} slots${o.traits ? `, ${o.traits} traits` : ''}`);
  return 0;
}

async function verify(args: string[]): Promise<number> {
  noMoreOptions(args);
  if (args.length === 0) throw new UsageError('verify takes one or more files');
  let failed = 0;
  for (const path of args) {
    try {
      const s = await readImageFile(imageFileStream(path));
      console.log(`ok ${path}: ${describeCounts(s)}; sha256 ${s.sha256}`);
    } catch (e) {
      failed++;
      console.error(`${path}: ${reasonOf(e)}`);
    }
  }
  return failed ? 1 : 0;
}

async function exportCommand(args: string[]): Promise<number> {
  const genesis = takeFlag(args, '--genesis');
  const from = takeOption(args, '--from');
  const history = takeFlag(args, '--history');
  const name = takeOption(args, '--name');
  noMoreOptions(args);
  if (genesis === (from !== undefined)) throw new UsageError('export needs exactly one of --genesis or --from FILE');
  if (args.length !== 1) throw new UsageError('export takes one output file');
  let image: MemoryImage;
  if (genesis) {
    image = new MemoryImage(name ?? 'genesis');
    for (const s of genesisStates()) image.put(s);
  } else {
    image = await openImageFile(from!);
    if (name !== undefined) image.name = name;
  }
  const bytes = await writeAtomically(args[0]!, await exportImage(image, { includeHistory: history }));
  const d = await image.describe();
  console.log(`wrote ${args[0]}: ${d.counts.objects} objects, ${d.counts.blobs} blobs${history ? `, ${d.counts.transactions} transactions` : ''}; ${mb(bytes)}`);
  return 0;
}

async function importCommand(args: string[]): Promise<number> {
  const name = takeOption(args, '--name');
  noMoreOptions(args);
  if (args.length !== 1) throw new UsageError('import takes one file');
  // Node has no IndexedDB of its own: the store runs on fake-indexeddb, in memory.
  const fakeIndexedDb = 'fake-indexeddb/auto';
  await import(fakeIndexedDb);
  const { ImageRegistry } = await import('../store');
  const { importIntoStore } = await import('../imagefile');
  const registry = await ImageRegistry.open({ syncIntervalMs: 0, registryName: `telos-cli-${process.pid}` });
  try {
    const result = await importIntoStore(registry, imageFileStream(args[0]!), name !== undefined ? { name } : {});
    const image = await registry.open(result.name);
    const stored = await image.countObjects();
    image.close();
    console.log(`imported ${args[0]} as image “${result.name}”: ${describeCounts(result.summary)}; the store holds ${stored} objects`);
    for (const note of result.skipped) console.log(`  not kept: ${note}`);
    console.log('  (Node has no persistent IndexedDB: this store lived in memory and is gone now)');
    return 0;
  } finally {
    registry.close();
  }
}

function reasonOf(e: unknown): string {
  if (e instanceof ImageFileError || e instanceof ImageImportError) return e.message;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return `no such file: ${err.path ?? ''}`;
  if (err?.code === 'EISDIR') return 'is a directory, not a file';
  if (err?.code === 'EACCES') return `permission denied: ${err.path ?? ''}`;
  if (err?.name === 'StoreError' || err?.name === 'InvalidInput') return err.message;
  return err?.message ?? String(e);
}

/** Runs `telos image ...` with the arguments after `image`; answers the exit status. */
export async function runImageCommand(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const args = [...rest];
  try {
    switch (command) {
      case 'inspect':
        return await inspect(args);
      case 'verify':
        return await verify(args);
      case 'export':
        return await exportCommand(args);
      case 'import':
        return await importCommand(args);
      case undefined:
      case 'help':
      case '--help':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown image command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`telos image: ${e.message}\n${USAGE}`);
      return 2;
    }
    console.error(`telos image ${command}: ${reasonOf(e)}`);
    return 1;
  }
}

// Run directly (`tsx src/cli/image.ts verify FILE`) as well as through `telos image`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runImageCommand(process.argv.slice(2)).then((code) => process.exit(code));
}
