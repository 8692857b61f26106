/* The root task: the first user thread. It owns every untyped byte, announces itself,
 * and runs the kernel test named by the boot command line (`test=NAME`), starting worker
 * processes in their own address spaces to do so. */
#include <telos/ps.h>
#include <telos/servers.h>
#include "user/telos.h"
#include "user/process.h"
#include "user/roles.h"
#include "lib/format.h"
#include "lib/string.h"

#define SCRATCH_VADDR 0x60000000u
#define WORKER_MODULE "worker"
#define PSDISK_TEXT_MAX 456

static const struct telos_bootinfo *const bi = (const void *)TELOS_BOOTINFO_VADDR;
static u32 next_slot;
static u32 untyped_index;
static u32 delegated_untyped = ~0u; /* given to the MMS: no longer ours */

static __attribute__((noreturn)) void fail(const char *what, u32 err)
{
    telos_printf("TelOS: root task: %s failed: %s\n", what, telos_error_name(err));
    telos_exit();
}

static void check(const char *what, u32 err)
{
    if (err)
        fail(what, err);
}

static u32 slot_alloc(void)
{
    if (next_slot >= bi->empty_last)
        fail("slot allocation", TELOS_ENOT_ENOUGH_MEMORY);
    return next_slot++;
}

/* Retypes one object from the first untyped with room for it. */
static u32 object_alloc(u32 type, u32 size_bits)
{
    u32 slot = slot_alloc();
    while (untyped_index < bi->untyped_count) {
        if (untyped_index == delegated_untyped) {
            untyped_index++;
            continue;
        }
        u32 err = TELOS_INVOKE(bi->untyped_first + untyped_index, TELOS_UNTYPED_RETYPE, type, size_bits,
                               TELOS_SLOT_CNODE, slot, 1);
        if (!err)
            return slot;
        if (err != TELOS_ENOT_ENOUGH_MEMORY)
            fail("retype", err);
        untyped_index++;
    }
    fail("object allocation", TELOS_ENOT_ENOUGH_MEMORY);
}

static void copy_cap(u32 dest_cnode, u32 dest_index, u32 src, u32 rights)
{
    check("CNode copy", TELOS_INVOKE(dest_cnode, TELOS_CNODE_COPY, dest_index, TELOS_SLOT_CNODE, src, rights));
}

static u32 mint_cap(u32 src, u32 rights, u32 badge)
{
    u32 slot = slot_alloc();
    check("CNode mint", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_MINT, slot, TELOS_SLOT_CNODE, src, rights, badge));
    return slot;
}

static u32 builder_alloc(u32 type, u32 size_bits, u32 *err)
{
    (void)err;
    return object_alloc(type, size_bits);
}

static const struct process_builder root_builder = {
    .alloc = builder_alloc, .own_cnode = TELOS_SLOT_CNODE, .own_vspace = TELOS_SLOT_VSPACE, .scratch_vaddr = SCRATCH_VADDR,
};

static const struct telos_module_desc *find_module(const char *name)
{
    for (u32 i = 0; i < bi->module_count; i++)
        if (!strcmp(bi->modules[i].name, name))
            return &bi->modules[i];
    fail("finding a program image", TELOS_EFAILED_LOOKUP);
}

/* Builds a process from an embedded program image; it runs at once when `start`. */
static struct process create_process(const char *module, const char *name, u32 role, u32 arg, u32 priority,
                                     u32 fault_ep, const struct cap_grant *caps, u32 ncaps, bool start)
{
    const struct telos_module_desc *mod = find_module(module);
    struct process p;
    check("building a process", process_build(&root_builder, (const u8 *)mod->vaddr, mod->size, name, role, arg,
                                              priority, fault_ep, caps, ncaps, start, &p));
    return p;
}

/* Starts a worker (the kernel tests' program) in a role. */
static struct process spawn(const char *name, u32 role, u32 arg, u32 priority, u32 fault_ep,
                            const struct cap_grant *caps, u32 ncaps)
{
    return create_process(WORKER_MODULE, name, role, arg, priority, fault_ep, caps, ncaps, true);
}

static u32 recv_label(u32 ep, struct telos_msg *m)
{
    memset(m, 0, sizeof *m);
    return TELOS_MSG_LABEL(telos_recv(ep, m));
}

/* --- the tests ------------------------------------------------------------------- */

static void test_ipc(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 done = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    struct cap_grant server_caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL } };
    spawn("echo-server", ROLE_ECHO_SERVER, 0, 100, 0, server_caps, 1);
    u32 badges[2] = { 0x11, 0x22 };
    for (u32 i = 0; i < 2; i++) {
        u32 badged = mint_cap(ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, badges[i]);
        struct cap_grant caps[] = { { badged, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL }, { done, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL } };
        /* Distinct priorities make the interleaving, and so the transcript, deterministic. */
        spawn(i ? "client-b" : "client-a", ROLE_CLIENT, badges[i], 91 - i, 0, caps, 2);
    }
    u32 passed = 0;
    for (u32 i = 0; i < 2; i++) {
        struct telos_msg m;
        recv_label(done, &m);
        passed += m.mr[0];
    }
    telos_printf("TelOS: ipc test %s: ping-pong with badges and reply caps\n", passed == 2 ? "passed" : "FAILED");
}

