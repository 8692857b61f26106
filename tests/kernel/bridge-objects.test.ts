// The bridge's object protocol: batched reads, PS transactions on the host's behalf,
// messages to server objects, terminating and reading processes, and the event stream;
// every malformed request answered with an error frame and nothing changed. On v86 and
// on QEMU, with the same expectations.
import { afterEach, describe, expect, it } from 'vitest';
import {
  BRIDGE,
  BridgeClient,
  decodePsObject,
  encodeFrame,
  encodePsObject,
  type BridgeEvent,
  type PsContent,
} from '../../src/machine';
import { bootWithDisk, emulators, newDisk, type Emulator, type SerialPC, type TestDisk } from './emulators';

const PS = 10, PMS = 12, PROCESS = 4, TEST_PROC = 20, TEST_PROC_IMAGE = 21, EDITED = 1502;
const PMS_LIST_PROCESSES = 2;

let machine: SerialPC | undefined;
afterEach(async () => {
  await machine?.powerOff();
  machine = undefined;
});

interface Booted {
  m: SerialPC;
  client: BridgeClient;
  events: BridgeEvent[];
  /** Resolves with the first event (already seen or still to come) that `match` accepts. */
  event(match: (e: BridgeEvent) => boolean, timeoutMs?: number): Promise<BridgeEvent>;
}

