// The `telos` command line: the same World and sandbox as the page, under Node.
//   telos eval [--commit] [--deadline MS] CODE   evaluate workspace code against genesis, print the result
//   telos help
// Success: exit 0. Bad input: one line on stderr (no stack trace) and a non-zero exit.

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TelosError, createGenesisWorld, InMemoryStore } from '../world';
import { EvaluationError, Sandbox, evaluateAndCommit, frameText } from '../sandbox';

const USAGE = `usage: telos eval [--commit] [--deadline MS] CODE
       telos help
Evaluates CODE as workspace code (self is the lobby) against the genesis World and prints its
value. Transcript lines (print) go to stdout before the value.`;

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

function parseEvalArgs(args: string[]): { code: string; commit: boolean; deadlineMs?: number } {
  let commit = false;
  let deadlineMs: number | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--commit') commit = true;
    else if (a === '--deadline') {
      const v = Number(args[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new UsageError('--deadline needs a positive number of milliseconds');
      deadlineMs = v;
    } else if (a === '--image' || a.startsWith('--image=')) throw new UsageError('--image is not available yet: it comes with the image-file support');
    else if (a === '--') rest.push(...args.slice(i + 1)), (i = args.length);
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else rest.push(a);
  }
  if (rest.length === 0) throw new UsageError('eval needs CODE to evaluate');
  return { code: rest.join(' '), commit, deadlineMs };
}

/** Runs the command line; answers the exit status. */
export async function main(argv: string[], io: CliIO = { out: (l) => console.log(l), err: (l) => console.error(l) }): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'eval': {
        const { code, commit, deadlineMs } = parseEvalArgs(args);
        const store = new InMemoryStore();
        const { world } = await createGenesisWorld({ store });
        const sandbox = await Sandbox.create(world, { deadlineMs, onPrint: (line) => io.out(line) });
        try {
          // Without an image file there is nowhere durable to commit; --commit still runs the
          // commit path (serial checks) against the in-memory store.
          if (commit) {
            const { result } = await evaluateAndCommit(sandbox, code, 'telos eval');
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
    io.err(`telos: ${describeFailure(e).split('\n')[0]}`);
    return EXIT.failed;
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