/* Reply capabilities are single-use, and die with their caller's wait. */
static void test_replycap(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 done = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    struct cap_grant caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL }, { done, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL } };
    struct telos_msg m;

    /* 1: the first Reply reaches the caller; a second one has nobody to go to. */
    spawn("caller-1", ROLE_CALL_ONCE, 1, 100, 0, caps, 2);
    recv_label(ep, &m);
    memset(&m, 0, sizeof m);
    telos_reply(TELOS_MSG_INFO(5, 0, 0), &m);
    telos_reply(TELOS_MSG_INFO(6, 0, 0), &m); /* the reply capability is spent: nothing happens */
    recv_label(done, &m);

    /* 2: a caller suspended while it waits: our reply capability dies with its wait. */
    struct process c2 = spawn("caller-2", ROLE_CALL_ONCE, 2, 100, 0, caps, 2);
    recv_label(ep, &m);
    check("suspend caller", TELOS_INVOKE0(c2.tcb, TELOS_TCB_SUSPEND));
    memset(&m, 0, sizeof m);
    telos_reply(TELOS_MSG_INFO(7, 0, 0), &m); /* must not reach it */
    check("resume caller", TELOS_INVOKE0(c2.tcb, TELOS_TCB_RESUME));
    recv_label(done, &m);

    /* 3: receiving again discards an unused reply capability: the reply goes to the
     * newer caller and the older one is left waiting. */
    struct process c3 = spawn("caller-3", ROLE_CALL_ONCE, 3, 100, 0, caps, 2);
    spawn("caller-4", ROLE_CALL_ONCE, 4, 100, 0, caps, 2);
    recv_label(ep, &m); /* caller 3 */
    recv_label(ep, &m); /* caller 4: caller 3's reply capability is gone */
    memset(&m, 0, sizeof m);
    telos_reply(TELOS_MSG_INFO(8, 0, 0), &m);
    recv_label(done, &m);
    telos_printf("TelOS: replycap: reply went to caller %u\n", m.mr[0]);
    check("suspend caller 3", TELOS_INVOKE0(c3.tcb, TELOS_TCB_SUSPEND));
    telos_print("TelOS: replycap test finished\n");
}

static void test_transfer(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 ntfn = object_alloc(TELOS_OBJ_NOTIFICATION, 0);
    u32 badged_ntfn = mint_cap(ntfn, TELOS_RIGHTS_ALL, 0x5A);
    struct cap_grant caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL } };
    spawn("receiver", ROLE_CAP_RECEIVER, 0, 100, 0, caps, 1);

    /* Without Grant on our endpoint capability no capability travels. */
    u32 no_grant = mint_cap(ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, 0);
    telos_ipc->caps_or_badges[0] = badged_ntfn;
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    telos_call(no_grant, TELOS_MSG_INFO(1, 1, 0), &m);
    u32 without = m.mr[0];
    /* With Grant it does, and the receiver can use it at once. */
    telos_ipc->caps_or_badges[0] = badged_ntfn;
    memset(&m, 0, sizeof m);
    telos_call(ep, TELOS_MSG_INFO(1, 1, 0), &m);
    u32 with = m.mr[0];
    struct telos_msg s;
    memset(&s, 0, sizeof s);
    telos_recv(ntfn, &s);
    telos_printf("TelOS: capability transfer: without grant %u, with grant %u, notification badge %x\n", without, with,
                 s.badge);
    telos_printf("TelOS: transfer test %s\n", without == 0 && with == 1 && s.badge == 0x5A ? "passed" : "FAILED");
}

static u32 slot_is_empty(u32 slot)
{
    /* Copying from an empty slot fails with FailedLookup; from a full one it succeeds. */
    u32 probe = slot_alloc();
    u32 err = TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_COPY, probe, TELOS_SLOT_CNODE, slot, TELOS_RIGHTS_ALL);
    if (!err)
        TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_DELETE, probe);
    return err == TELOS_EFAILED_LOOKUP;
}

static void test_revoke(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 copy = slot_alloc();
    copy_cap(TELOS_SLOT_CNODE, copy, ep, TELOS_RIGHTS_ALL);
    u32 badged = slot_alloc();
    check("mint", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_MINT, badged, TELOS_SLOT_CNODE, copy, TELOS_RIGHTS_ALL, 0x77));
    struct cap_grant caps[] = { { badged, CHILD_SLOT_ARG0, TELOS_RIGHT_WRITE } };
    u32 fault_ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    struct process revokee = spawn("revokee", ROLE_REVOKEE, 0, 100, fault_ep, caps, 1);
    struct telos_msg m;
    recv_label(ep, &m); /* its sends arrive while we wait */
    telos_printf("TelOS: the revokee's minted copy works: message from badge %x\n", m.badge);
    check("revoke", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_REVOKE, ep));
    u32 gone = slot_is_empty(copy) + slot_is_empty(badged);
    telos_printf("TelOS: revoke removed derived capabilities: %u of 2 in our CNode, original %s\n", gone,
                 slot_is_empty(ep) ? "gone" : "kept");
    /* The revokee's copy went too: its next send is a capability fault, reported to us. */
    u32 label = recv_label(fault_ep, &m);
    telos_printf("TelOS: the other process's copy is gone too: its send raised fault %u on cptr %x\n", label, m.mr[0]);
    TELOS_INVOKE0(revokee.tcb, TELOS_TCB_SUSPEND);

    /* Revoking an untyped capability deletes everything made from it and frees it all. */
    u32 ut = object_alloc(TELOS_OBJ_UNTYPED, 16);
    u32 made = 0, again = 0;
    u32 first = next_slot;
    for (u32 i = 0; i < 32; i++)
        if (!TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_TCB, 0, TELOS_SLOT_CNODE, first + i, 1))
            made++;
    next_slot += 32;
    u32 err_full = TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_TCB, 0, TELOS_SLOT_CNODE, next_slot, 1);
    check("revoke untyped", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_REVOKE, ut));
    for (u32 i = 0; i < 32; i++)
        if (!TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_TCB, 0, TELOS_SLOT_CNODE, first + i, 1))
            again++;
    telos_printf("TelOS: untyped revoke: %u TCBs, then %s, revoked, then %u TCBs again\n", made,
                 telos_error_name(err_full), again);
    telos_printf("TelOS: revoke test %s\n",
                 gone == 2 && label == TELOS_FAULT_CAP && made == 32 && again == 32 ? "passed" : "FAILED");
}

/* Direct port access through the TSS I/O bitmap: a thread that bound its IOPort cap uses
 * the ports itself; one without the cap, or whose cap was deleted or revoked, gets #GP. */
