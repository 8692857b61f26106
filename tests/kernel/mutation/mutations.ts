// The deliberate faults of the mutation run (run.ts): each one a single source edit to the
// kernel or a server that breaks one guarantee of the security model (images/telos/README.md),
// and the kernel tests expected to notice. `original` must occur exactly once in `file`, so an
// edit of the source that moves or rewrites it stops the run instead of silently testing
// nothing.

/** A kernel test, as vitest names it: its file and a literal part of its full name. */
export interface KernelTestRef {
  file: string;
  name: string;
}

export interface Mutation {
  /** Short, stable name (`npm run mutate -- NAME` runs just this one). */
  id: string;
  /** The guarantee the fault breaks, in a few words. */
  breaks: string;
  /** Under images/telos/. */
  file: string;
  original: string;
  replacement: string;
  /** Tried in order; the first that fails catches the mutation. */
  tests: KernelTestRef[];
}

const microkernel = (name: string): KernelTestRef => ({ file: 'tests/kernel/microkernel.test.ts', name: `microkernel on v86 ${name}` });
const RIGHTS = microkernel('enforces rights on the IPC paths');
const IPC = microkernel('ping-pongs IPC with badges');
const TRANSFER = microkernel('transfers a capability only through an endpoint capability with Grant');
const REVOKE = microkernel('revokes every derived capability');
const REPLYCAP = microkernel('makes reply capabilities single-use');
const IOPORTS = microkernel('lets a driver thread use the ports');
const EXHAUST = microkernel('reports untyped exhaustion as an error');
const FAULTS = microkernel('confines every kind of user fault');
const PREEMPT = microkernel('gives the CPU to a thread beside one of its priority that never blocks');
const FUZZ: KernelTestRef = { file: 'tests/kernel/fuzz.test.ts', name: 'syscall fuzzer on v86 checks the outcome of every random syscall' };
const MMS: KernelTestRef = { file: 'tests/kernel/mms-quota.test.ts', name: 'MMS ownership and quotas on v86' };
const BLOCK: KernelTestRef = { file: 'tests/kernel/block.test.ts', name: 'block server on v86 keeps each session inside its sectors' };
const VFS: KernelTestRef = { file: 'tests/kernel/vfs.test.ts', name: 'vfs_server on v86 keeps a file on hdb across a reboot' };
const SCHED: KernelTestRef = {
  file: 'tests/kernel/sched.test.ts',
  name: 'scheduling on v86 a spinning program starves neither the monitor nor the bridge, and two equal spinners both run',
};
const MALFORMED: KernelTestRef = { file: 'tests/kernel/servers.test.ts', name: 'servers on v86 answers every malformed IPC message' };

