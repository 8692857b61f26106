// The PS crash-consistency harness, host half (user/ktest/pscrash.c is the guest half), in
// the spirit of ALICE and CrashMonkey:
//
// 1. record: boot `test=ps-crash` on an empty disk and record every disk write (its
//    sectors and bytes) and every CACHE FLUSH, and how many steps the guest had seen
//    acknowledged when each write happened;
// 2. crash states: every disk a power cut could leave: after each write; each multi-sector
//    write torn (some of its sectors on the medium, others not); and writes issued since
//    the last flush reordered (one of them missing). A single sector is written whole;
//    nothing written before a flush is lost after it (psdisk.h, ASSUMPTIONS);
// 3. model: the state after every acknowledged prefix of steps, rebuilt from what the guest
//    printed (object bytes regenerated as the guest made them);
// 4. verify: one machine running `test=ps-crash-verify` mounts each crash state in turn
//    (PS_REMOUNT after the host swaps the disk's bytes) and prints a digest of what the PS
//    recovered; it must be the state after the acknowledged prefix or after the one step in
//    flight at the cut, never anything else. Some states are also booted afresh, to show a
//    remount recovers exactly as a new boot does.
import { bootMachine } from '../../../src/machine/node';
import { decodePsObject, encodePsObject, PSDISK, crc32, type Machine } from '../../../src/machine';

const SECTOR = 512;
const CRASH_FIRST = 3000;
const CRASH_OBJECTS = 32;
const ROOT = PSDISK.ROOT_OID;

export interface RecordedWrite {
  lba: number;
  data: Uint8Array;
  /** Steps acknowledged (printed) before this write: the state in flight is the next one. */
  acked: number;
}

type Event = { kind: 'write'; write: RecordedWrite } | { kind: 'flush' };

type ObjectWrite = { oid: number; bytes: Uint8Array };
type Step = { kind: 'commit'; tid: number; writes: ObjectWrite[] } | { kind: 'pack' } | { kind: 'compact' };

export interface Run {
  diskBytes: number;
  events: Event[];
  steps: Step[];
  writes: number;
  flushes: number;
  /** Objects whose bytes carried a forged record header and marker. */
  forgeries: number;
}

/** A blob's data as the guest makes it (pscrash.c, pattern). */
function pattern(n: number, fill: number): Uint8Array {
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i++) d[i] = ((fill * 131 + i * 7 + (i >> 7) * 13) ^ (fill >> 8)) & 0xff;
  return d;
}

/** The header and marker a client forges (pscrash.c, forge). */
function forge(at: Uint8Array, epoch: number, tid: number): void {
  const v = new DataView(at.buffer, at.byteOffset, at.byteLength);
  at.fill(0, 0, SECTOR + PSDISK.MARKER_SIZE);
  v.setUint32(0, PSDISK.RECORD_MAGIC, true);
  v.setUint32(4, PSDISK.RECORD_TXN, true);
  v.setUint32(8, epoch, true);
  v.setUint32(12, tid, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, 16, true);
  at.fill(0x55, 40, 56);
  v.setUint32(28, crc32(at, 40, 56), true);
  at.fill(0x41, 32, 40);
  v.setUint32(SECTOR, PSDISK.MARKER_MAGIC, true);
  v.setUint32(SECTOR + 4, epoch, true);
  v.setUint32(SECTOR + 8, tid, true);
  at.fill(0x41, SECTOR + 16, SECTOR + 24);
  at.fill(0x42, SECTOR + 24, SECTOR + 32);
}

function rootObject(mask: number): Uint8Array {
  const slots = [];
  for (let i = 0; i < CRASH_OBJECTS; i++) if (mask & (1 << i)) slots.push({ kind: 'data' as const, name: `o${CRASH_FIRST + i}`, value: { ref: CRASH_FIRST + i } });
  return encodePsObject({ kind: 'object', name: 'crash root', slots, traits: [] });
}

