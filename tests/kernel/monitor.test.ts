// The COM1 monitor shell, typed at through the serial line as a person would, on v86 and
// on QEMU (COM1 input through its stdin).
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeClient, encodePsObject } from '../../src/machine';
import { bootWithDisk, emulators, newDisk, type SerialPC } from './emulators';

let machine: SerialPC | undefined;
afterEach(async () => {
  await machine?.powerOff();
  machine = undefined;
});

/**
 * Types a command and waits for the next prompt; returns what the command printed. A process
 * it starts runs below the monitor, so that process's lines may follow the prompt in the same
 * burst of output: the prompt need not end the text.
 */
async function type(m: SerialPC, command: string): Promise<string> {
  const from = m.com1.text().length;
  m.send(0, `${command}\r`);
  await m.waitForText(0, /\ntelos> /, 20_000, from);
  return m.com1.text().slice(from);
}

/**
 * Waits until a test_proc started after `from` (an index into COM1's text) has printed its
 * last line. It runs below the monitor (include/telos/priorities.h), so its lines come after
 * the prompt, and a command typed before they are out would see them in its answer.
 */
async function testProcDone(m: SerialPC, from = 0): Promise<void> {
  await m.waitForText(0, /TelOS: test_proc: open \/tmp\/\.\.\/disk: [^\n]*\n/, 20_000, from);
}