async function boot(emulator: Emulator, disk: TestDisk): Promise<Booted> {
  const m = await bootWithDisk(emulator, disk);
  machine = m;
  const client = new BridgeClient((bytes) => m.send(1, bytes));
  const events: BridgeEvent[] = [];
  const waiters = new Set<() => void>();
  client.onEvent((e) => {
    events.push(e);
    for (const w of waiters) w();
  });
  m.com2.onByte((b) => client.feed(Uint8Array.of(b)));
  await m.waitForText(0, 'TelOS: bridge: serving frames on COM2', 30_000);
  await m.waitForText(0, 'TelOS: test_proc alive.', 30_000);
  const event = (match: (e: BridgeEvent) => boolean, timeoutMs = 10_000) =>
    new Promise<BridgeEvent>((resolve, reject) => {
      const check = () => {
        const found = events.find(match);
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no such bridge event within ${timeoutMs} ms; seen: ${JSON.stringify(events)}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { m, client, events, event };
}

function withSlot(content: PsContent, name: string, value: number | string): PsContent {
  if (content.kind !== 'object') throw new Error('not a typed object');
  return {
    ...content,
    slots: content.slots.map((s) => (s.kind === 'data' && s.name === name ? { ...s, value } : s)),
  };
}

function dataSlot(bytes: Uint8Array | undefined, name: string): unknown {
  const content = decodePsObject(bytes!);
  if (content.kind !== 'object') throw new Error('not a typed object');
  const slot = content.slots.find((s) => s.kind === 'data' && s.name === name);
  return slot && slot.kind === 'data' ? slot.value : undefined;
}

for (const emulator of emulators) {
describe.skipIf(!emulator.available)(`bridge object protocol on ${emulator.name}`, () => {
  it('reads every object in batches as one at a time does, and commits, aborts and refuses transactions', async () => {
    const disk = newDisk(emulator, 4 << 20);
    const { m, client, event } = await boot(emulator, disk);
    const oids = await client.listObjects();
    const batch = await client.getObjects([...oids, 4242]);
    expect(batch.get(4242)).toBeUndefined();
    for (const oid of oids) {
      const bytes = batch.get(oid)!;
      // GET_OBJECT answers at most 1016 bytes; the batch has every object whole (image chunks are 4 KiB).
      expect(bytes.subarray(0, 1016)).toEqual(await client.getObject(oid));
      expect(() => decodePsObject(bytes)).not.toThrow();
    }
    expect(Math.max(...oids.map((o) => batch.get(o)!.length))).toBeGreaterThan(1016);

    // A new child of Process, then its priority edited in a PS transaction, as the outliner does.
    // (test_proc's own object is written afresh by the PMS at every boot.)
    const before = encodePsObject({
      kind: 'object',
      name: 'edited',
      traits: [],
      slots: [
        { kind: 'parent', name: 'parent', ref: PROCESS },
        { kind: 'data', name: 'priority', value: 50 },
      ],
    });
    const made = await client.begin();
    await client.put(made.txid, EDITED, before);
    await client.commit(made.txid);
    const { txid } = await client.begin();
    await client.put(txid, EDITED, encodePsObject(withSlot(decodePsObject(before), 'priority', 77)));
    const tid = await client.commit(txid);
    expect(tid).toBeGreaterThan(3);
    await event((e) => e.kind === 'transactionCommitted' && e.tid === tid);
    expect(dataSlot(await client.getObject(EDITED), 'priority')).toBe(77);

    // An aborted transaction leaves nothing behind.
    const aborted = await client.begin();
    await client.put(aborted.txid, EDITED, encodePsObject(withSlot(decodePsObject(before), 'priority', 5)));
    await client.abort(aborted.txid);
    expect(dataSlot(await client.getObject(EDITED), 'priority')).toBe(77);
    await expect(client.commit(aborted.txid)).rejects.toMatchObject({ code: BRIDGE.EREFUSED, refusal: 'PS_EBAD_TX' });

    // Two writers of one object: the second commit is refused and writes nothing.
    const a = await client.begin();
    const b = await client.begin();
    await client.put(a.txid, EDITED, encodePsObject(withSlot(decodePsObject(before), 'priority', 60)));
    await client.put(b.txid, EDITED, encodePsObject(withSlot(decodePsObject(before), 'priority', 61)));
    await client.commit(a.txid);
    await expect(client.commit(b.txid)).rejects.toMatchObject({ code: BRIDGE.EREFUSED, refusal: 'PS_ECONFLICT' });
    expect(dataSlot(await client.getObject(EDITED), 'priority')).toBe(60);

    // Bytes that are no object are refused by the PS at once; the transaction goes on without them.
    const c = await client.begin();
    await expect(client.put(c.txid, 1500, Uint8Array.of(1, 2, 3, 4, 5))).rejects.toMatchObject({ refusal: 'PS_EMALFORMED' });
    await client.put(c.txid, 1501, encodePsObject({ kind: 'blob', data: new Uint8Array(2000).fill(7) }));
    await client.commit(c.txid);
    const after = await client.getObjects([1500, 1501]);
    expect(after.get(1500)).toBeUndefined();
    expect(after.get(1501)!.length).toBe(2004);

    // The edits survive a power cut (no shutdown) and a boot.
    await m.powerOff();
    machine = undefined;
    const again = await boot(emulator, disk);
    expect(dataSlot(await again.client.getObject(EDITED), 'priority')).toBe(60);
    expect((await again.client.getObjects([1501])).get(1501)!.length).toBe(2004);
  });

  it('spawns, reads and terminates processes with events, and messages server objects', async () => {
    const { m, client, event } = await boot(emulator, newDisk(emulator, 4 << 20));
    expect(await client.processState(TEST_PROC)).toEqual({ oid: TEST_PROC, state: 'running', name: 'test_proc' });
    expect(await client.spawn(TEST_PROC_IMAGE, 1077)).toBe(1077);
    await event((e) => e.kind === 'processStarted' && e.oid === 1077);
    await event((e) => e.kind === 'transactionCommitted');
    expect(await client.processState(1077)).toMatchObject({ state: 'running', name: 'test_proc' });

    // A message to the PMS object, label and words as its IPC protocol has them.
    const listed = await client.message(PMS, PMS_LIST_PROCESSES);
    expect(listed.label).toBe(0);
    expect(listed.words[0]).toBe(2);
    expect([listed.words[1], listed.words[7]]).toEqual([TEST_PROC, 1077]);
    await expect(client.message(PROCESS, 1)).rejects.toMatchObject({ code: BRIDGE.ENOT_FOUND });
    expect((await client.message(PS, 0x55)).label).not.toBe(0); // an operation the PS does not know

    await client.terminate(1077);
    await event((e) => e.kind === 'processExited' && e.oid === 1077);
    expect(await client.processState(1077)).toEqual({ oid: 1077, state: 'ended', name: '' });
    expect(dataSlot(await client.getObject(1077), 'state')).toBe('terminated');
    expect((await client.listProcesses()).map((p) => p.oid)).toEqual([TEST_PROC]);
    await m.waitForText(0, 'TelOS: PMS: test_proc (object 1077) terminated');
    await expect(client.terminate(1077)).rejects.toMatchObject({ code: BRIDGE.ENOT_FOUND });
    await expect(client.processState(4242)).rejects.toMatchObject({ code: BRIDGE.ENOT_FOUND });
  });

  it('answers every malformed request with an error frame and changes nothing', async () => {
    const { m, client, events } = await boot(emulator, newDisk(emulator, 4 << 20));
    const oids = await client.listObjects();
    const snapshot = await client.getObjects(oids);
    const open = await client.begin();
    const le = (...v: number[]) => new Uint8Array(new Uint32Array(v).buffer);
    const bad: [number, Uint8Array][] = [
      [BRIDGE.GET_OBJECTS, new Uint8Array(0)],
      [BRIDGE.GET_OBJECTS, le(0)],
      [BRIDGE.GET_OBJECTS, le(3, 1, 2)],
      [BRIDGE.GET_OBJECTS, le(256, ...new Array(255).fill(1))],
      [BRIDGE.TX_BEGIN, le(1)],
      [BRIDGE.TX_PUT, le(open.txid, TEST_PROC, 10)],
      [BRIDGE.TX_PUT, new Uint8Array([...le(open.txid, TEST_PROC, 4, 2), 1, 2, 3])],
      [BRIDGE.TX_PUT, new Uint8Array([...le(open.txid, TEST_PROC, 1 << 20, 0), 1])],
      [BRIDGE.TX_PUT, le(open.txid, 0, 4, 0, 0)],
      [BRIDGE.TX_COMMIT, new Uint8Array(3)],
      [BRIDGE.TX_ABORT, le(1, 2)],
      [BRIDGE.SEND, le(PMS)],
      [BRIDGE.SEND, new Uint8Array([...le(PMS, 2), 1])],
      [BRIDGE.SEND, le(PMS, 2, ...new Array(101).fill(0))],
      [BRIDGE.TERMINATE, new Uint8Array(0)],
      [BRIDGE.TERMINATE, le(TEST_PROC, 0)],
      [BRIDGE.PROCESS_STATE, new Uint8Array(5)],
      [BRIDGE.LIST_PROCESSES, le(1)],
    ];
    for (const [type, payload] of bad) {
      await expect(client.request(type, payload), `type ${type}, ${payload.length} bytes`).rejects.toMatchObject({
        code: BRIDGE.EBAD_PAYLOAD,
      });
    }
    // Transactions that are not the bridge's (or never were) are refused by the PS.
    await expect(client.commit(0xdead)).rejects.toMatchObject({ refusal: 'PS_EBAD_TX' });
    await expect(client.put(0xdead, 1600, encodePsObject({ kind: 'blob', data: Uint8Array.of(1) }))).rejects.toMatchObject({
      refusal: 'PS_EBAD_TX',
    });
    // A request frame cut short, then a flood of random bytes, then a real request.
    const whole = encodeFrame({ type: BRIDGE.TX_COMMIT, status: 0, id: 901, payload: le(open.txid) });
    m.send(1, whole.subarray(0, whole.length - 3));
    let s = 7;
    m.send(1, Uint8Array.from({ length: 800 }, () => ((s = (s * 1103515245 + 12345) >>> 0), s >>> 24)));
    await client.abort(open.txid);
    // Nothing changed: same objects, same bytes, nothing committed, no process started or ended.
    expect(await client.listObjects()).toEqual(oids);
    expect(await client.getObjects(oids)).toEqual(snapshot);
    expect(events).toEqual([]);
    expect(m.com1.text()).not.toMatch(/killed|panic/);
  });
});
}
