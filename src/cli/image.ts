// `telos image inspect|verify|export|import`: the `.telos` image file from the command line,
// running the same reader, writer and store code as the browser. Bad input gives a one-line
// reason on stderr and a non-zero status, never a stack trace.
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
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

/** Writes a stream to `path` through a temporary file, so a failed export leaves no half file. */
export async function writeAtomically(path: string, stream: ReadableStream<Uint8Array>): Promise<number> {
  const tmp = `${path}.partial-${process.pid}`;
  try {
    await pipeline(Readable.fromWeb(stream as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(tmp));
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
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