static const char *port_outcome(u32 label, const struct telos_msg *m, u32 *gp)
{
    if (label == TELOS_FAULT_USER_EXCEPTION && m->mr[0] == 13) {
        (*gp)++;
        return "general protection fault";
    }
    return label == PORT_USER_REPORT && m->mr[1] == 0xD1D ? "did not fault" : "unexpected message";
}

static void test_ioports(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 ata = slot_alloc();
    check("ATA port range", TELOS_INVOKE(TELOS_SLOT_IO_PORTS, TELOS_IO_PORT_ISSUE, 0x1F0, 0x1F7, ata));
    u32 gp = 0, worked = 0;
    struct telos_msg m;

    /* No capability at all. */
    struct cap_grant none[] = { { ep, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL } };
    struct process p = spawn("no-ports", ROLE_PORT_USER, 0, 100, ep, none, 1);
    u32 label = recv_label(ep, &m);
    telos_printf("TelOS: ioports: a thread without the capability: %s\n", port_outcome(label, &m, &gp));
    TELOS_INVOKE0(p.tcb, TELOS_TCB_SUSPEND);

    /* The cap itself may not be bound when it covers a port the kernel keeps. */
    u32 err_kernel = TELOS_INVOKE(TELOS_SLOT_IO_PORTS, TELOS_IO_PORT_BIND, 0);

    /* Bound, then the thread's own copy deleted; bound, then our original revoked. */
    for (u32 how = 0; how < 2; how++) {
        struct cap_grant caps[] = { { ata, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL }, { ep, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL } };
        p = spawn(how ? "ports-revoked" : "ports-deleted", ROLE_PORT_USER, 1, 100, ep, caps, 2);
        label = recv_label(ep, &m);
        /* A report (not a fault) means the read went through; its value depends on the disk. */
        bool ok = label == PORT_USER_REPORT && m.mr[0] == TELOS_OK;
        worked += ok;
        telos_printf("TelOS: ioports: bound: %s\n", ok ? "reads the port directly" : "FAILED");
        if (how == 0)
            check("delete the thread's IOPort cap", TELOS_INVOKE(p.cnode, TELOS_CNODE_DELETE, CHILD_SLOT_ARG0));
        else
            check("revoke our IOPort cap", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_REVOKE, ata));
        telos_reply(TELOS_MSG_INFO(0, 0, 0), &m);
        label = recv_label(ep, &m);
        telos_printf("TelOS: ioports: after the capability was %s: %s\n", how ? "revoked" : "deleted",
                     port_outcome(label, &m, &gp));
        TELOS_INVOKE0(p.tcb, TELOS_TCB_SUSPEND);
    }
    telos_printf("TelOS: ioports: binding a range with kernel ports: %s\n", telos_error_name(err_kernel));
    telos_printf("TelOS: ioports test %s\n", gp == 3 && worked == 2 && err_kernel == TELOS_ERANGE ? "passed" : "FAILED");
}

/* Whether an untyped capability's memory is whole again (nothing made from it is left):
 * only then does one object as large as the untyped itself fit. */
static bool untyped_whole(u32 ut, u32 bits)
{
    u32 probe = slot_alloc();
    u32 err = TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_UNTYPED, bits, TELOS_SLOT_CNODE, probe, 1);
    if (!err)
        check("delete probe", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_DELETE, probe));
    return err == TELOS_OK;
}

#define GC_CHAIN 40

/* Deleting CNodes frees what they hold: one holding a capability to itself, and a chain
 * of CNodes each holding the only capability to the next, far deeper than any recursion
 * the kernel stack would allow. */
static void test_cnode_gc(void)
{
    u32 ut = object_alloc(TELOS_OBJ_UNTYPED, 12);
    u32 c = slot_alloc(), e = slot_alloc();
    check("retype CNode", TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_CNODE, 2, TELOS_SLOT_CNODE, c, 1));
    check("retype endpoint", TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_ENDPOINT, 0, TELOS_SLOT_CNODE, e, 1));
    copy_cap(c, 0, c, TELOS_RIGHTS_ALL);
    check("move endpoint", TELOS_INVOKE(c, TELOS_CNODE_MOVE, 1, TELOS_SLOT_CNODE, e));
    bool busy = !untyped_whole(ut, 12);
    check("delete CNode", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_DELETE, c));
    bool self_ok = busy && untyped_whole(ut, 12);
    telos_printf("TelOS: cnode-gc: a CNode holding a capability to itself: memory %s after its last outside cap went\n",
                 self_ok ? "whole again" : "STILL IN USE");

    u32 ut2 = object_alloc(TELOS_OBJ_UNTYPED, 13);
    u32 chain[GC_CHAIN];
    for (u32 i = 0; i < GC_CHAIN; i++) {
        chain[i] = slot_alloc();
        check("retype chain CNode", TELOS_INVOKE(ut2, TELOS_UNTYPED_RETYPE, TELOS_OBJ_CNODE, 1, TELOS_SLOT_CNODE, chain[i], 1));
    }
    for (u32 i = GC_CHAIN - 1; i-- > 0;)
        check("move link", TELOS_INVOKE(chain[i], TELOS_CNODE_MOVE, 0, TELOS_SLOT_CNODE, chain[i + 1]));
    /* The deepest one also holds an endpoint and a capability to itself. */
    u32 last = slot_alloc(), ep = slot_alloc();
    check("retype endpoint", TELOS_INVOKE(ut2, TELOS_UNTYPED_RETYPE, TELOS_OBJ_ENDPOINT, 0, TELOS_SLOT_CNODE, ep, 1));
    /* Reach the deepest CNode by walking the chain: copy slot 0 of each in turn. */
    check("first link", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_COPY, last, chain[0], 0, TELOS_RIGHTS_ALL));
    for (u32 i = 1; i + 1 < GC_CHAIN; i++) {
        u32 next = slot_alloc();
        check("walk link", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_COPY, next, last, 0, TELOS_RIGHTS_ALL));
        check("drop walked link", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_DELETE, last));
        last = next;
    }
    check("self cap at the bottom", TELOS_INVOKE(last, TELOS_CNODE_COPY, 0, TELOS_SLOT_CNODE, last, TELOS_RIGHTS_ALL));
    check("endpoint at the bottom", TELOS_INVOKE(last, TELOS_CNODE_MOVE, 1, TELOS_SLOT_CNODE, ep));
    check("drop our bottom cap", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_DELETE, last));
    busy = !untyped_whole(ut2, 13);
    check("delete chain", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_DELETE, chain[0]));
    bool chain_ok = busy && untyped_whole(ut2, 13);
    telos_printf("TelOS: cnode-gc: a chain of %u CNodes: memory %s after deleting the first\n", GC_CHAIN,
                 chain_ok ? "whole again" : "STILL IN USE");
    telos_printf("TelOS: cnode-gc test %s\n", self_ok && chain_ok ? "passed" : "FAILED");
}