/** The objects one printed commit step wrote. */
function parseCommit(fields: string[]): ObjectWrite[] {
  return fields.map((f) => {
    const root = f.match(/^1:root:([0-9a-f]+)$/);
    if (root) return { oid: ROOT, bytes: rootObject(parseInt(root[1]!, 16)) };
    const m = f.match(/^(\d+):(\d+):(\d+)(?::f(\d+)\.(\d+)\.(\d+))?$/);
    if (!m) throw new Error(`unreadable step field ${f}`);
    const len = Number(m[2]);
    const bytes = new Uint8Array(len);
    new DataView(bytes.buffer).setUint32(0, PSDISK.BLOB_MAGIC, true);
    bytes.set(pattern(len - 4, Number(m[3])), 4);
    if (m[4]) forge(bytes.subarray(4 + Number(m[6])), Number(m[4]), Number(m[5]));
    return { oid: Number(m[1]), bytes };
  });
}

const STEP_LINE = /^TelOS: ps-crash: step (\d+) (commit|pack|compact)(.*)$/;

/** Runs the guest's random steps on an empty disk, recording every write and flush. */
export async function recordRun(options: { seed: number; steps: number; diskBytes: number; timeoutMs?: number }): Promise<Run> {
  const disk = new ArrayBuffer(options.diskBytes);
  const bytes = new Uint8Array(disk);
  const m = await bootMachine({ cmdline: `test=ps-crash seed=${options.seed} steps=${options.steps}`, disk });
  const events: Event[] = [];
  let acked = 0;
  let scanned = 0;
  const countAcks = () => {
    // Whole lines only, from absolute text offset `scanned` on.
    const text = m.com1.text(scanned);
    const end = text.lastIndexOf('\n') + 1;
    if (end <= 0) return;
    for (const line of text.slice(0, end).split('\n')) if (STEP_LINE.test(line)) acked++;
    scanned += end;
  };
  const stop = m.onDiskCommand((c) => {
    if (c.kind === 'flush') {
      events.push({ kind: 'flush' });
      return;
    }
    countAcks();
    events.push({ kind: 'write', write: { lba: c.lba, data: bytes.slice(c.lba * SECTOR, (c.lba + c.sectors) * SECTOR), acked } });
  });
  let text: string;
  try {
    text = await m.waitForText(0, /ps-crash: (done after \d+ steps|commit FAILED[^\n]*)\n/, options.timeoutMs ?? 600_000);
  } finally {
    stop();
    await m.powerOff();
  }
  if (/commit FAILED/.test(text)) throw new Error(`the guest's run failed:\n${text.slice(-2000)}`);
  const steps: Step[] = [];
  let forgeries = 0;
  for (const line of text.split('\n')) {
    const s = line.match(STEP_LINE);
    if (!s) continue;
    if (Number(s[1]) !== steps.length + 1) throw new Error(`step ${s[1]} printed out of order`);
    if (s[2] === 'commit') {
      const rest = s[3]!.trim().split(/\s+/);
      forgeries += rest.filter((f) => /:f\d/.test(f)).length;
      const tid = Number(rest.at(-1));
      steps.push({ kind: 'commit', tid, writes: parseCommit(rest.slice(0, -2)) });
    } else steps.push({ kind: s[2] as 'pack' | 'compact' });
  }
  return {
    diskBytes: options.diskBytes,
    events,
    steps,
    writes: events.filter((e) => e.kind === 'write').length,
    flushes: events.filter((e) => e.kind === 'flush').length,
    forgeries,
  };
}

export interface ModelState {
  tid: number;
  objects: Map<number, Uint8Array>;
  digest: number;
}

function fnv(h: number, b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 16777619) >>> 0;
  return h;
}

/** The guest's digest of a state (pscrash.c, print_state). */
function digestOf(objects: Map<number, Uint8Array>): number {
  let h = 2166136261;
  const word = (v: number) => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  for (let i = 0; i <= CRASH_OBJECTS; i++) {
    const oid = i === CRASH_OBJECTS ? ROOT : CRASH_FIRST + i;
    const b = objects.get(oid);
    if (!b) continue;
    h = fnv(fnv(fnv(h, word(oid)), word(b.length)), b);
  }
  return h;
}