export const mutations: Mutation[] = [
  // ---- rights on the IPC paths
  {
    id: 'send-without-write',
    breaks: 'Send/Call need Write on the endpoint (slow path)',
    file: 'kernel/syscall.c',
    original: 'if (s && need_right && (s->cap.type == CAP_ENDPOINT',
    replacement: 'if (s && need_right == TELOS_RIGHT_READ && (s->cap.type == CAP_ENDPOINT',
    tests: [FAULTS, RIGHTS],
  },
  {
    id: 'fastpath-rights-skipped',
    breaks: 'the fast path checks Write (Call) and Read (ReplyRecv) like the slow path',
    file: 'kernel/fastpath.h',
    original: '|| (s->cap.rights & need_rights) != need_rights)',
    replacement: '|| (need_rights && 0))',
    tests: [RIGHTS],
  },
  {
    id: 'fastpath-reply-without-grant',
    breaks: 'a Call through a cap without Grant/GrantReply gets no reply capability (fast path)',
    file: 'kernel/fastpath.h',
    original: " || !(s->cap.rights & (TELOS_RIGHT_GRANT | TELOS_RIGHT_GRANT_REPLY)))\n        return false;",
    replacement: ')\n        return false;',
    tests: [RIGHTS],
  },
  {
    id: 'fastpath-copies-all-registers',
    breaks: 'the fast path copies exactly the message length, never the sender\'s other registers',
    file: 'kernel/fastpath.h',
    original: '    if (len > 2)\n        to->ctx.ebp = from->ctx.ebp;',
    replacement: '    (void)len;\n    to->ctx.edx = from->ctx.edx;\n    to->ctx.edi = from->ctx.edi;\n    to->ctx.ebp = from->ctx.ebp;',
    tests: [RIGHTS],
  },
  {
    id: 'grant-ignored',
    breaks: 'a capability travels in a message only through an endpoint cap with Grant',
    file: 'kernel/ipc.c',
    original: 'bool can_grant = ep_slot->cap.rights & TELOS_RIGHT_GRANT;',
    replacement: 'bool can_grant = true;',
    tests: [TRANSFER],
  },
  {
    id: 'ipc-buffer-write-right-ignored',
    breaks: 'the kernel writes an IPC buffer only through a writable frame cap',
    file: 'kernel/thread.c',
    original: 'u32 need = for_writing ? TELOS_RIGHT_READ | TELOS_RIGHT_WRITE : TELOS_RIGHT_READ;',
    replacement: 'u32 need = for_writing ? TELOS_RIGHT_READ : TELOS_RIGHT_READ;',
    tests: [RIGHTS],
  },
  // ---- badges
  {
    id: 'fastpath-badge-dropped',
    breaks: 'the receiver learns the badge of the sender\'s capability (fast path)',
    file: 'kernel/fastpath.h',
    original: 'r->ctx.ebx = s->cap.data;',
    replacement: 'r->ctx.ebx = 0;',
    tests: [IPC],
  },
  {
    id: 'rebadge-allowed',
    breaks: 'a badge is set once: Mint cannot change it',
    file: 'kernel/cnode.c',
    original: '        if (c.data && badge && badge != c.data)\n            return TELOS_EILLEGAL_OPERATION; /* a badge is set once */\n',
    replacement: '',
    tests: [TRANSFER, FUZZ],
  },
  {
    id: 'derive-keeps-all-rights',
    breaks: 'Copy and Mint give at most the rights asked for',
    file: 'kernel/cnode.c',
    original: 'c.rights &= (u8)mr[3];',
    replacement: 'c.rights &= (u8)(mr[3] | TELOS_RIGHTS_ALL);',
    tests: [TRANSFER, FUZZ],
  },
  // ---- revoke and delete
  {
    id: 'revoke-keeps-badged-sends',
    breaks: 'revoking a badged cap cancels the sends queued under its badge',
    file: 'kernel/cnode.c',
    original: '        if (target->cap.type == CAP_ENDPOINT && target->cap.data)\n            endpoint_cancel_badged_sends',
    replacement: '        if (target->cap.type == CAP_ENDPOINT && target->cap.data && 0)\n            endpoint_cancel_badged_sends',
    tests: [REVOKE],
  },
  {
    id: 'delete-last-badge-keeps-sends',
    breaks: 'deleting the last cap with a badge cancels the sends queued under it',
    file: 'kernel/cap.c',
    original: 'bool cancel_badge = !final && c.type == CAP_ENDPOINT',
    replacement: 'bool cancel_badge = 0 && !final && c.type == CAP_ENDPOINT',
    tests: [REVOKE],
  },
  {
    id: 'revoke-one-child',
    breaks: 'revoke deletes every descendant, in any CNode',
    file: 'kernel/cap.c',
    original: '    while (mdb_has_children(s))\n        cap_delete(s->mdb_next);',
    replacement: '    if (mdb_has_children(s))\n        cap_delete(s->mdb_next);',
    tests: [REVOKE],
  },
  // ---- reply capabilities
  {
    id: 'reply-cap-kept-after-reply',
    breaks: 'a reply capability is spent by its first Reply',
    file: 'kernel/ipc.c',
    original: '    t->caller = NULL;\n    c->reply_holder = NULL;\n    if (c->state',
    replacement: '    c->reply_holder = NULL;\n    if (c->state',
    tests: [REPLYCAP],
  },
  {
    id: 'frame-map-ignores-read-only',
    breaks: 'a frame mapped through a read-only cap is mapped read-only',
    file: 'kernel/vspace.c',
    original: 'bool writable = (mr[2] & TELOS_RIGHT_WRITE) && (s->cap.rights & TELOS_RIGHT_WRITE);',
    replacement: 'bool writable = (mr[2] & TELOS_RIGHT_WRITE);',
    tests: [RIGHTS, FUZZ],
  },
  // ---- preemption
  {
    id: 'no-preemption',
    breaks: 'a thread that never blocks loses the CPU when its time slice ends',
    file: 'kernel/thread.c',
    original: '    if (!current->timeslice)\n        resched_requested = true;\n',
    replacement: '',
    tests: [PREEMPT],
  },
  // ---- the scheduling policy (include/telos/priorities.h)
  {
    id: 'pms-priority-unclamped',
    breaks: 'PMS: a process object\'s priority slot cannot lift a program out of the user band',
    file: 'servers/pms.c',
    original: '    return asked > PRIO_USER_MAX ? PRIO_USER_MAX : asked < PRIO_USER_MIN ? PRIO_USER_MIN : asked;',
    replacement: '    return asked;',
    tests: [SCHED],
  },
  {
    id: 'pms-priority-ignored',
    breaks: 'PMS: a program runs at the priority its process object asks for (within the user band)',
    file: 'servers/pms.c',
    // Still calls user_priority, or -Werror refuses the unused function and nothing is tested.
    original: '    i32 priority = process_oid ? user_priority(tx, process_oid) : PRIO_USER_DEFAULT;',
    replacement: '    i32 priority = process_oid ? (user_priority(tx, process_oid), PRIO_USER_DEFAULT) : PRIO_USER_DEFAULT;',
    tests: [SCHED],
  },
  {
    id: 'consoles-below-users',
    breaks: 'the monitor and the bridge run above every user program',
    file: 'include/telos/priorities.h',
    original: '#define PRIO_BRIDGE  150\n#define PRIO_MONITOR 140',
    replacement: '#define PRIO_BRIDGE  30\n#define PRIO_MONITOR 20',
    tests: [SCHED],
  },
  // ---- untyped memory and CNodes
  {
    id: 'retype-ignores-watermark',
    breaks: 'retype never hands out memory already given to another object',
    file: 'kernel/untyped.c',
    original: 'u32 watermark = mdb_has_children(ut) ? ut->cap.data : 0;',
    replacement: 'u32 watermark = 0;',
    tests: [EXHAUST, FUZZ],
  },
  {
    id: 'retype-overwrites-slot',
    breaks: 'retype never overwrites an occupied slot',
    file: 'kernel/untyped.c',
    original: '        if (dest[i].cap.type != CAP_NULL)\n            return TELOS_EDELETE_FIRST;',
    replacement: '        if (dest[i].cap.type != CAP_NULL && 0)\n            return TELOS_EDELETE_FIRST;',
    tests: [EXHAUST, FUZZ],
  },
  {
    id: 'cnode-index-off-by-one',
    breaks: 'a capability pointer names a slot inside the CNode, never the word after it',
    file: 'kernel/cap.c',
    original: 'if (index >= (1u << cnode->size_bits)) {',
    replacement: 'if (index > (1u << cnode->size_bits)) {',
    tests: [FUZZ],
  },
  // ---- devices
  {
    id: 'ioport-range-end-unchecked',
    breaks: 'an I/O access lies wholly inside the IOPort cap\'s range',
    file: 'kernel/device.c',
    original: 'if (port < c->obj || last > c->data)',
    replacement: 'if (port < c->obj || port > c->data)',
    tests: [IOPORTS],
  },
  {
    id: 'ioport-bind-kernel-ports',
    breaks: 'no thread can bind a range holding the kernel\'s own ports (PIC, PIT, COM1)',
    file: 'kernel/device.c',
    original: ' ||\n            range_has_kernel_port(s->cap.obj, s->cap.data))',
    replacement: ' ||\n            (range_has_kernel_port(s->cap.obj, s->cap.data) && 0))',
    tests: [IOPORTS],
  },
  {
    id: 'ioport-binding-outlives-cap',
    breaks: 'deleting an IOPort cap closes the ports bound from it',
    file: 'kernel/cap.c',
    original: 'if (s->cap.type == CAP_IO_PORT && !(s->cap.flags & CAP_FLAG_IO_BINDING)) {',
    replacement: 'if (0) {',
    tests: [IOPORTS],
  },
  {
    id: 'irq-notification-without-write',
    breaks: 'an IRQ is bound only to a notification its handler may signal',
    file: 'kernel/device.c',
    original: 'if (n->cap.type != CAP_NOTIFICATION || !(n->cap.rights & TELOS_RIGHT_WRITE))',
    replacement: 'if (n->cap.type != CAP_NOTIFICATION)',
    tests: [RIGHTS],
  },
  {
    id: 'console-input-without-cap',
    breaks: 'only the holder of the COM1 input IRQ handler reads console input',
    file: 'kernel/syscall.c',
    original: 'if (device_cap(t, t->ctx.ebx, CAP_IRQ_HANDLER, TELOS_COM1_INPUT_IRQ, "not the COM1 input interrupt"))',
    replacement: 'if (t->ctx.ebx || 1)',
    tests: [FAULTS],
  },
  // ---- servers
  {
    id: 'mms-free-any-owner',
    breaks: 'MMS: only the badge that allocated a handle may free it',
    file: 'servers/mms.c',
    original: 'if (blocks[s].badge != badge) {',
    replacement: 'if (blocks[s].badge != badge && 0) {',
    tests: [MMS],
  },
  {
    id: 'mms-quota-unchecked',
    breaks: 'MMS: a badge allocates no more than its quota',
    file: 'servers/mms.c',
    original: 'if (!c || c->used > c->quota || bytes > c->quota - c->used) {',
    replacement: 'if (!c) {',
    tests: [MMS],
  },
  {
    id: 'mms-quota-set-by-anyone',
    breaks: 'MMS: only the root task sets quotas',
    file: 'servers/mms.c',
    original: 'TELOS_MSG_LENGTH(info) >= 2 && m.badge == BADGE_ROOT) {',
    replacement: 'TELOS_MSG_LENGTH(info) >= 2) {',
    tests: [MMS],
  },
  {
    id: 'block-range-off-by-one',
    breaks: 'block: a request stays inside its session\'s sectors',
    file: 'servers/block.c',
    original: 'if (lba >= s->sectors || count > s->sectors - lba)',
    replacement: 'if (lba >= s->sectors || count > s->sectors - lba + 1)',
    tests: [BLOCK],
  },
  {
    id: 'block-write-read-only',
    breaks: 'block: a read-only session is never written',
    file: 'servers/block.c',
    original: 'if (label == BLOCK_WRITE && !s->writable)',
    replacement: 'if (label == BLOCK_WRITE && !s->writable && 0)',
    tests: [BLOCK],
  },
  {
    id: 'vfs-grant-prefix',
    breaks: 'vfs: a grant of /a holds /a and what lies under it, not /ab',
    file: 'servers/vfs.c',
    original: "return !strncmp(path, dir, dir_len) && (path[dir_len] == 0 || path[dir_len] == '/');",
    replacement: 'return !strncmp(path, dir, dir_len);',
    tests: [VFS],
  },
  {
    id: 'vfs-read-only-grant-writable',
    breaks: 'vfs: nothing under a read-only grant changes',
    file: 'servers/vfs.c',
    original: 'return write && !g->rw ? VFS_EROFS : 0;',
    replacement: 'return write && !g->rw && 0 ? VFS_EROFS : 0;',
    tests: [VFS],
  },
  {
    id: 'vfs-session-widens-rights',
    breaks: 'vfs: a session made from another has at most its rights',
    file: 'servers/vfs.c',
    original: '            if (!holder->rw)\n                return VFS_EACCES;',
    replacement: '',
    tests: [VFS],
  },
  {
    id: 'ps-tx-any-badge',
    breaks: 'PS: a transaction belongs to the client badge that began it',
    file: 'servers/ps.c',
    original: 'txs[i].id == id && txs[i].badge == badge && id)',
    replacement: 'txs[i].id == id && (txs[i].badge == badge || 1) && id)',
    tests: [MALFORMED],
  },
  {
    id: 'ps-privileged-anyone',
    breaks: 'PS: privileged operations only from the root task and the bridge',
    file: 'servers/ps.c',
    original: 'static bool privileged(u32 badge) { return badge == BADGE_ROOT || badge == BADGE_BRIDGE; }',
    replacement: 'static bool privileged(u32 badge) { return badge || 1; }',
    tests: [MALFORMED],
  },
];

