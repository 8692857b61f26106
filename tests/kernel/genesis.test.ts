// The kernel's genesis graph against the World's (src/world/genesis.ts): after a boot, the
// host reader finds the objects the World's genesis has, with the same slots in the same
// order and of the same kinds (the World's capability slots are data slots holding null
// until the Machine runs; the kernel's hold capability descriptors), the same parents and
// the same trait uses; the servers' capability slots describe real caps; and sends to the
// graph answer in the kernel (PS_LOOKUP) as they answer in the World.
import { describe, expect, it } from 'vitest';
import { createGenesisWorld, type OID } from '../../src/world';
import { appendPsTransaction, readPsDisk, type PsContent } from '../../src/machine';
import { bootMachine } from '../../src/machine/node';

const ROOT = 1;
/** Slots only one side has: the World's teaching examples, the kernel's process and image registries. */
const WORLD_ONLY = new Set(['Point', 'Circle', 'ColoredCircle', 'TCircle', 'TColor']);
const KERNEL_ONLY: Record<string, string[]> = { lobby: ['processes', 'images'], MMS: ['memory'] };
/** World data slots that are capability slots in the kernel. */
const CAP_SLOTS = new Set(['tcbCap', 'cspaceCap', 'vspaceCap', 'endpointCap', 'cap']);

type Named = Map<string, { oid: number; content: Extract<PsContent, { kind: 'object' }> }>;

async function bootGenesisDisk(): Promise<ArrayBuffer> {
  const disk = new ArrayBuffer(4 << 20);
  const m = await bootMachine({ disk });
  try {
    await m.waitForText(0, 'TelOS: test_proc alive.', 60_000);
  } finally {
    await m.powerOff();
  }
  return disk;
}

