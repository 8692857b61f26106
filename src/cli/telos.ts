// The `telos` command line: the same World and sandbox as the page, under Node.
//   telos eval [--commit] [--deadline MS] CODE   evaluate workspace code against genesis, print the result
//   telos help
// Success: exit 0. Bad input: one line on stderr (no stack trace) and a non-zero exit.

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TelosError, createGenesisWorld, InMemoryStore, World } from '../world';
import { EvaluationError, Sandbox, evaluateAndCommit, frameText } from '../sandbox';
import type { ImageFileLock } from './image';

const USAGE = `usage: telos eval [--image FILE.telos] [--commit] [--deadline MS] CODE
       telos image inspect|verify|export|import ...   (telos image help)
       telos help
Evaluates CODE as workspace code (self is the lobby) against the genesis World, or the World
of an image file, and prints its value. Transcript lines (print) go to stdout before the value.
--commit commits the evaluation; with --image the file is rewritten with the new state.`;

/** Exit statuses: 0 success, 1 the code failed, 2 the command line was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

class UsageError extends Error {}

/** One line saying what failed and where. */
export function describeFailure(e: unknown): string {
  if (e instanceof EvaluationError) {
    const where = e.sends[0] ? ` (in ${frameText(e.sends[0])})` : '';
    return `${e.name}: ${e.message}${where}`;
  }
  if (e instanceof TelosError) return `${e.name}: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function parseEvalArgs(args: string[]): { code: string; commit: boolean; deadlineMs?: number; image?: string } {
  let commit = false;
  let deadlineMs: number | undefined;
  let image: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--commit') commit = true;
    else if (a === '--deadline') {
      const v = Number(args[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new UsageError('--deadline needs a positive number of milliseconds');
      deadlineMs = v;
    } else if (a === '--image') {
      image = args[++i];
      if (!image) throw new UsageError('--image needs a .telos file');
    } else if (a.startsWith('--image=')) image = a.slice('--image='.length);
    else if (a === '--') rest.push(...args.slice(i + 1)), (i = args.length);
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else rest.push(a);
  }
  if (rest.length === 0) throw new UsageError('eval needs CODE to evaluate');
  return { code: rest.join(' '), commit, deadlineMs, image };
}

/** An image file read into memory, ready to be written back after a commit. */
type FileImage = Awaited<ReturnType<typeof import('./image')['openImageFile']>>;

async function openFileWorld(path: string): Promise<{ world: World; store: InMemoryStore; file: FileImage }> {
  const { openImageFile } = await import('./image');
  const file = await openImageFile(path);
  const store = new InMemoryStore();
  const objects = [...file.objects_.values()].map(({ state, serial }) => ({ state, serial }));
  store.preload(objects, file.lastTid, file.nextOid);
  const world = new World({ store, nextOid: store.nextOid });
  world.install(objects);
  return { world, store, file };
}

/** Rewrites the image file with the store's last transaction (through a temporary file). */
async function saveFileWorld(path: string, store: InMemoryStore, file: FileImage, lock: ImageFileLock): Promise<void> {
  const tx = store.log[store.log.length - 1];
  if (!tx) return;
  for (const w of tx.writes) file.put(store.peek(w.oid)!.state, tx.tid);
  file.lastTid = tx.tid;
  file.nextOid = Math.max(file.nextOid, store.nextOid);
  if (file.history.length > 0)
    file.history.push({ tid: tx.tid, time: Date.now(), note: tx.note, origin: tx.origin, changes: tx.writes.map((w) => ({ oid: w.oid, beforeSerial: w.serial, before: w.before })) });
  const { exportImage } = await import('../imagefile');
  const stream = await exportImage(file, { includeHistory: file.history.length > 0 });
  const { writeAtomically } = await import('./image');
  try {
    await writeAtomically(path, stream, { beforeRename: () => lock.check() });
  } catch (e) {
    // The writer refuses a file its reader would refuse (a limit passed): say so plainly.
    if ((e as Error)?.name === 'ImageFileError') throw new CommitRefused(`the commit was refused and ${path} was not changed: ${(e as Error).message}`);
    throw e;
  }
}

class CommitRefused extends Error {
  override readonly name = 'CommitRefused';
}

/** Runs the command line; answers the exit status. */
export async function main(argv: string[], io: CliIO = { out: (l) => console.log(l), err: (l) => console.error(l) }): Promise<number> {
  const [command, ...args] = argv;
  let lock: ImageFileLock | null = null;
  try {
    switch (command) {
      case 'eval': {
        const { code, commit, deadlineMs, image } = parseEvalArgs(args);
        // A commit holds the file's lock from reading it to writing it back: two at once
        // would each write their own change over the other's.
        lock = image && commit ? await (await import('./image')).lockImageFile(image) : null;
        const opened = image ? await openFileWorld(image) : null;
        const store = opened?.store ?? new InMemoryStore();
        const world = opened?.world ?? (await createGenesisWorld({ store })).world;
        const sandbox = await Sandbox.create(world, { deadlineMs, onPrint: (line) => io.out(line) });
        try {
          // Without an image file there is nowhere durable to commit; --commit still runs the
          // commit path (serial checks) against the in-memory store.
          if (commit) {
            const { result, tid } = await evaluateAndCommit(sandbox, code, 'telos eval');
            if (opened && tid !== null) await saveFileWorld(image!, store, opened.file, lock!);
            io.out(result.display);
          } else {
            const result = sandbox.evaluate(code);
            world.abort();
            io.out(result.display);
          }
        } finally {
          sandbox.dispose();
        }
        return EXIT.ok;
      }
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return EXIT.ok;
      case 'image':
        return (await import('./image')).runImageCommand(args);
      case undefined:
        throw new UsageError('no command given (try: telos eval "3 + 4")');
      default:
        throw new UsageError(`unknown command '${command}' (try: telos help)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`telos: ${e.message}`);
      return EXIT.usage;
    }
    // A lock held by another process is a plain statement, not an error of the code.
    if ((e as Error)?.name === 'ImageLocked') io.err(`telos: ${(e as Error).message}`);
    else io.err(`telos: ${describeFailure(e).split('\n')[0]}`);
    return EXIT.failed;
  } finally {
    await lock?.release();
  }
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`telos: internal error: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(70);
    },
  );
}