/** The state after each acknowledged prefix of steps: index k is after k steps. */
export function modelStates(run: Run): ModelState[] {
  const states: ModelState[] = [];
  let objects = new Map<number, Uint8Array>();
  let tid = 0;
  states.push({ tid, objects: new Map(objects), digest: digestOf(objects) });
  for (const step of run.steps) {
    objects = new Map(objects);
    if (step.kind === 'commit') {
      for (const w of step.writes) objects.set(w.oid, w.bytes);
      tid = step.tid;
    } else if (step.kind === 'pack') {
      // Reachable from the root: the root and what its slots name (the blobs name nothing).
      const keep = new Set<number>();
      const root = objects.get(ROOT);
      if (root) {
        keep.add(ROOT);
        const content = decodePsObject(root);
        if (content.kind === 'object') for (const s of content.slots) if (s.kind === 'data' && s.value && typeof s.value === 'object' && 'ref' in s.value) keep.add(s.value.ref);
      }
      for (const oid of [...objects.keys()]) if (!keep.has(oid)) objects.delete(oid);
    }
    states.push({ tid, objects: new Map(objects), digest: digestOf(objects) });
  }
  return states;
}

export interface CrashState {
  /** How it was made, for messages: the write index and the variant. */
  label: string;
  /** Steps acknowledged before the cut: the recovered state must be after this many, or one more. */
  acked: number;
  /** The disk's bytes. */
  image: () => Uint8Array;
}

/** A seeded generator (xorshift), so a failing crash state can be made again. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Every crash state of a run (see the file's comment). */
export function crashStates(run: Run, random: () => number): CrashState[] {
  const states: CrashState[] = [];
  let durable = new Uint8Array(run.diskBytes);
  let pending: RecordedWrite[] = [];
  const apply = (base: Uint8Array, writes: RecordedWrite[], torn?: { write: RecordedWrite; sectors: number[] }) => {
    const img = base.slice();
    for (const w of writes) {
      if (torn && w === torn.write) {
        for (const s of torn.sectors) img.set(w.data.subarray(s * SECTOR, (s + 1) * SECTOR), (w.lba + s) * SECTOR);
      } else img.set(w.data, w.lba * SECTOR);
    }
    return img;
  };
  states.push({ label: 'before any write', acked: 0, image: () => new Uint8Array(run.diskBytes) });
  let index = 0;
  for (const e of run.events) {
    if (e.kind === 'flush') {
      durable = apply(durable, pending);
      pending = [];
      continue;
    }
    const w = e.write;
    index++;
    pending.push(w);
    const base = durable;
    const now = [...pending];
    const acked = w.acked;
    states.push({ label: `after write ${index} (lba ${w.lba}, ${w.data.length / SECTOR} sectors)`, acked, image: () => apply(base, now) });
    const n = w.data.length / SECTOR;
    if (n > 1) {
      // Torn: the head only, the tail only, and a random half of its sectors.
      const variants: [string, number[]][] = [
        ['its first sector only', [0]],
        ['all but its last sector', Array.from({ length: n - 1 }, (_, i) => i)],
        ['all but its first sector', Array.from({ length: n - 1 }, (_, i) => i + 1)],
        ['a random half of its sectors', Array.from({ length: n }, (_, i) => i).filter(() => random() < 0.5)],
      ];
      const seen = new Set<string>();
      for (const [how, sectors] of variants) {
        const key = sectors.join(',');
        if (seen.has(key) || sectors.length === n) continue;
        seen.add(key);
        states.push({ label: `write ${index} torn: ${how}`, acked, image: () => apply(base, now, { write: w, sectors }) });
      }
    }
    // Reordered: a write issued earlier since the last flush never reached the medium.
    for (const missing of now.slice(0, -1).filter(() => random() < 0.5).slice(0, 2)) {
      states.push({ label: `write ${index}, an earlier unflushed write (lba ${missing.lba}) lost`, acked, image: () => apply(base, now.filter((x) => x !== missing)) });
    }
  }
  return states;
}

