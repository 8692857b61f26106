/* Kernel tests of IPC: badged Call/ReplyRecv between address spaces and long messages
 * (ipc), single-use reply capabilities (replycap), capability transfer with Grant
 * (transfer). */
#include "user/ktest/ktest.h"
#include "lib/string.h"

/* Catches: badges lost or swapped, a reply reaching the wrong caller, words of a long
 * message lost between IPC buffers. */
bool ipc_ping_pong(void)
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
    return passed == 2;
}

void test_ipc(void)
{
    ipc_ping_pong();
}

/* Reply capabilities are single-use, and die with their caller's wait. */
void test_replycap(void)
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

    /* 4: a server that replied keeps no reply capability, even when its former caller is
     * waiting on another server: a second Reply must not reach it. The replier waits on a
     * notification (an endpoint receive would discard the capability anyway) while the
     * caller Calls us; then it replies again; then we answer the caller. */
    u32 ep2 = object_alloc(TELOS_OBJ_ENDPOINT, 0), go = object_alloc(TELOS_OBJ_NOTIFICATION, 0);
    u32 back = object_alloc(TELOS_OBJ_NOTIFICATION, 0);
    struct cap_grant replier_caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL }, { go, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL },
                                        { back, CHILD_SLOT_ARG2, TELOS_RIGHTS_ALL } };
    struct process r = spawn("replier", ROLE_TWICE_REPLIER, 0, 110, 0, replier_caps, 3);
    struct cap_grant twice_caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL }, { ep2, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL },
                                      { done, CHILD_SLOT_ARG2, TELOS_RIGHTS_ALL } };
    struct process c5 = spawn("caller-5", ROLE_CALL_TWICE, 0, 100, 0, twice_caps, 3);
    recv_label(ep2, &m);            /* its second Call: it waits for our reply */
    telos_send(go, 0, &m);          /* a signal: the replier's second Reply */
    telos_recv(back, &m);           /* a notification: our reply capability stays */
    memset(&m, 0, sizeof m);
    telos_reply(TELOS_MSG_INFO(11, 0, 0), &m);
    recv_label(done, &m);
    telos_printf("TelOS: replycap: a caller waiting on another server got reply label %u there (the first server's "
                 "second Reply went nowhere)\n", m.mr[1]);
    TELOS_INVOKE0(r.tcb, TELOS_TCB_SUSPEND);
    TELOS_INVOKE0(c5.tcb, TELOS_TCB_SUSPEND);
    telos_print("TelOS: replycap test finished\n");
}

void test_transfer(void)
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
    /* Catches: a Mint that changes the badge of a badged capability (a badge is set once),
     * which would let a client speak to a server under another client's name. */
    u32 other = TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_MINT, slot_alloc(), TELOS_SLOT_CNODE, badged_ntfn,
                             TELOS_RIGHTS_ALL, 0x5B);
    u32 own = TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_MINT, slot_alloc(), TELOS_SLOT_CNODE, badged_ntfn,
                           TELOS_RIGHTS_ALL, 0x5A);
    telos_printf("TelOS: minting the badged capability again: with another badge %s, with its own %s\n",
                 telos_error_name(other), telos_error_name(own));
    bool badge_once = other == TELOS_EILLEGAL_OPERATION && own == TELOS_OK;
    telos_printf("TelOS: transfer test %s\n",
                 without == 0 && with == 1 && s.badge == 0x5A && badge_once ? "passed" : "FAILED");
}