static void test_exhaust(void)
{
    u32 ut = object_alloc(TELOS_OBJ_UNTYPED, 14); /* 16 KiB: room for eight 2 KiB TCBs */
    u32 made = 0, err = 0;
    for (u32 i = 0; i < 64 && !err; i++) {
        u32 slot = slot_alloc();
        err = TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_TCB, 0, TELOS_SLOT_CNODE, slot, 1);
        if (!err)
            made++;
    }
    telos_printf("TelOS: untyped exhausted after %u TCBs: %s\n", made, telos_error_name(err));
    u32 big = TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_CNODE, 12, TELOS_SLOT_CNODE, slot_alloc(), 1);
    u32 occupied = TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_ENDPOINT, 0, TELOS_SLOT_CNODE, TELOS_SLOT_TCB, 1);
    u32 bad_type = TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, 99, 0, TELOS_SLOT_CNODE, slot_alloc(), 1);
    telos_printf("TelOS: oversized object: %s; occupied slot: %s; bad type: %s\n", telos_error_name(big),
                 telos_error_name(occupied), telos_error_name(bad_type));
    /* The kernel is unharmed: ordinary work goes on. */
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    telos_printf("TelOS: exhaust test %s\n", made == 8 && err == TELOS_ENOT_ENOUGH_MEMORY && big == TELOS_ENOT_ENOUGH_MEMORY &&
                 occupied == TELOS_EDELETE_FIRST && bad_type == TELOS_EINVALID_ARGUMENT && ep ? "passed" : "FAILED");
}

static const char *const fault_names[FAULT_KIND_COUNT + 1] = {
    "", "page-fault", "gen-protection", "invalid-opcode", "divide-error",
    "bad-syscall", "empty-cap", "wrong-rights", "forged-cptr",
};

static void test_faults(void)
{
    u32 ticks = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    struct cap_grant ticker_caps[] = { { ticks, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL } };
    spawn("ticker", ROLE_TICKER, 0, 50, 0, ticker_caps, 1);
    struct telos_msg m;
    recv_label(ticks, &m);
    for (u32 kind = 1; kind <= FAULT_KIND_COUNT; kind++) {
        /* Read-only endpoint capability: sending on it is the wrong-rights fault. */
        struct cap_grant caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHT_READ } };
        spawn(fault_names[kind], ROLE_FAULT, kind, 100, 0, caps, 1);
        recv_label(ticks, &m);
        telos_printf("TelOS: after %s fault the system still runs (tick %u)\n", fault_names[kind], m.mr[0]);
    }

    /* With a fault endpoint the fault becomes a message to a handler (us). */
    u32 fault_ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 badged = mint_cap(fault_ep, TELOS_RIGHTS_ALL, 0xF1);
    struct process p = spawn("handled-fault", ROLE_FAULT, FAULT_PAGE, 100, badged, NULL, 0);
    u32 label = recv_label(fault_ep, &m);
    telos_printf("TelOS: fault handler got label %u from badge %x: address %x eip %x\n", label, m.badge, m.mr[0], m.mr[1]);
    check("suspend faulted thread", TELOS_INVOKE0(p.tcb, TELOS_TCB_SUSPEND));
    recv_label(ticks, &m);
    telos_printf("TelOS: faults test %s (tick %u)\n", label == TELOS_FAULT_VM && m.badge == 0 ? "passed" : "FAILED",
                 m.mr[0]);
}