for (const emulator of emulators) {
describe.skipIf(!emulator.available)(`COM1 monitor shell on ${emulator.name}`, () => {
  // Catches: a COM1 monitor that stops answering or misreports objects and processes.
  it('answers help, objects, get, ps and spawn', async () => {
    machine = await bootWithDisk(emulator, newDisk(emulator, 4 << 20));
    await machine.waitForText(0, 'TelOS: monitor: ready on COM1 (type help)\ntelos> ', 30_000);
    await testProcDone(machine);
    expect(await type(machine, 'help')).toContain('commands: help, ps, objects, get <oid>, spawn <name> [<path>[:ro|:rw]]...\n');
    const objects = await type(machine, 'objects');
    // Catches: a count that is not the number of objects listed below it, and "1 slots".
    const said = Number(objects.match(/(\d+) objects\n/)![1]);
    expect(objects.match(/^ {2}\d+ {2}/gm)).toHaveLength(said);
    expect(said).toBeGreaterThanOrEqual(20);
    expect(objects).toContain('  3  BaseObject  (1 slot, 0 traits)');
    expect(objects).toContain('  20  test_proc  (7 slots, 0 traits)');
    expect(objects).toMatch(/ {2}22 {2}\(blob of \d+ bytes\)/);
    const ps = await type(machine, 'get 10');
    expect(ps).toContain('object 10: PS\n  parent* = defaultBehavior (2)\n  tcbCap = TCB cap, rights 15, badge 0, in slot ');
    expect(ps).toMatch(/ {2}endpointCap = Endpoint cap, rights 15, badge 0, in slot \d+ of the root task\n/);
    expect(ps).toContain('  spawn = a method (IPC label 1)\n');
    expect(ps).toContain('  txOpen = false\n  txNote = nil\n  uses Callable (7)\n  uses Transactional (8)\n');
    expect(await type(machine, 'get 20')).toMatch(/ {2}tcbCap = TCB cap, rights 15, badge 0, in slot \d+ of PMS\n/);
    expect(await type(machine, 'get 999')).toContain('no object 999');
    expect(await type(machine, 'ps')).toMatch(/1 process created by the PMS\n {2}20 {2}test_proc {2}running\ntelos> $/);
    const beforeSpawn = machine.com1.text().length;
    const spawned = await type(machine, 'spawn test_proc');
    expect(spawned).toMatch(/spawned test_proc as object \d+/);
    await machine.waitForText(0, /TelOS: test_proc alive\.[\s\S]*TelOS: test_proc alive\./, 10_000);
    await testProcDone(machine, beforeSpawn);
    // Catches: the MMS's line per allocation among the monitor's answers (only mmslog=1 asks for it).
    expect(machine.com1.text()).not.toContain('allocation request');
    const two = await type(machine, 'ps');
    expect(two).toMatch(/2 processes created by the PMS\n( {2}\d+ {2}test_proc {2}running\n){2}telos> $/);
    // A namespace for the new process: /image only (read-only), so it cannot see /tmp; more than
    // the PMS holds, or a relative path, is refused and nothing runs.
    const beforeImageOnly = machine.com1.text().length;
    expect(await type(machine, 'spawn test_proc /image')).toMatch(/spawned test_proc as object \d+/);
    await machine.waitForText(0, "TelOS: test_proc: write /tmp/test_proc.txt: outside the session's namespace\n", 10_000);
    await testProcDone(machine, beforeImageOnly);
    expect(await type(machine, 'spawn test_proc /tmp:rw /disk:rw')).toContain(
      "spawn test_proc failed: outside the session's namespace\n",
    );
    expect(await type(machine, 'spawn test_proc /image:rw')).toContain('spawn test_proc failed: more rights than granted\n');
    expect(await type(machine, 'spawn test_proc tmp')).toContain('usage: spawn <name> [<path>[:ro|:rw]]...');
    expect(await type(machine, 'ps')).toMatch(/3 processes created by the PMS/);
    // Catches: a count above the list when the PMS's answer cannot hold every process (19 fit).
    for (let i = 3; i < 21; i++) expect(await type(machine, 'spawn test_proc')).toMatch(/spawned test_proc as object \d+/);
    const many = await type(machine, 'ps');
    expect(many).toMatch(/21 processes created by the PMS\n/);
    expect(many.match(/^ {2}\d+ {2}test_proc {2}running$/gm)).toHaveLength(19);
    expect(many).toContain("  and 2 more the PMS's answer has no room for\ntelos> ");
    expect(await type(machine, 'bogus')).toContain("unknown command 'bogus'");
  });

  // Catches: "(1 bytes)" for a bytes slot of one byte and "a blob of 1 bytes" (lib/psshow.c,
  // shared by `get` and the /image/objects files), and a count that is not the length.
  it('shows bytes slots and blobs with their length, singular for one byte, in get and in /image/objects', async () => {
    const m = await bootWithDisk(emulator, newDisk(emulator, 4 << 20));
    machine = m;
    const client = new BridgeClient((bytes) => m.send(1, bytes));
    m.com2.onByte((b) => client.feed(Uint8Array.of(b)));
    await m.waitForText(0, 'TelOS: monitor: ready on COM1 (type help)\ntelos> ', 30_000);
    await m.waitForText(0, 'TelOS: bridge: serving frames on COM2', 30_000);
    await testProcDone(m);
    // Objects as the IDE writes them through the bridge: byte arrays of 1, 2 and 0 bytes, a 1-byte blob.
    const { txid } = await client.begin();
    await client.put(
      txid,
      1600,
      encodePsObject({
        kind: 'object',
        name: 'sample',
        traits: [],
        slots: [
          { kind: 'data', name: 'one', value: Uint8Array.of(7) },
          { kind: 'data', name: 'two', value: Uint8Array.of(1, 2) },
          { kind: 'data', name: 'none', value: new Uint8Array(0) },
        ],
      }),
    );
    await client.put(txid, 1601, encodePsObject({ kind: 'blob', data: Uint8Array.of(9) }));
    await client.commit(txid);
    const slots = '  one = (1 byte)\n  two = (2 bytes)\n  none = (0 bytes)\n';
    expect(await type(m, 'get 1600')).toContain(`object 1600: sample\n${slots}`);
    expect(await type(m, 'cat /image/objects/1600')).toContain(`object 1600: sample\n${slots}`);
    expect(await type(m, 'get 1601')).toContain('object 1601: a blob of 1 byte\n');
    expect(await type(m, 'cat /image/objects/1601')).toContain('object 1601: a blob of 1 byte\n');
  });

  // Catches: file commands that misreport vfs_server's tree, lose a file written on hdb at
  // power-off, or print a refusal as success.
  it('answers ls, cat, write, mkdir, rm, mv and df on /tmp, on /disk (which keeps its files across a reboot) and on the read-only /image of the PS; test_proc gets /tmp and /image only', async () => {
    const disk = newDisk(emulator, 4 << 20);
    const hdb = newDisk(emulator, 8 << 20);
    machine = await bootWithDisk(emulator, disk, '', hdb);
    await machine.waitForText(0, 'TelOS: monitor: ready on COM1 (type help)\ntelos> ', 60_000);
    await testProcDone(machine);
    // test_proc, made by the PMS, has a namespace of /tmp (read-write) and /image (read-only) only.
    expect(machine.com1.text()).toContain(
      [
        'TelOS: test_proc: read /image/roots: ok',
        'TelOS: test_proc: write /tmp/test_proc.txt: ok',
        'TelOS: test_proc: write /image/objects/1: read-only',
        "TelOS: test_proc: open /disk: outside the session's namespace",
        "TelOS: test_proc: list /: outside the session's namespace",
        "TelOS: test_proc: open /tmp/../disk: outside the session's namespace",
      ].join('\n'),
    );
    expect(await type(machine, 'cat /tmp/test_proc.txt')).toContain('\ntest_proc was here\ntelos> ');
    expect(await type(machine, 'rm /tmp/test_proc.txt')).toBe('rm /tmp/test_proc.txt\ntelos> ');
    expect(await type(machine, 'help')).toContain(
      'commands: help, ps, objects, get <oid>, spawn <name> [<path>[:ro|:rw]]...\nfiles: ls [dir], cat <file>, write <file> <text>, mkdir <dir>, rm <path>\n       mv <from> <to>, df\n',
    );
    expect(await type(machine, 'ls')).toContain('  tmp/\n  disk/\n  dev/\n  image/\n4 entries\n');
    const df = await type(machine, 'df');
    expect(df).toContain('/tmp  ram  1024 KiB  1024 KiB  128  127\n');
    expect(df).toMatch(/\/disk {2}posix {2}7167 KiB {2}\d+ KiB {2}\d+ {2}\d+\n/);
    expect(df).toContain('/dev  block  1024 KiB  0 KiB  1  0\n');
    expect(await type(machine, 'mkdir /disk/notes')).toBe('mkdir /disk/notes\ntelos> ');
    expect(await type(machine, 'write /disk/notes/todo.txt buy milk, then  fix the roof')).toContain(
      'wrote 29 bytes to /disk/notes/todo.txt\n',
    );
    expect(await type(machine, 'cat /disk/notes/todo.txt')).toContain('\nbuy milk, then  fix the roof\ntelos> ');
    expect(await type(machine, 'ls /disk/notes')).toContain('  todo.txt  (29 bytes)\n1 entry\n');
    expect(await type(machine, 'mv /disk/notes/todo.txt /disk/notes/done.txt')).toBe(
      'mv /disk/notes/todo.txt /disk/notes/done.txt\ntelos> ',
    );
    expect(await type(machine, 'cat /disk/notes/todo.txt')).toContain('cat: /disk/notes/todo.txt: no such file or directory\n');
    expect(await type(machine, 'ls /disk/notes/done.txt')).toContain('  /disk/notes/done.txt  (29 bytes)\n');
    expect(await type(machine, 'write /tmp/scratch hello')).toContain('wrote 6 bytes to /tmp/scratch\n');
    expect(await type(machine, 'ls /tmp')).toContain('  scratch  (6 bytes)\n1 entry\n');
    // Catches: "1 bytes" for a file of one byte (an empty line is its newline).
    expect(await type(machine, 'write /tmp/scratch')).toContain('wrote 1 byte to /tmp/scratch\n');
    expect(await type(machine, 'ls /tmp')).toContain('  scratch  (1 byte)\n1 entry\n');
    expect(await type(machine, 'ls /tmp/scratch')).toContain('  /tmp/scratch  (1 byte)\n');
    expect(await type(machine, 'rm /tmp/scratch')).toBe('rm /tmp/scratch\ntelos> ');
    expect(await type(machine, 'ls /tmp')).toContain('0 entries\n');
    expect(await type(machine, 'rm /disk/notes')).toContain('rm: /disk/notes: directory not empty\n');
    expect(await type(machine, 'rm /tmp')).toContain('rm: /tmp: busy (a mount point)\n');
    expect(await type(machine, 'mv /disk/notes/done.txt /tmp/done.txt')).toContain(
      'mv: /disk/notes/done.txt -> /tmp/done.txt: across mounts\n',
    );
    expect(await type(machine, 'cat /etc/passwd')).toContain('cat: /etc/passwd: no such file or directory\n');
    expect(await type(machine, 'ls ../..')).toContain('ls: ../..: malformed path\n');
    expect(await type(machine, 'mkdir /disk/../../x')).toContain("mkdir: /disk/../../x: outside the session's namespace\n");

    // /image: the PS's objects as files, read-only, following commits.
    expect(df).toMatch(/\/image {2}living_image {2}\d+ KiB {2}0 KiB {2}\d+ {2}0\n/);
    expect(await type(machine, 'ls /image')).toContain('  objects/\n  roots  (8 bytes)\n2 entries\n');
    expect(await type(machine, 'cat /image/roots')).toContain('\n1 lobby\ntelos> ');
    const objects = await type(machine, 'ls /image/objects');
    expect(objects).toMatch(/\n {2}3 {2}\(\d+ bytes\)\n/);
    expect(objects).toMatch(/\n {2}20 {2}\(\d+ bytes\)\n/);
    const listed = Number(objects.match(/(\d+) entries\n/)![1]);
    expect(listed).toBe(Number((await type(machine, 'objects')).match(/(\d+) objects\n/)![1]));
    const ps = await type(machine, 'cat /image/objects/10');
    expect(ps).toContain('object 10: PS\n  parent* = defaultBehavior (2)\n');
    // The file is the very text `get` prints (one formatter, lib/psshow.c).
    const body = (out: string) => out.slice(out.indexOf('object 10: PS'), out.lastIndexOf('telos> '));
    expect(body(ps)).toBe(body(await type(machine, 'get 10')));
    expect(ps).toContain('  spawn = a method (IPC label 1)\n');
    expect(ps).toContain('  uses Callable (7)\n  uses Transactional (8)\n');
    expect(await type(machine, 'write /image/objects/10 hacked')).toContain('write: /image/objects/10: read-only\n');
    expect(await type(machine, 'rm /image/objects/10')).toContain('rm: /image/objects/10: read-only\n');
    expect(await type(machine, 'cat /image/objects/999999')).toContain('cat: /image/objects/999999: no such file or directory\n');
    const beforeSpawn = machine.com1.text().length;
    const spawned = (await type(machine, 'spawn test_proc')).match(/spawned test_proc as object (\d+)/);
    expect(spawned).not.toBeNull();
    await testProcDone(machine, beforeSpawn);
    expect(await type(machine, `cat /image/objects/${spawned![1]}`)).toContain(`object ${spawned![1]}: test_proc\n`);
    const after = await type(machine, 'ls /image/objects');
    expect(after).toContain(`\n  ${spawned![1]}  (`);
    expect(Number(after.match(/(\d+) entries\n/)![1])).toBeGreaterThan(listed);
    await machine.powerOff();

    machine = await bootWithDisk(emulator, disk, '', hdb);
    await machine.waitForText(0, 'TelOS: monitor: ready on COM1 (type help)\ntelos> ', 60_000);
    await testProcDone(machine);
    expect(machine.com1.text()).toContain("TelOS: vfs: mounted hdb's ext2 file system at /disk");
    expect(machine.com1.text()).not.toContain('hdb was blank');
    expect(await type(machine, 'cat /disk/notes/done.txt')).toContain('\nbuy milk, then  fix the roof\ntelos> ');
    // /tmp starts empty at each boot: only what test_proc wrote in it since.
    expect(await type(machine, 'ls /tmp')).toContain('  test_proc.txt  (19 bytes)\n1 entry\n');
  });
});
}
