// The genesis World, built by code so a fresh start always has it: the lobby (root, OID 0),
// defaultBehavior, BaseObject, the TelOS Phase 3 prototypes (Process, Server, MemoryRegion),
// the traits Callable, Transactional and Schedulable, the servers PS, MMS and PMS, and a small
// teaching set: Point and Circle, and ColoredCircle whose two traits conflict on purpose.

import type { OID, ObjectState } from './types';
import { World } from './world';

const fn = (lines: string[]): string => lines.join('\n');

const defaultBehaviorMethods = {
  clone: fn(['function () {', '  // A shallow copy of my own slots; parents are shared (Self\'s clone).', '  return _clone(self);', '}']),
  printString: fn(['function () {', '  return _describe(self);', '}']),
  '==': fn(['function (other) {', '  // Identity: the same object, whatever its slots hold.', '  return self === other;', '}']),
};

const processMethods = {
  spawn: fn([
    'function () {',
    "  // Asks the Machine's Process Management Server for a new process; until the Machine",
    '  // is connected, the new process exists only in the World.',
    '  var child = self.clone();',
    "  print('spawn: ' + child.printString() + ' (the Machine is not connected)');",
    '  return child;',
    '}',
  ]),
  terminate: fn(['function () {', '  self.tcbCap = null;', '  self.cspaceCap = null;', '  self.vspaceCap = null;', '  return self;', '}']),
  setPriority: fn([
    'function (priority) {',
    "  if (typeof priority !== 'number' || priority < 0 || priority > 255) throw new Error('priority must be a number from 0 to 255');",
    '  self.priority = priority;',
    '  return self;',
    '}',
  ]),
};

const callable = {
  _dispatchMessage: fn([
    'function (selector, args) {',
    '  // Sends `selector` with `args` to me: how an IPC message becomes a send.',
    '  var m = self[selector];',
    "  return typeof m === 'function' ? m.apply(null, args || []) : m;",
    '}',
  ]),
};

const transactional = {
  beginTransaction: fn([
    'function (note) {',
    "  if (self.txOpen) throw new Error('a transaction is already open');",
    '  self.txOpen = true;',
    '  self.txNote = note || null;',
    '  return self;',
    '}',
  ]),
  note: fn(['function (text) {', '  self.txNote = text;', '  return self;', '}']),
  commit: fn([
    'function () {',
    "  if (!self.txOpen) throw new Error('no transaction is open');",
    '  self.txOpen = false;',
    "  print('commit: ' + (self.txNote || '(no note)'));",
    '  return self;',
    '}',
  ]),
  abort: fn(['function () {', '  self.txOpen = false;', '  self.txNote = null;', '  return self;', '}']),
};

const schedulable = {
  setPriority: fn(['function (priority) {', '  self.priority = priority;', '  return self;', '}']),
  yieldTimeslice: fn(['function () {', "  print(self.printString() + ' yields its timeslice');", '  return self;', '}']),
};

const pointMethods = {
  at: fn(['function (x, y) {', '  // A new point like me at (x, y).', '  var p = self.clone();', '  p.x = x;', '  p.y = y;', '  return p;', '}']),
  plus: fn(['function (other) {', '  return self.at(self.x + other.x, self.y + other.y);', '}']),
  dist: fn(['function (other) {', '  var dx = self.x - other.x, dy = self.y - other.y;', '  return Math.sqrt(dx * dx + dy * dy);', '}']),
  equals: fn(['function (other) {', '  return self.x === other.x && self.y === other.y;', '}']),
  hash: fn(['function () {', '  return (self.x * 31 + self.y) | 0;', '}']),
  printString: fn(['function () {', "  return self.x + '@' + self.y;", '}']),
};