static void test_hostile(void)
{
    u32 sup = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 fault_cap = mint_cap(sup, TELOS_RIGHTS_ALL, BADGE_HOSTILE_FAULT);
    u32 report_cap = mint_cap(sup, TELOS_RIGHTS_ALL, BADGE_HOSTILE_REPORT);
    u32 dog_cap = mint_cap(sup, TELOS_RIGHT_WRITE, BADGE_WATCHDOG);
    u32 toy_ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 toy_ntfn = object_alloc(TELOS_OBJ_NOTIFICATION, 0);
    struct cap_grant caps[] = {
        { report_cap, CHILD_SLOT_REPORT, TELOS_RIGHTS_ALL },
        { toy_ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL },
        { toy_ntfn, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL },
    };
    u32 seed = 1;
    struct process h = spawn("hostile", ROLE_HOSTILE, seed, 80, fault_cap, caps, 3);
    /* A little untyped memory of its own to play with. */
    u32 ut = object_alloc(TELOS_OBJ_UNTYPED, 16);
    TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_UNTYPED, 15, h.cnode, CHILD_SLOT_ARG2, 1);
    struct cap_grant dog_caps[] = { { dog_cap, CHILD_SLOT_ARG0, TELOS_RIGHT_WRITE } };
    spawn("watchdog", ROLE_WATCHDOG, 0, 80, 0, dog_caps, 1);

    u32 syscalls = 0, faults = 0, restarts = 0, silences = 0, resumed = 0;
    u32 last_report = 0;
    while (syscalls < 20000 && silences < 200) {
        struct telos_msg m;
        u32 label = recv_label(sup, &m);
        bool restart = false;
        if (m.badge == BADGE_HOSTILE_REPORT) {
            syscalls += m.mr[0] - last_report;
            last_report = m.mr[0];
            telos_reply(0, &m);
            continue;
        }
        if (m.badge == BADGE_HOSTILE_FAULT) {
            faults++;
            if (label == TELOS_FAULT_CAP || label == TELOS_FAULT_UNKNOWN_SYSCALL) {
                resumed++;
                telos_reply(0, &m); /* carry on after the failed syscall */
                continue;
            }
            restart = true;
        } else if (m.badge == BADGE_WATCHDOG) {
            silences++;
            restart = true;
        }
        if (restart) {
            restarts++;
            last_report = 0; /* the restarted program counts from zero again */
            seed++;
            TELOS_INVOKE0(h.tcb, TELOS_TCB_SUSPEND);
            TELOS_INVOKE(h.tcb, TELOS_TCB_CONFIGURE, fault_cap, h.cnode, h.pd, CHILD_IPC_BUFFER, h.ipc_frame);
            TELOS_INVOKE(h.tcb, TELOS_TCB_SET_PRIORITY, 80);
            TELOS_INVOKE(h.tcb, TELOS_TCB_WRITE_REGISTERS, h.entry, CHILD_STACK_TOP, ROLE_HOSTILE, seed, CHILD_IPC_BUFFER);
            TELOS_INVOKE0(h.tcb, TELOS_TCB_RESUME);
        }
    }
    TELOS_INVOKE0(h.tcb, TELOS_TCB_SUSPEND);
    telos_printf("TelOS: hostile program: %u random syscalls, %u faults (%u resumed), %u restarts, %u stalls\n",
                 syscalls, faults, resumed, restarts, silences);
    /* Proof of life after the storm: a fresh IPC round trip between new processes. */
    test_ipc();
    telos_printf("TelOS: hostile test passed: the kernel survived\n");
}

static void test_bench(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 done = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    struct cap_grant server_caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL } };
    spawn("bench-server", ROLE_BENCH_SERVER, 0, 100, 0, server_caps, 1);
    struct cap_grant client_caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL }, { done, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL } };
    spawn("bench-client", ROLE_BENCH_CLIENT, 0, 100, 0, client_caps, 2);
    struct telos_msg m;
    recv_label(done, &m);
}


/* --- the Persistence Server and the boot of the primordial servers --------------- */

static u32 ps_ep, ps_raw_ep;

static u32 ps_call(u32 label, u32 argc, const u32 *argv, u32 *reply, u32 *reply_len)
{
    return telos_call_words(ps_ep, label, argc, argv, reply, reply_len);
}

static u32 ps_begin(void)
{
    u32 r[4];
    check("PS begin", ps_call(PS_BEGIN, 0, NULL, r, NULL) ? TELOS_EILLEGAL_OPERATION : 0);
    return r[0];
}

/* A batch of objects for one Put message. */
struct ps_batch {
    u32 words[TELOS_MAX_MRS];
    u32 len, count;
};

static void batch_start(struct ps_batch *b, u32 tx)
{
    b->words[0] = tx;
    b->len = 2;
    b->count = 0;
}

static void batch_add(struct ps_batch *b, u32 oid, const char *text)
{
    u32 n = strlen(text);
    b->words[b->len] = oid;
    b->words[b->len + 1] = n;
    memset(&b->words[b->len + 2], 0, (n + 3) & ~3u);
    memcpy(&b->words[b->len + 2], text, n);
    b->len += 2 + (n + 3) / 4;
    b->count++;
}

static u32 batch_put(struct ps_batch *b)
{
    b->words[1] = b->count;
    return ps_call(PS_PUT, b->len, b->words, NULL, NULL);
}

static u32 ps_commit(u32 tx, u32 *tid)
{
    u32 r[4];
    u32 err = ps_call(PS_COMMIT, 1, &tx, r, NULL);
    if (tid)
        *tid = r[0];
    return err;
}

static bool ps_get(u32 oid, char *out, u32 size)
{
    u32 r[TELOS_MAX_MRS], n;
    if (ps_call(PS_GET, 1, &oid, r, &n) != PS_OK)
        return false;
    u32 len = r[0] < size - 1 ? r[0] : size - 1;
    memcpy(out, &r[1], len);
    out[len] = 0;
    return true;
}

static void ps_stat(u32 *objects, u32 *last_tid, u32 *log_end, u32 *generation)
{
    u32 r[4] = { 0, 0, 0, 0 };
    ps_call(PS_STAT, 0, NULL, r, NULL);
    *objects = r[0];
    *last_tid = r[1];
    *log_end = r[2];
    *generation = r[3];
}

static void start_ps(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 ata = slot_alloc();
    check("ATA port range", TELOS_INVOKE(TELOS_SLOT_IO_PORTS, TELOS_IO_PORT_ISSUE, 0x1F0, 0x1F7, ata));
    u32 ata_control = slot_alloc();
    check("ATA control port", TELOS_INVOKE(TELOS_SLOT_IO_PORTS, TELOS_IO_PORT_ISSUE, 0x3F6, 0x3F7, ata_control));
    struct cap_grant caps[] = {
        { ata, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL },
        { ata_control, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL },
        { ep, CHILD_SLOT_ARG2, TELOS_RIGHTS_ALL },
    };
    create_process("ps", "ps", 0, 0, 200, 0, caps, 3, true);
    ps_raw_ep = ep;
    ps_ep = mint_cap(ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_ROOT);
    telos_print("TelOS: root task: started the Persistence Server\n");
}

static u32 mms_ep, pms_ep, pms_raw_ep;