describe('the genesis graph in the kernel and in the World', () => {
  // Catches: a kernel genesis graph that differs from the World's, or capability slots describing fake or
  // duplicate caps.
  it('has the World genesis objects with their slots, parents and trait uses, and real capability slots', async () => {
    const disk = readPsDisk(await bootGenesisDisk());
    if (disk.kind !== 'ok') throw new Error(`disk: ${disk.kind}`);
    const kernel: Named = new Map();
    for (const o of disk.objects.values()) if (o.content?.kind === 'object') kernel.set(o.content.name, { oid: o.oid, content: o.content });
    const kernelName = new Map([...kernel].map(([n, o]) => [o.oid, n]));
    const { world, oids } = await createGenesisWorld();
    const worldName = (oid: OID) => (oid === oids.lobby ? 'lobby' : world.nameOf(oid));

    // The lobby of each names the same prototypes, through real references.
    const lobby = kernel.get('lobby')!;
    expect(lobby.oid).toBe(ROOT);
    const compared: string[] = [];
    for (const name of ['lobby', 'defaultBehavior', 'BaseObject', 'Process', 'Server', 'MemoryRegion', 'Callable', 'Transactional', 'Schedulable', 'PS', 'MMS', 'PMS', 'traits']) {
      const k = kernel.get(name);
      expect(k, `kernel object ${name}`).toBeDefined();
      const worldOid = name === 'lobby' ? oids.lobby : (oids as unknown as Record<string, OID>)[name]!;
      const w = world.get(worldOid);
      const worldSlots = w.slots
        .filter((s) => !WORLD_ONLY.has(s.name))
        .map((s) => ({
          name: s.name,
          kind: s.kind === 'data' && CAP_SLOTS.has(s.name) ? 'cap' : s.kind,
          ...(s.kind === 'parent' ? { to: worldName(s.value.ref) } : s.kind === 'data' && s.value && typeof s.value === 'object' && 'ref' in s.value ? { to: worldName(s.value.ref) } : {}),
        }));
      const kernelSlots = k!.content.slots
        .filter((s) => !(KERNEL_ONLY[name] ?? []).includes(s.name))
        .map((s) => ({
          name: s.name,
          kind: s.kind,
          ...(s.kind === 'parent' ? { to: kernelName.get(s.ref) } : s.kind === 'data' && s.value && typeof s.value === 'object' && 'ref' in s.value ? { to: kernelName.get(s.value.ref) } : {}),
        }));
      expect(kernelSlots, `slots of ${name}`).toEqual(worldSlots);
      expect(k!.content.traits.map((t) => kernelName.get(t.trait)), `trait uses of ${name}`).toEqual(w.traits.map((t) => worldName(t.trait)));
      compared.push(name);
    }
    // Capability slots: the servers' describe the root task's caps to their thread,
    // CSpace, VSpace and endpoint; the prototypes' hold none.
    const caps = (name: string) => Object.fromEntries(kernel.get(name)!.content.slots.flatMap((s) => (s.kind === 'cap' ? [[s.name, s.cap]] : [])));
    for (const server of ['PS', 'MMS', 'PMS']) {
      const c = caps(server);
      expect([c.tcbCap!.kind, c.cspaceCap!.kind, c.vspaceCap!.kind, c.endpointCap!.kind], server).toEqual([2, 5, 8, 3]);
      for (const d of Object.values(c)) expect(d.slot, server).toBeGreaterThan(0);
      expect(new Set(Object.values(c).map((d) => d.slot)).size, `${server}'s caps in distinct slots`).toBe(4);
    }
    for (const proto of ['Process', 'Server']) for (const d of Object.values(caps(proto))) expect(d).toEqual({ kind: 0, rights: 0, badge: 0, holder: 0, slot: 0 });
    // The MMS's memory: the untyped capability it was given, in its own CSpace.
    const memory = kernel.get('MMS memory')!.content.slots.find((s) => s.name === 'cap');
    expect(memory?.kind === 'cap' && memory.cap).toMatchObject({ kind: 1, holder: kernel.get('MMS')!.oid, slot: 13 });
    console.log(`genesis: ${compared.length} objects agree with the World's (${compared.join(', ')})`);
  });

  // Catches: a kernel lookup (lib/psobj.c) that answers a send differently from the World.
  it('answers sends to the genesis graph in the kernel as the World answers them', async () => {
    const bytes = await bootGenesisDisk();
    const disk = readPsDisk(bytes);
    if (disk.kind !== 'ok') throw new Error(`disk: ${disk.kind}`);
    const byName = new Map<string, number>();
    for (const o of disk.objects.values()) if (o.content?.kind === 'object') byName.set(o.content.name, o.oid);
    const nameOf = new Map([...byName].map(([n, o]) => [o, n]));
    const sends: [string, string][] = [
      ['PS', 'beginTransaction'], ['PS', 'clone'], ['PS', 'spawn'], ['PMS', '_dispatchMessage'], ['Server', 'mainLoop'],
      ['Process', 'mainLoop'], ['BaseObject', 'printString'], ['MMS', 'yieldTimeslice'], ['lobby', 'Process'],
    ];
    const m = await bootMachine({ cmdline: `test=ps-lookup sends=${sends.map(([r, s]) => `${byName.get(r)}:${s}`).join(',')}`, disk: bytes });
    let text: string;
    try {
      text = await m.waitForText(0, /ps-lookup: \d+ sends looked up/, 60_000);
    } finally {
      await m.powerOff();
    }
    const { world, oids } = await createGenesisWorld();
    const worldOid = (name: string) => (name === 'lobby' ? oids.lobby : (oids as unknown as Record<string, OID>)[name]!);
    const worldName = (oid: OID) => (oid === oids.lobby ? 'lobby' : world.nameOf(oid));
    for (const [receiver, selector] of sends) {
      const line = text.match(new RegExp(`ps-lookup ${byName.get(receiver)}:${selector}: (\\S+) holder (\\d+) slot (\\S+) at (\\d+)`));
      expect(line, `${receiver} ${selector}`).not.toBeNull();
      const kernelAnswer = line![1] === 'found' ? { holder: nameOf.get(Number(line![2])), slot: line![3], at: nameOf.get(Number(line![4])) } : { error: line![1] };
      let worldAnswer: object;
      try {
        const r = world.lookup(worldOid(receiver), selector);
        worldAnswer = { holder: worldName(r.holder), slot: r.slot.name, at: worldName(r.at) };
      } catch (e) {
        worldAnswer = { error: (e as Error).name };
      }
      expect(kernelAnswer, `${receiver} ${selector}`).toEqual(worldAnswer);
    }
  });

  // Catches: a Stage 3 that checks only that one oid exists (changed slots and lost trait uses passed).
  it('validates every slot on the next boot: a changed capability descriptor or a lost trait use fails Stage 3 and says where', async () => {
    const bytes = new Uint8Array(await bootGenesisDisk());
    const disk = readPsDisk(bytes);
    if (disk.kind !== 'ok') throw new Error(`disk: ${disk.kind}`);
    const ps = disk.objects.get(10)!.content;
    if (ps?.kind !== 'object') throw new Error('no PS object');
    const boot = async (image: Uint8Array) => {
      const m = await bootMachine({ disk: image.slice().buffer as ArrayBuffer });
      try {
        return await m.waitForText(0, /TelOS: Persistence validation (successful|FAILED)[^\n]*\n/, 60_000);
      } finally {
        await m.powerOff();
      }
    };
    // The same graph written again is still the genesis graph.
    const same = bytes.slice();
    appendPsTransaction(same, [{ oid: 10, content: ps }]);
    expect(await boot(same)).toContain('TelOS: Persistence validation successful.');
    // The PS's thread capability said to live one slot further.
    const moved = bytes.slice();
    const tcb = ps.slots.find((s) => s.name === 'tcbCap');
    if (tcb?.kind !== 'cap') throw new Error('no tcbCap');
    appendPsTransaction(moved, [{ oid: 10, content: { ...ps, slots: ps.slots.map((s) => (s === tcb ? { ...tcb, cap: { ...tcb.cap, slot: tcb.cap.slot + 1 } } : s)) } }]);
    const text = await boot(moved);
    expect(text).toMatch(new RegExp(`genesis validation: PS \\(10\\) slot tcbCap holds cap kind 2 rights 15 badge 0 holder 0 slot ${tcb.cap.slot + 1}; expected kind 2 rights 15 badge 0 holder 0 slot ${tcb.cap.slot}`));
    expect(text).toContain('TelOS: Persistence validation FAILED');
    expect(text).not.toContain('Persistence validation successful');
    // The PS no longer using Transactional.
    const untraited = bytes.slice();
    appendPsTransaction(untraited, [{ oid: 10, content: { ...ps, traits: ps.traits.slice(0, 1) } }]);
    const text2 = await boot(untraited);
    expect(text2).toContain('genesis validation: PS (10) differs in its name, slot order, extra slots or trait uses');
    expect(text2).toContain('TelOS: Persistence validation FAILED');
  });
});