const tCircle = {
  area: fn(['function () {', '  return Math.PI * self.radius * self.radius;', '}']),
  circumference: fn(['function () {', '  return 2 * Math.PI * self.radius;', '}']),
  diameter: fn(['function () {', '  return 2 * self.radius;', '}']),
  scaleBy: fn(['function (factor) {', '  self.radius = self.radius * factor;', '  return self;', '}']),
  equals: fn(['function (other) {', '  return self.radius === other.radius && self.center.equals(other.center);', '}']),
  hash: fn(['function () {', '  return (self.radius * 31 + self.center.hash()) | 0;', '}']),
};

const tColor = {
  red: fn(['function () {', '  return (self.rgb >> 16) & 255;', '}']),
  green: fn(['function () {', '  return (self.rgb >> 8) & 255;', '}']),
  blue: fn(['function () {', '  return self.rgb & 255;', '}']),
  equals: fn(['function (other) {', '  return self.rgb === other.rgb;', '}']),
  hash: fn(['function () {', '  return self.rgb | 0;', '}']),
};

type Methods = Record<string, string>;
const methodSlots = (m: Methods, category: string) =>
  Object.entries(m).map(([name, source]) => ({ name, kind: 'method' as const, source, category }));
const data = (name: string, value: unknown, category = 'state') => ({ name, kind: 'data' as const, value, category });
const parent = (oid: OID) => ({ name: 'parent', kind: 'parent' as const, value: { ref: oid }, category: 'parents' });
const ref = (oid: OID) => ({ ref: oid });

/** OIDs of the genesis objects, by name. */
export interface GenesisOids {
  lobby: OID;
  defaultBehavior: OID;
  BaseObject: OID;
  Process: OID;
  Server: OID;
  MemoryRegion: OID;
  traits: OID;
  Callable: OID;
  Transactional: OID;
  Schedulable: OID;
  PS: OID;
  MMS: OID;
  PMS: OID;
  Point: OID;
  Circle: OID;
  TCircle: OID;
  TColor: OID;
  ColoredCircle: OID;
}

/**
 * Builds the genesis objects into an empty World inside its current (or a new) transaction.
 * The lobby gets OID 0 and the rest follow in a fixed order, so OIDs are the same every time.
 */