static void start_mms(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    /* The largest untyped region goes to the MMS: a move, so it is no longer ours. */
    u32 largest = 0;
    for (u32 i = 1; i < bi->untyped_count; i++)
        if (bi->untyped[i].size_bits > bi->untyped[largest].size_bits && i != untyped_index)
            largest = i;
    u32 bits = bi->untyped[largest].size_bits;
    struct cap_grant caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL } };
    struct process p = create_process("mms", "mms", 0, bits, 190, 0, caps, 1, false);
    check("delegating untyped memory",
          TELOS_INVOKE(p.cnode, TELOS_CNODE_MOVE, CHILD_SLOT_ARG3, TELOS_SLOT_CNODE, bi->untyped_first + largest));
    delegated_untyped = largest;
    telos_print("TelOS: root task: started the Memory Management Server\n");
    telos_printf("TelOS: root task: delegated untyped memory (%u KiB) to the MMS\n", (1u << bits) >> 10);
    check("MMS resume", TELOS_INVOKE0(p.tcb, TELOS_TCB_RESUME));
    mms_ep = ep;
}

static void start_pms(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    /* The PS and the MMS know the PMS by its badge; the MMS cap has Grant so that
     * allocated objects come back to the PMS as capabilities. */
    struct cap_grant caps[] = {
        { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL },
        { mint_cap(ps_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_PMS), CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL },
        { mint_cap(mms_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT, BADGE_PMS), CHILD_SLOT_ARG2, TELOS_RIGHTS_ALL },
    };
    create_process("pms", "pms", 0, 0, 180, 0, caps, 3, true);
    pms_raw_ep = ep;
    pms_ep = mint_cap(ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_ROOT);
    telos_print("TelOS: root task: started the Process Management Server\n");
}

#define OID_TEST_PROC 10
#define OID_TEST_PROC_IMAGE 20

static const struct { u32 oid; const char *text; } genesis[] = {
    { 1, "name=BaseObject\nkind=prototype\n" },
    { 2, "name=Process\nparent=1\nkind=prototype\nslots=tcbCap,cspaceCap,vspaceCap\n" },
    { 3, "name=Server\nparent=2\nkind=prototype\nslots=endpointCap\n" },
    { 4, "name=PS\nparent=3\nkind=server\ntraits=Callable,Transactional\n" },
    { 5, "name=MMS\nparent=3\nkind=server\ntraits=Callable,Transactional\n" },
    { 6, "name=PMS\nparent=3\nkind=server\ntraits=Callable,Transactional\n" },
};

static void batch_add_bytes(struct ps_batch *b, u32 oid, const void *bytes, u32 n)
{
    b->words[b->len] = oid;
    b->words[b->len + 1] = n;
    memset(&b->words[b->len + 2], 0, (n + 3) & ~3u);
    memcpy(&b->words[b->len + 2], bytes, n);
    b->len += 2 + (n + 3) / 4;
    b->count++;
}

/* Genesis: the primordial objects and test_proc's program image, in one transaction. */
static bool genesis_commit(void)
{
    u32 tx = ps_begin();
    struct ps_batch b;
    batch_start(&b, tx);
    for (u32 i = 0; i < sizeof genesis / sizeof genesis[0]; i++)
        batch_add(&b, genesis[i].oid, genesis[i].text);
    const struct telos_module_desc *mod = find_module("test_proc");
    u32 chunks = (mod->size + IMAGE_CHUNK - 1) / IMAGE_CHUNK;
    char text[96];
    format_to(text, sizeof text, "name=test_proc\nkind=image\nsize=%u\nchunks=%u-%u\n", mod->size,
              OID_TEST_PROC_IMAGE + 1, OID_TEST_PROC_IMAGE + chunks);
    batch_add(&b, OID_TEST_PROC_IMAGE, text);
    if (batch_put(&b) != PS_OK)
        return false;
    u32 objects = b.count;
    for (u32 c = 0; c < chunks; c++) {
        batch_start(&b, tx);
        u32 at = c * IMAGE_CHUNK, n = mod->size - at < IMAGE_CHUNK ? mod->size - at : IMAGE_CHUNK;
        batch_add_bytes(&b, OID_TEST_PROC_IMAGE + 1 + c, (const u8 *)mod->vaddr + at, n);
        if (batch_put(&b) != PS_OK)
            return false;
        objects++;
    }
    u32 tid = 0;
    if (ps_commit(tx, &tid) != PS_OK)
        return false;
    telos_printf("TelOS: genesis: %u objects (6 kernel objects, test_proc's image in %u chunks) committed in transaction %u\n",
                 objects, chunks, tid);
    return true;
}

static u32 pms_create(u32 image_oid, u32 caps_oid, u32 process_oid)
{
    struct telos_msg m = { { image_oid, caps_oid, process_oid }, 0 };
    u32 info = telos_call(pms_ep, TELOS_MSG_INFO(PMS_CREATE_PROCESS, 0, 3), &m);
    return TELOS_MSG_LABEL(info);
}

static void pms_create_test_proc(void)
{
    telos_print("TelOS: root task: asking the PMS to create test_proc\n");
    u32 err = pms_create(OID_TEST_PROC_IMAGE, 0, OID_TEST_PROC);
    if (err)
        telos_printf("TelOS: root task: CreateProcess failed: %s\n", telos_error_name(err));
}

/* A Call with a label the server does not know: answered once it is serving. */
static void wait_until_serving(u32 ep)
{
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    telos_call(ep, TELOS_MSG_INFO(0xFFFF, 0, 0), &m);
}

static void start_servers(void)
{
    start_ps();
    wait_until_serving(ps_ep);
    start_mms();
    wait_until_serving(mint_cap(mms_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_ROOT));
    start_pms();
    wait_until_serving(pms_ep);
}

/* The persistence blueprint's first benchmark: transactions of 1, 16 and 256 objects of
 * 64 B and 4 KiB. The host times the spans between the markers. */
