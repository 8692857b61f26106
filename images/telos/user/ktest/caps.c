/* Kernel tests of capabilities and memory: revoke (derived capabilities everywhere, and
 * untyped memory made whole again), CNode clean-up (cnode-gc), untyped exhaustion. */
#include "user/ktest/ktest.h"

/* Catches: a send queued by a client before its badged capability was revoked (or its
 * last capability with that badge deleted) still delivered with the old badge; seL4
 * cancels badged sends. The cancelled sender restarts its Send, finds its capability
 * gone and faults: the fault message arrives on the same endpoint (badge fa). */
static bool queued_send_cancelled(bool by_revoke)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0), gate = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 badge = by_revoke ? 0x99 : 0x98;
    u32 client_cap = mint_cap(ep, TELOS_RIGHT_WRITE, badge);
    u32 fault_cap = mint_cap(ep, TELOS_RIGHTS_ALL, 0xFA);
    struct cap_grant caps[] = { { client_cap, CHILD_SLOT_ARG0, TELOS_RIGHT_WRITE } };
    struct process c = spawn("queued-sender", ROLE_SENTINEL, 1, 100, fault_cap, caps, 1);
    /* A lower-priority sender on `gate` runs only once the client has blocked in its Send. */
    struct cap_grant gate_caps[] = { { gate, CHILD_SLOT_ARG0, TELOS_RIGHT_WRITE } };
    spawn("gate", ROLE_SENTINEL, 2, 90, 0, gate_caps, 1);
    struct telos_msg m;
    recv_label(gate, &m);
    if (by_revoke) {
        check("revoke the client's badge", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_REVOKE, client_cap));
    } else {
        check("delete the client's cap", TELOS_INVOKE(c.cnode, TELOS_CNODE_DELETE, CHILD_SLOT_ARG0));
        check("delete our cap", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_DELETE, client_cap));
    }
    u32 label = recv_label(ep, &m);
    telos_printf("TelOS: after %s, the endpoint delivered label %u from badge %x\n",
                 by_revoke ? "revoking a badge" : "deleting the last capability with a badge", label, m.badge);
    TELOS_INVOKE0(c.tcb, TELOS_TCB_SUSPEND);
    return label == TELOS_FAULT_CAP && m.badge == 0xFA;
}

void test_revoke(void)
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
    u32 first = slot_alloc_range(32);
    for (u32 i = 0; i < 32; i++)
        if (!TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_TCB, 0, TELOS_SLOT_CNODE, first + i, 1))
            made++;
    u32 err_full = TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_TCB, 0, TELOS_SLOT_CNODE, slot_alloc(), 1);
    check("revoke untyped", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_REVOKE, ut));
    for (u32 i = 0; i < 32; i++)
        if (!TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_TCB, 0, TELOS_SLOT_CNODE, first + i, 1))
            again++;
    telos_printf("TelOS: untyped revoke: %u TCBs, then %s, revoked, then %u TCBs again\n", made,
                 telos_error_name(err_full), again);
    bool cancelled = queued_send_cancelled(true);
    cancelled = queued_send_cancelled(false) && cancelled;
    telos_printf("TelOS: revoke test %s\n", gone == 2 && label == TELOS_FAULT_CAP && made == 32 && again == 32 && cancelled
                                               ? "passed" : "FAILED");
}

#define GC_CHAIN 40

/* Deleting CNodes frees what they hold: one holding a capability to itself, and a chain
 * of CNodes each holding the only capability to the next, far deeper than any recursion
 * the kernel stack would allow. */
void test_cnode_gc(void)
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

void test_exhaust(void)
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
