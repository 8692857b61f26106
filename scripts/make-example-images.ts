// Regenerates the example images under images/: `genesis.telos` (the genesis World as a fresh
// start commits it) and `teaching.telos` (genesis plus a larger teaching set built through the
// World's own operations, one named transaction per lesson, with its history and a blob).
// Deterministic: the same code writes the same bytes, so CI can check the committed files.
//
//   npx tsx scripts/make-example-images.ts          writes images/genesis.telos, images/teaching.telos
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { exportImage, MemoryImage } from '../src/imagefile';
import { buildGenesis, InMemoryStore, World, type OID } from '../src/world';

/** Fixed so the files do not change when nothing else did. */
const CREATED_AT = new Date('2026-11-22T00:00:00.000Z');
const FIRST_COMMIT_TIME = Date.parse('2026-11-22T00:00:00.000Z');

const fn = (...lines: string[]) => lines.join('\n');
const ref = (oid: OID) => ({ ref: oid });
const data = (name: string, value: unknown, category: string) => ({ name, kind: 'data' as const, value, category });
const method = (name: string, source: string, category: string, comment?: string) => ({
  name,
  kind: 'method' as const,
  source,
  category,
  ...(comment ? { comment } : {}),
});

/** A deterministic generator for the teaching set's sample data. */
function numbers(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const README = `# The teaching image

This image is the genesis World plus lessons you can open in the outliner:

- **Streams** — the traits example of Schärli, Ducasse, Nierstrasz and Black: TReadStream,
  TWriteStream and TPositionableStream composed into ReadStream, WriteStream and
  ReadWriteStream, with a conflict resolved by exclusion and an alias.
- **Accounts** — a prototype, a clone that overrides one method and calls \`resend\`,
  and two hundred accounts to query from the workspace.
- **Gallery** — a thousand points and three hundred circles made by \`clone\`.
- **Lists** — a linked list of five hundred nodes and a stack built on it.
- **ColoredCircle** — genesis left its traits conflict for you; here it is resolved.

Try in the workspace: \`self.Accounts.richest().printString()\`.
`;

const README_BYTES = new TextEncoder().encode(README);
const README_BLOB = 'teaching-readme';

/** Commits each lesson as its own transaction into an in-memory store. */
async function buildTeachingWorld(store: InMemoryStore): Promise<World> {
  const world = new World({ store });
  await world.transact('Genesis', () => buildGenesis(world), 'genesis');
  const lobby = 0;
  const lobbySlot = (name: string) => (world.slot(lobby, name) as { value: { ref: OID } }).value.ref;
  const BaseObject = lobbySlot('BaseObject');
  const traits = lobbySlot('traits');
  const rnd = numbers(42);

  await world.transact('Lesson: streams built from traits (Schärli et al.)', () => {
    const TPositionableStream = world.createObject({
      name: 'TPositionableStream',
      slots: [
        method('atEnd', fn('function () {', '  return self.position >= self.collection.length;', '}'), 'positioning'),
        method('reset', fn('function () {', '  self.position = 0;', '  return self;', '}'), 'positioning'),
        method('setToEnd', fn('function () {', '  self.position = self.collection.length;', '  return self;', '}'), 'positioning'),
        method('skip', fn('function (n) {', '  self.position = Math.min(self.collection.length, self.position + n);', '  return self;', '}'), 'positioning'),
      ],
    });
    const TReadStream = world.createObject({
      name: 'TReadStream',
      slots: [
        method('next', fn('function () {', '  if (self.atEnd()) return null;', '  var item = self.collection[self.position];', '  self.position = self.position + 1;', '  return item;', '}'), 'reading', 'requires atEnd, collection and position'),
        method('upToEnd', fn('function () {', '  var out = [];', '  while (!self.atEnd()) out.push(self.next());', '  return out;', '}'), 'reading'),
        method('printString', fn('function () {', "  return 'a read stream at ' + self.position;", '}'), 'printing'),
      ],
    });
    const TWriteStream = world.createObject({
      name: 'TWriteStream',
      slots: [
        method('nextPut', fn('function (item) {', '  var c = self.collection.slice(0, self.position);', '  c.push(item);', '  self.collection = c;', '  self.position = c.length;', '  return item;', '}'), 'writing', 'lists are values: writing assigns a new list'),
        method('nextPutAll', fn('function (items) {', '  for (var i = 0; i < items.length; i++) self.nextPut(items[i]);', '  return items;', '}'), 'writing'),
        method('printString', fn('function () {', "  return 'a write stream at ' + self.position;", '}'), 'printing'),
      ],
    });
    const Stream = world.clone(BaseObject);
    world.setName(Stream, 'Stream');
    world.addSlot(Stream, data('collection', [], 'state'));
    world.addSlot(Stream, data('position', 0, 'state'));
    world.useTrait(Stream, { trait: TPositionableStream, exclude: [], alias: {} });
    const ReadStream = world.clone(Stream);
    world.setName(ReadStream, 'ReadStream');
    world.useTrait(ReadStream, { trait: TReadStream, exclude: [], alias: {} });
    const WriteStream = world.clone(Stream);
    world.setName(WriteStream, 'WriteStream');
    world.useTrait(WriteStream, { trait: TWriteStream, exclude: [], alias: {} });
    // Both traits give printString: keep the read stream's under an alias, exclude the
    // write stream's, and write one that says both.
    const ReadWriteStream = world.clone(Stream);
    world.setName(ReadWriteStream, 'ReadWriteStream');
    world.useTrait(ReadWriteStream, { trait: TReadStream, exclude: [], alias: { readPrintString: 'printString' } });
    world.useTrait(ReadWriteStream, { trait: TWriteStream, exclude: ['printString'], alias: {} });
    world.addSlot(ReadWriteStream, method('printString', fn('function () {', "  return 'a read-write stream at ' + self.position + ' of ' + self.collection.length;", '}'), 'printing'));
    for (const t of [TPositionableStream, TReadStream, TWriteStream]) world.addSlot(traits, data(world.nameOf(t), ref(t), 'streams'));
    const Streams = world.createObject({
      name: 'Streams',
      slots: [data('Stream', ref(Stream), 'prototypes'), data('ReadStream', ref(ReadStream), 'prototypes'), data('WriteStream', ref(WriteStream), 'prototypes'), data('ReadWriteStream', ref(ReadWriteStream), 'prototypes')],
    });
    world.addSlot(lobby, data('Streams', ref(Streams), 'lessons'));
  });

  await world.transact('Lesson: accounts, an overriding clone and resend', () => {
    const Account = world.clone(BaseObject);
    world.setName(Account, 'Account');
    world.addSlot(Account, data('owner', '', 'state'));
    world.addSlot(Account, data('balance', 0, 'state'));
    world.addSlot(Account, method('deposit', fn('function (amount) {', "  if (amount <= 0) throw new Error('deposit a positive amount');", '  self.balance = self.balance + amount;', '  return self;', '}'), 'banking'));
    world.addSlot(Account, method('withdraw', fn('function (amount) {', "  if (amount > self.balance) throw new Error('insufficient funds');", '  self.balance = self.balance - amount;', '  return self;', '}'), 'banking'));
    world.addSlot(Account, method('printString', fn('function () {', "  return self.owner + ': ' + self.balance.toFixed(2);", '}'), 'printing'));
    // A child, not a clone: it delegates to Account through its parent slot, keeps its own
    // state, and overrides withdraw, reaching the inherited one with resend.
    const Savings = world.createObject({
      name: 'SavingsAccount',
      slots: [
        { name: 'parent', kind: 'parent', value: ref(Account), category: 'parents' },
        data('owner', '', 'state'),
        data('balance', 0, 'state'),
        data('rate', 0.02, 'state'),
      ],
    });
    world.addSlot(Savings, method('withdraw', fn('function (amount) {', '  // A fee on every withdrawal, then the ordinary rules.', '  return resend.withdraw(amount + 1);', '}'), 'banking'));
    world.addSlot(Savings, method('addInterest', fn('function () {', '  return self.deposit(self.balance * self.rate);', '}'), 'banking'));
    const owners = ['Ada', 'Alan', 'Barbara', 'Dan', 'Edsger', 'Grace', 'John', 'Ken', 'Niklaus', 'Radia'];
    const all: { ref: OID }[] = [];
    for (let i = 0; i < 200; i++) {
      const a = world.clone(i % 4 === 0 ? Savings : Account);
      world.setName(a, `account ${i}`);
      world.setSlotValue(a, 'owner', `${owners[i % owners.length]} ${Math.floor(i / owners.length)}`);
      world.setSlotValue(a, 'balance', Math.round(rnd() * 1_000_000) / 100);
      all.push(ref(a));
    }
    const Accounts = world.createObject({
      name: 'Accounts',
      slots: [
        data('Account', ref(Account), 'prototypes'),
        data('SavingsAccount', ref(Savings), 'prototypes'),
        data('all', all, 'instances'),
        method('richest', fn('function () {', '  var best = null;', '  self.all.forEach(function (a) { if (best === null || a.balance > best.balance) best = a; });', '  return best;', '}'), 'queries'),
        method('total', fn('function () {', '  return self.all.reduce(function (sum, a) { return sum + a.balance; }, 0);', '}'), 'queries'),
      ],
    });
    world.addSlot(lobby, data('Accounts', ref(Accounts), 'lessons'));
  });

  await world.transact('Lesson: a gallery of points and circles made by clone', () => {
    const Point = lobbySlot('Point');
    const Circle = lobbySlot('Circle');
    const points: { ref: OID }[] = [];
    for (let i = 0; i < 1000; i++) {
      const p = world.clone(Point);
      world.setSlotValue(p, 'x', Math.round(rnd() * 800));
      world.setSlotValue(p, 'y', Math.round(rnd() * 600));
      points.push(ref(p));
    }
    const circles: { ref: OID }[] = [];
    for (let i = 0; i < 300; i++) {
      const c = world.clone(Circle);
      world.setSlotValue(c, 'center', points[i * 3]!);
      world.setSlotValue(c, 'radius', 1 + Math.round(rnd() * 50));
      circles.push(ref(c));
    }
    const Gallery = world.createObject({
      name: 'Gallery',
      slots: [
        data('points', points, 'shapes'),
        data('circles', circles, 'shapes'),
        method('totalArea', fn('function () {', '  return self.circles.reduce(function (sum, c) { return sum + c.area(); }, 0);', '}'), 'queries'),
      ],
    });
    world.addSlot(lobby, data('Gallery', ref(Gallery), 'lessons'));
  });

  await world.transact('Lesson: a linked list and a stack', () => {
    const Node = world.clone(BaseObject);
    world.setName(Node, 'ListNode');
    world.addSlot(Node, data('item', null, 'state'));
    world.addSlot(Node, data('next', null, 'state'));
    const List = world.clone(BaseObject);
    world.setName(List, 'LinkedList');
    world.addSlot(List, data('head', null, 'state'));
    world.addSlot(List, data('node', ref(Node), 'prototypes'));
    world.addSlot(List, method('push', fn('function (item) {', '  var n = self.node.clone();', '  n.item = item;', '  n.next = self.head;', '  self.head = n;', '  return item;', '}'), 'adding'));
    world.addSlot(List, method('size', fn('function () {', '  var n = 0;', '  for (var at = self.head; at !== null; at = at.next) n++;', '  return n;', '}'), 'accessing'));
    const Stack = world.clone(List);
    world.setName(Stack, 'Stack');
    world.addSlot(Stack, method('pop', fn('function () {', "  if (self.head === null) throw new Error('the stack is empty');", '  var item = self.head.item;', '  self.head = self.head.next;', '  return item;', '}'), 'removing'));
    world.addSlot(Stack, method('top', fn('function () {', '  return self.head === null ? null : self.head.item;', '}'), 'accessing'));
    const primes = world.clone(List);
    world.setName(primes, 'primes');
    let head: { ref: OID } | null = null;
    const found: number[] = [];
    for (let n = 2; found.length < 500; n++) if (found.every((p) => n % p !== 0)) found.push(n);
    for (const p of found.reverse()) {
      const node = world.clone(Node);
      world.setSlotValue(node, 'item', p);
      world.setSlotValue(node, 'next', head);
      head = ref(node);
    }
    world.setSlotValue(primes, 'head', head);
    const Lists = world.createObject({
      name: 'Lists',
      slots: [data('LinkedList', ref(List), 'prototypes'), data('Stack', ref(Stack), 'prototypes'), data('primes', ref(primes), 'examples')],
    });
    world.addSlot(lobby, data('Lists', ref(Lists), 'lessons'));
  });

  await world.transact('Resolve ColoredCircle: equals and hash from both traits', () => {
    const ColoredCircle = lobbySlot('ColoredCircle');
    const traitNamed = (name: string) => (world.slot(traits, name) as { value: { ref: OID } }).value.ref;
    const TCircle = traitNamed('TCircle');
    const TColor = traitNamed('TColor');
    // Keep both versions under new names and write equals and hash that use both.
    world.removeTrait(ColoredCircle, TCircle);
    world.removeTrait(ColoredCircle, TColor);
    world.useTrait(ColoredCircle, { trait: TCircle, exclude: [], alias: { circleEquals: 'equals', circleHash: 'hash' } });
    world.useTrait(ColoredCircle, { trait: TColor, exclude: ['equals', 'hash'], alias: { colorEquals: 'equals', colorHash: 'hash' } });
    world.addSlot(ColoredCircle, method('equals', fn('function (other) {', '  return self.circleEquals(other) && self.colorEquals(other);', '}'), 'comparing', 'shape and colour must both match'));
    world.addSlot(ColoredCircle, method('hash', fn('function () {', '  return (self.circleHash() * 31 + self.colorHash()) | 0;', '}'), 'comparing'));
  });

  await world.transact('Add the readme (a blob)', () => {
    world.addSlot(lobby, data('readme', { blob: README_BLOB, size: README_BYTES.length, type: 'text/markdown' }, 'lessons'));
  });

  return world;
}

/** The in-memory store's objects and log as an image (history with before-images). */
function imageFromStore(name: string, store: InMemoryStore): MemoryImage {
  const image = new MemoryImage(name);
  for (const oid of store.oids()) {
    const { state, serial } = store.peek(oid)!;
    image.put(state, serial);
  }
  image.nextOid = Math.max(image.nextOid, store.nextOid);
  image.lastTid = store.lastTid;
  for (const ws of store.log) {
    image.history.push({
      tid: ws.tid,
      time: FIRST_COMMIT_TIME + (ws.tid - 1) * 60_000,
      note: ws.note,
      origin: ws.origin,
      changes: ws.writes.map((w) => ({ oid: w.oid, beforeSerial: w.serial, before: w.before })),
    });
  }
  return image;
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream as ReadableStream<Uint8Array<ArrayBuffer>>).arrayBuffer());
}

/** Both example images as `.telos` bytes. */
export async function buildExampleImages(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const genesisStore = new InMemoryStore();
  const g = new World({ store: genesisStore });
  await g.transact('Genesis', () => buildGenesis(g), 'genesis');
  const genesis = imageFromStore('genesis', genesisStore);

  const teachingStore = new InMemoryStore();
  await buildTeachingWorld(teachingStore);
  const teaching = imageFromStore('teaching', teachingStore);
  teaching.blobs_.set(README_BLOB, { id: README_BLOB, type: 'text/markdown', size: README_BYTES.length, data: new Blob([README_BYTES], { type: 'text/markdown' }) });

  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const image of [genesis, teaching]) {
    out.push({ name: `${image.name}.telos`, bytes: await bytesOf(await exportImage(image, { includeHistory: true, createdAt: CREATED_AT })) });
  }
  return out;
}

export const EXAMPLE_IMAGES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'images');

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const { name, bytes } of await buildExampleImages()) {
    await writeFile(join(EXAMPLE_IMAGES_DIR, name), bytes);
    console.log(`wrote images/${name} (${bytes.length} bytes)`);
  }
}