static void test_ps_bench(void)
{
    start_ps();
    wait_until_serving(ps_ep);
    static const u32 sizes[2] = { 64, 4096 }, batches[3] = { 1, 16, 256 };
    static const u32 txs[2][3] = { { 40, 10, 4 }, { 20, 4, 2 } };
    static u8 data[4096];
    for (u32 i = 0; i < sizeof data; i++)
        data[i] = (u8)(i * 7 + 1);
    /* Two passes: the first warms caches and v86's JIT, only the second is measured. */
    for (u32 pass = 0; pass < 2; pass++)
    for (u32 si = 0; si < 2; si++) {
        for (u32 bi_ = 0; bi_ < 3; bi_++) {
            u32 size = sizes[si], batch = batches[bi_], oid_base = 5000 + si * 1000;
            if (pass)
                telos_printf("TelOS: ps-bench: size=%u batch=%u start\n", size, batch);
            u64 t0 = telos_rdtsc();
            for (u32 t = 0; t < txs[si][bi_]; t++) {
                u32 tx = ps_begin();
                if (size <= 64) {
                    struct ps_batch b;
                    batch_start(&b, tx);
                    for (u32 i = 0; i < batch; i++) {
                        batch_add_bytes(&b, oid_base + i, data, size);
                        if (b.count == 6 || i + 1 == batch) {
                            check("bench put", batch_put(&b) ? TELOS_EILLEGAL_OPERATION : 0);
                            batch_start(&b, tx);
                        }
                    }
                } else {
                    for (u32 i = 0; i < batch; i++)
                        for (u32 off = 0; off < size; off += 460) {
                            u32 n = size - off < 460 ? size - off : 460;
                            u32 w[5 + 115];
                            w[0] = tx;
                            w[1] = oid_base + i;
                            w[2] = size;
                            w[3] = off;
                            w[4] = n;
                            memcpy(&w[5], data + off, n);
                            check("bench put part", ps_call(PS_PUT_PART, 5 + (n + 3) / 4, w, NULL, NULL) ? TELOS_EILLEGAL_OPERATION : 0);
                        }
                }
                u32 tid;
                check("bench commit", ps_commit(tx, &tid) ? TELOS_EILLEGAL_OPERATION : 0);
            }
            u64 t1 = telos_rdtsc();
            if (pass)
                telos_printf("TelOS: ps-bench: size=%u batch=%u end txs=%u tsc=%llu\n", size, batch, txs[si][bi_],
                             t1 - t0);
        }
    }
}

/* A CreateProcess that fails after the PMS has obtained memory leaves nothing behind. */
static void test_pms_abort(void)
{
    start_servers();
    if (!genesis_commit())
        return;
    u32 objects_before, tid_before, end, gen;
    ps_stat(&objects_before, &tid_before, &end, &gen);
    u32 err = pms_create(OID_TEST_PROC_IMAGE, 999 /* no such caps object */, 11);
    u32 objects_after, tid_after;
    ps_stat(&objects_after, &tid_after, &end, &gen);
    char text[PSDISK_TEXT_MAX];
    bool traced = ps_get(11, text, sizeof text) || objects_after != objects_before || tid_after != tid_before;
    telos_printf("TelOS: pms-abort: CreateProcess answered %s; %s\n", telos_error_name(err),
                 traced ? "a TRACE was left in the PS" : "no trace left in the PS");
    /* The objects went back to the MMS: creating processes still works, again and again. */
    u32 ok = 0;
    for (u32 i = 0; i < 3; i++)
        ok += pms_create(OID_TEST_PROC_IMAGE, 0, 12 + i) == 0;
    telos_printf("TelOS: pms-abort test %s (%u/3 processes created afterwards)\n",
                 err == TELOS_EFAILED_LOOKUP && !traced && ok == 3 ? "passed" : "FAILED", ok);
}

/* Malformed requests to each server: error replies, and the server goes on serving. */
static void test_malformed(void)
{
    start_servers();
    u32 mms_root = mint_cap(mms_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_ROOT);
    const struct { const char *name; u32 ep; } servers[] = { { "PS", ps_ep }, { "MMS", mms_root }, { "PMS", pms_ep } };
    u32 seed = 12345;
    for (u32 s = 0; s < 3; s++) {
        u32 errors = 0, sent = 0;
        for (u32 i = 0; i < 200; i++) {
            seed = seed * 1103515245u + 12345u;
            u32 label = (seed >> 8) % 12, len = (seed >> 4) % 40;
            struct telos_msg m = { { seed, seed >> 3, (seed >> 7) % 300 }, 0 };
            for (u32 k = 3; k < len; k++)
                telos_ipc->msg[k] = seed * k;
            if (s == 0 && label == PS_SHUTDOWN)
                label = PS_STAT; /* a well-formed shutdown would rightly stop the PS */
            if (s == 1 && label == MMS_ALLOC)
                label = MMS_FREE; /* random allocations would just succeed and use memory */
            if (s == 2 && label == PMS_CREATE_PROCESS)
                m.mr[0] = 100 + (seed % 50); /* no such image */
            u32 info = telos_call(servers[s].ep, TELOS_MSG_INFO(label, 0, len), &m);
            sent++;
            if (TELOS_MSG_LABEL(info))
                errors++;
        }
        telos_printf("TelOS: malformed: %s answered %u of %u garbage requests with errors\n", servers[s].name, errors, sent);
    }
    /* All three still serve real requests. */
    u32 objects, tid, end, gen;
    ps_stat(&objects, &tid, &end, &gen);
    bool ps_ok = genesis_commit();
    u32 pms_ok = pms_create(OID_TEST_PROC_IMAGE, 0, OID_TEST_PROC);
    telos_printf("TelOS: malformed test %s\n", ps_ok && pms_ok == 0 ? "passed" : "FAILED");
}

static void start_monitor(void)
{
    u32 irq = slot_alloc();
    check("COM1 input interrupt", TELOS_INVOKE(TELOS_SLOT_IRQ_CONTROL, TELOS_IRQ_CONTROL_GET, 4, irq));
    u32 ntfn = object_alloc(TELOS_OBJ_NOTIFICATION, 0);
    struct cap_grant caps[] = {
        { irq, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL },
        { ntfn, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL },
        { mint_cap(ps_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_MONITOR), CHILD_SLOT_ARG2, TELOS_RIGHTS_ALL },
        { mint_cap(pms_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_MONITOR), CHILD_SLOT_ARG3, TELOS_RIGHTS_ALL },
    };
    create_process("monitor", "monitor", 0, 0, 40, 0, caps, 4, true);
}