/** Edits no test catches, each with the reason: equivalent ones (another check always
 * refuses first) and known gaps. Kept apart so that the list above stays all-caught and
 * the reasoning stays reviewable: `npm run mutate -- --survivors` runs them and expects
 * them to survive (one a test now catches belongs in the list above). */
export const survivors: (Mutation & { why: string })[] = [
  {
    id: 'reply-to-caller-not-waiting',
    breaks: 'a reply reaches only a caller still waiting for it (single use, gone with its wait)',
    file: 'kernel/ipc.c',
    original: '    if (c->state != THREAD_BLOCKED_REPLY)\n        return;\n',
    replacement: '',
    tests: [REPLYCAP],
    why: 'a server holds a reply capability (t->caller) only while its caller is blocked on the reply: Reply, Suspend and a new receive all clear it, so the state check is never the one that refuses',
  },
  {
    id: 'ps-header-mac-unchecked',
    breaks: 'PS: recovery accepts only record headers sealed with the disk\'s key',
    file: 'servers/ps.c',
    original: '&& rd32(h + 8) == ps.sb.epoch && rd64(h + 32) == mac(h, 32);',
    replacement: '&& rd32(h + 8) == ps.sb.epoch;',
    tests: [{ file: 'tests/kernel/ps-faults.test.ts', name: "PS faults on 'v86' never recovers a record planted by a client" }],
    why: 'a transaction record counts only with the commit marker after it, which names the header\'s sector, repeats its MAC and is sealed itself, so a forged header finds no marker to match; checkpoint records have no marker, and no test plants a forged one there (a gap)',
  },
];