export function buildGenesis(world: World): GenesisOids {
  const lobby = world.createObject({ name: 'lobby' });
  const defaultBehavior = world.createObject({ name: 'defaultBehavior', slots: methodSlots(defaultBehaviorMethods, 'basics') });
  const BaseObject = world.createObject({ name: 'BaseObject', slots: [parent(defaultBehavior)] });

  const Process = world.clone(BaseObject);
  world.setName(Process, 'Process');
  for (const s of [data('tcbCap', null, 'capabilities'), data('cspaceCap', null, 'capabilities'), data('vspaceCap', null, 'capabilities'), data('priority', 100, 'scheduling')])
    world.addSlot(Process, s);
  for (const s of methodSlots(processMethods, 'lifecycle')) world.addSlot(Process, s);

  const Server = world.clone(Process);
  world.setName(Server, 'Server');
  world.addSlot(Server, data('endpointCap', null, 'capabilities'));
  world.addSlot(Server, {
    name: 'mainLoop',
    kind: 'method',
    category: 'serving',
    source: fn(['function () {', "  print(self.printString() + ': serving on endpoint ' + self.endpointCap);", '  return self;', '}']),
  });

  const MemoryRegion = world.clone(BaseObject);
  world.setName(MemoryRegion, 'MemoryRegion');
  for (const s of [data('cap', null, 'capabilities'), data('size', 0, 'memory'), data('permissions', 'rw', 'memory')]) world.addSlot(MemoryRegion, s);

  const Callable = world.createObject({ name: 'Callable', slots: methodSlots(callable, 'messaging') });
  const Transactional = world.createObject({ name: 'Transactional', slots: methodSlots(transactional, 'transactions') });
  const Schedulable = world.createObject({ name: 'Schedulable', slots: methodSlots(schedulable, 'scheduling') });

  const server = (name: string): OID => {
    const oid = world.clone(Server);
    world.setName(oid, name);
    world.addSlot(oid, data('txOpen', false, 'transactions'));
    world.addSlot(oid, data('txNote', null, 'transactions'));
    world.useTrait(oid, { trait: Callable, exclude: [], alias: {} });
    world.useTrait(oid, { trait: Transactional, exclude: [], alias: {} });
    return oid;
  };
  const PS = server('PS');
  const MMS = server('MMS');
  const PMS = server('PMS');

  const Point = world.clone(BaseObject);
  world.setName(Point, 'Point');
  world.addSlot(Point, data('x', 0, 'coordinates'));
  world.addSlot(Point, data('y', 0, 'coordinates'));
  for (const s of methodSlots(pointMethods, 'arithmetic')) world.addSlot(Point, s);
  const origin = world.clone(Point);

  const TCircle = world.createObject({ name: 'TCircle', slots: methodSlots(tCircle, 'geometry') });
  const TColor = world.createObject({ name: 'TColor', slots: methodSlots(tColor, 'color') });

  const Circle = world.clone(BaseObject);
  world.setName(Circle, 'Circle');
  world.addSlot(Circle, data('center', ref(origin), 'geometry'));
  world.addSlot(Circle, data('radius', 1, 'geometry'));
  world.addSlot(Circle, {
    name: 'printString',
    kind: 'method',
    category: 'printing',
    source: fn(['function () {', "  return 'a Circle at ' + self.center.printString() + ' radius ' + self.radius;", '}']),
  });
  world.useTrait(Circle, { trait: TCircle, exclude: [], alias: {} });

  // The classic conflict: TCircle and TColor both define equals and hash. Resolve it by
  // excluding one trait's version, or by aliasing both and writing equals/hash here.
  const ColoredCircle = world.clone(Circle);
  world.setName(ColoredCircle, 'ColoredCircle');
  world.addSlot(ColoredCircle, data('rgb', 0xff0000, 'color'));
  world.useTrait(ColoredCircle, { trait: TColor, exclude: [], alias: {} });

  const traits = world.createObject({
    name: 'traits',
    slots: [Callable, Transactional, Schedulable, TCircle, TColor].map((t) => data(world.nameOf(t), ref(t), 'traits')),
  });

  const prototypes: [string, OID, string][] = [
    ['defaultBehavior', defaultBehavior, 'system'],
    ['BaseObject', BaseObject, 'system'],
    ['Process', Process, 'kernel'],
    ['Server', Server, 'kernel'],
    ['MemoryRegion', MemoryRegion, 'kernel'],
    ['PS', PS, 'servers'],
    ['MMS', MMS, 'servers'],
    ['PMS', PMS, 'servers'],
    ['traits', traits, 'system'],
    ['Point', Point, 'examples'],
    ['Circle', Circle, 'examples'],
    ['ColoredCircle', ColoredCircle, 'examples'],
  ];
  world.addSlot(lobby, parent(defaultBehavior));
  for (const [name, oid, category] of prototypes) world.addSlot(lobby, data(name, ref(oid), category));

  return {
    lobby, defaultBehavior, BaseObject, Process, Server, MemoryRegion, traits, Callable, Transactional, Schedulable,
    PS, MMS, PMS, Point, Circle, TCircle, TColor, ColoredCircle,
  };
}

/** The genesis objects as plain states (e.g. for a store creating a new image). */
export function genesisStates(): ObjectState[] {
  const w = new World();
  buildGenesis(w);
  return w.loadedOids().map((o) => w.snapshot(o));
}

/** A World holding genesis, committed as transaction "Genesis". */
export async function createGenesisWorld(options: ConstructorParameters<typeof World>[0] = {}): Promise<{ world: World; oids: GenesisOids }> {
  const world = new World(options);
  world.begin('Genesis', 'genesis');
  const oids = buildGenesis(world);
  await world.commit();
  return { world, oids };
}