static void start_bridge(void)
{
    u32 com2 = slot_alloc();
    check("COM2 ports", TELOS_INVOKE(TELOS_SLOT_IO_PORTS, TELOS_IO_PORT_ISSUE, 0x2F8, 0x2FF, com2));
    u32 irq = slot_alloc();
    check("COM2 interrupt", TELOS_INVOKE(TELOS_SLOT_IRQ_CONTROL, TELOS_IRQ_CONTROL_GET, 3, irq));
    u32 ntfn = object_alloc(TELOS_OBJ_NOTIFICATION, 0);
    struct cap_grant caps[] = {
        { com2, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL },
        { irq, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL },
        { ntfn, CHILD_SLOT_ARG2, TELOS_RIGHTS_ALL },
        { mint_cap(ps_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_BRIDGE), CHILD_SLOT_ARG3, TELOS_RIGHTS_ALL },
        { mint_cap(pms_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_BRIDGE), CHILD_SLOT_ARG4, TELOS_RIGHTS_ALL },
    };
    create_process("bridge", "bridge", 0, 0, 45, 0, caps, 5, true);
}

static void boot_servers(void)
{
    start_servers();
    u32 objects, last_tid, log_end, generation;
    ps_stat(&objects, &last_tid, &log_end, &generation);
    char text[PSDISK_TEXT_MAX];
    if (ps_get(OID_TEST_PROC, text, sizeof text)) {
        telos_printf("TelOS: root task: found test_proc in the PS (%u objects, transaction %u, generation %u)\n",
                     objects, last_tid, generation);
        telos_print("TelOS: Persistence validation successful.\n");
    } else if (!genesis_commit()) {
        telos_print("TelOS: genesis failed\n");
        return;
    }
    pms_create_test_proc();
    start_bridge();
    start_monitor();
}

#define STRESS_OBJECTS 8

static void test_ps_stress(void)
{
    start_ps();
    u32 objects, last_tid, log_end, generation;
    ps_stat(&objects, &last_tid, &log_end, &generation);
    for (u32 k = last_tid + 1;; k++) {
        u32 tx = ps_begin();
        struct ps_batch b;
        batch_start(&b, tx);
        char text[48];
        for (u32 i = 0; i < STRESS_OBJECTS; i++) {
            format_to(text, sizeof text, "stress value=%u object=%u padding.........", k, i);
            batch_add(&b, 1000 + i, text);
        }
        u32 tid = 0;
        if (batch_put(&b) != PS_OK || ps_commit(tx, &tid) != PS_OK || tid != k) {
            telos_printf("TelOS: ps-stress: commit %u FAILED\n", k);
            return;
        }
        if (k % 10 == 0)
            telos_printf("TelOS: ps-stress: committed tid %u\n", k);
    }
}

static void test_ps_verify(void)
{
    start_ps();
    u32 objects, last_tid, log_end, generation;
    ps_stat(&objects, &last_tid, &log_end, &generation);
    u32 agree = 0;
    char text[PSDISK_TEXT_MAX], want[48];
    for (u32 i = 0; i < STRESS_OBJECTS; i++) {
        format_to(want, sizeof want, "stress value=%u object=%u padding.........", last_tid, i);
        if (ps_get(1000 + i, text, sizeof text) && !strcmp(text, want))
            agree++;
    }
    if (last_tid == 0 ? objects == 0 : agree == STRESS_OBJECTS)
        telos_printf("TelOS: PS verify: consistent at tid %u (%u objects)\n", last_tid, objects);
    else
        telos_printf("TelOS: PS verify: INCONSISTENT at tid %u: %u of %u objects agree\n", last_tid, agree, STRESS_OBJECTS);
}

static const char *cmdline_value(const char *key)
{
    const char *p = strstr(bi->cmdline, key);
    return p ? p + strlen(key) : NULL;
}

static bool test_is(const char *test, const char *name)
{
    usize n = strlen(name);
    return !strncmp(test, name, n) && (test[n] == 0 || test[n] == ' ');
}

int main(void)
{
    telos_print("TelOS: Root task alive and well.\n");
    next_slot = bi->empty_first;
    u32 pt = object_alloc(TELOS_OBJ_PAGE_TABLE, 0);
    check("scratch page table", TELOS_INVOKE(pt, TELOS_PAGE_TABLE_MAP, TELOS_SLOT_VSPACE, SCRATCH_VADDR));
    const char *test = cmdline_value("test=");
    if (!test) {
        boot_servers();
        telos_exit();
    }
    if (test_is(test, "boot")) {
        telos_printf("TelOS: root task: %u untyped regions, %u programs, nothing more to do\n", bi->untyped_count,
                     bi->module_count);
        telos_exit();
    }
    telos_printf("TelOS: running kernel test '%s'\n", test);
    if (test_is(test, "ipc"))
        test_ipc();
    else if (test_is(test, "transfer"))
        test_transfer();
    else if (test_is(test, "replycap"))
        test_replycap();
    else if (test_is(test, "revoke"))
        test_revoke();
    else if (test_is(test, "cnode-gc"))
        test_cnode_gc();
    else if (test_is(test, "ioports"))
        test_ioports();
    else if (test_is(test, "exhaust"))
        test_exhaust();
    else if (test_is(test, "faults"))
        test_faults();
    else if (test_is(test, "hostile"))
        test_hostile();
    else if (test_is(test, "bench"))
        test_bench();
    else if (test_is(test, "ps-stress"))
        test_ps_stress();
    else if (test_is(test, "ps-verify"))
        test_ps_verify();
    else if (test_is(test, "ps-bench"))
        test_ps_bench();
    else if (test_is(test, "pms-abort"))
        test_pms_abort();
    else if (test_is(test, "malformed"))
        test_malformed();
    else
        telos_printf("TelOS: unknown test '%s'\n", test);
    telos_print("TelOS: test finished\n");
    telos_exit();
}