export interface Verdict {
  checked: number;
  /** Recovered to the acknowledged prefix / to the step that was in flight. */
  toAcked: number;
  toInFlight: number;
  wrong: string[];
  freshBoots: number;
}

async function readState(m: Machine, n: number, from: number): Promise<{ tid: number; objects: number; digest: number }> {
  await m.waitForText(0, new RegExp(`ps-crash-ready ${n}\\n`), 60_000, from);
  const text = m.com1.text(from);
  const line = text.match(new RegExp(`ps-crash-state ${n}: tid (\\d+) objects (\\d+) digest ([0-9a-f]+)\\n`));
  if (!line) throw new Error(`no state line ${n}:\n${text.slice(-1500)}`);
  return { tid: Number(line[1]), objects: Number(line[2]), digest: parseInt(line[3]!, 16) };
}

function judge(s: CrashState, got: { tid: number; objects: number; digest: number }, model: ModelState[], v: Verdict): void {
  const acked = model[s.acked]!;
  const inFlight = model[s.acked + 1];
  const is = (m: ModelState | undefined) => m && m.tid === got.tid && m.objects.size === got.objects && m.digest === got.digest;
  if (is(acked)) v.toAcked++;
  else if (is(inFlight)) v.toInFlight++;
  else {
    v.wrong.push(
      `${s.label}: recovered tid ${got.tid}, ${got.objects} objects, digest ${got.digest.toString(16)}; ` +
        `acknowledged state: tid ${acked.tid}, ${acked.objects.size} objects, digest ${acked.digest.toString(16)}` +
        (inFlight ? `; in flight: tid ${inFlight.tid}, ${inFlight.objects.size} objects, digest ${inFlight.digest.toString(16)}` : ''),
    );
  }
  v.checked++;
}

/** Mounts each crash state in one machine (PS_REMOUNT) and judges what the PS recovered;
 * every `freshEvery`-th state is also booted in a new machine. */
export async function verifyStates(states: CrashState[], model: ModelState[], options: { freshEvery?: number; onProgress?: (done: number) => void } = {}): Promise<Verdict> {
  const v: Verdict = { checked: 0, toAcked: 0, toInFlight: 0, wrong: [], freshBoots: 0 };
  if (!states.length) return v;
  const size = states[0]!.image().length;
  const disk = new ArrayBuffer(size);
  const view = new Uint8Array(disk);
  view.set(states[0]!.image());
  const m = await bootMachine({ cmdline: 'test=ps-crash-verify', disk });
  try {
    let from = 0;
    for (let i = 0; i < states.length; i++) {
      const got = await readState(m, i, from);
      from = m.com1.textEnd;
      judge(states[i]!, got, model, v);
      if (options.freshEvery && i % options.freshEvery === 0) {
        // The same state booted from scratch must recover the same way as the remount did.
        const fresh = await bootMachine({ cmdline: 'test=ps-crash-verify', disk: states[i]!.image().buffer as ArrayBuffer });
        try {
          const f = await readState(fresh, 0, 0);
          if (f.tid !== got.tid || f.objects !== got.objects || f.digest !== got.digest) {
            v.wrong.push(`${states[i]!.label}: a fresh boot recovered tid ${f.tid} digest ${f.digest.toString(16)}, the remount tid ${got.tid} digest ${got.digest.toString(16)}`);
          }
          v.freshBoots++;
        } finally {
          await fresh.powerOff();
        }
      }
      options.onProgress?.(i + 1);
      if (i + 1 < states.length) {
        view.set(states[i + 1]!.image());
        m.send(0, 'n');
      } else m.send(0, 'q');
    }
  } finally {
    await m.powerOff();
  }
  return v;
}
