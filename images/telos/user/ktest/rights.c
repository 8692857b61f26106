/* Kernel test of capability rights on the IPC paths, fast and slow (rights): each check
 * names the broken kernel it catches. */
#include "user/ktest/ktest.h"
#include "lib/string.h"

static u32 failures;

static void expect(bool ok, const char *what)
{
    telos_printf("TelOS: rights: %s: %s\n", what, ok ? "ok" : "FAILED");
    failures += !ok;
}

/* Catches: a kernel that writes message words into a receiver's IPC buffer whose frame
 * capability is read-only (seL4 uses the buffer of a receiver only with a writable cap:
 * the message is cut to the registers). Checked for a reply and for a received message. */
static void read_only_buffer(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0), done = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    struct cap_grant caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL }, { done, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL } };
    struct process p = create_process(WORKER_MODULE, "ro-buffer", ROLE_RO_BUFFER, 0, 100, 0, caps, 2, false);
    u32 ro_frame = slot_alloc();
    copy_cap(TELOS_SLOT_CNODE, ro_frame, p.ipc_frame, TELOS_RIGHT_READ);
    check("read-only IPC buffer", TELOS_INVOKE(p.tcb, TELOS_TCB_CONFIGURE, 0, p.cnode, p.pd, CHILD_IPC_BUFFER, ro_frame));
    check("resume", TELOS_INVOKE0(p.tcb, TELOS_TCB_RESUME));
    struct telos_msg m;
    recv_label(ep, &m); /* its Call */
    for (u32 i = 3; i < 10; i++)
        telos_ipc->msg[i] = 0xDEAD0000u | i;
    m = (struct telos_msg){ { 1, 2, 3 }, 0 };
    telos_reply(TELOS_MSG_INFO(0, 0, 10), &m);
    m = (struct telos_msg){ { 1, 2, 3 }, 0 };
    telos_send(ep, TELOS_MSG_INFO(0, 0, 10), &m);
    recv_label(done, &m);
    u32 reply_len = m.mr[0] & 0xFF, recv_len = m.mr[0] >> 8, reply_marks = m.mr[1] & 0xFF, recv_marks = m.mr[1] >> 8;
    telos_printf("TelOS: rights: read-only IPC buffer: a 10-word reply arrived as %u words (%u of 10 buffer words "
                 "untouched), a 10-word message as %u words (%u of 10 untouched)\n",
                 reply_len, reply_marks, recv_len, recv_marks);
    expect(reply_len == 3 && recv_len == 3 && reply_marks == 10 && recv_marks == 10,
           "a receiver's read-only IPC buffer is never written");
}

/* Catches: a fast path that copies EDX/EDI/EBP whatever the message length (the slow path
 * copies `length` words), handing one thread's registers to another, in either direction. */
static void fast_path_length(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    struct cap_grant caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL } };
    /* As high as we are, so that our Calls and its ReplyRecvs take the fast path. */
    spawn("reg-server", ROLE_REG_SERVER, 0, TELOS_MAX_PRIORITY, 0, caps, 1);
    struct telos_msg warm = { { 0, 0, 0 }, 0 };
    telos_call(ep, TELOS_MSG_INFO(REG_COUNT, 0, 0), &warm); /* from now on it waits when we call */
    u32 ok = 0;
    for (u32 len = 0; len <= 3; len++) {
        struct telos_msg m = { { 0xAAAA0000u, 0xAAAA0001u, 0xAAAA0002u }, 0 };
        u32 info = telos_call(ep, TELOS_MSG_INFO(REG_ECHO, 0, len), &m);
        u32 got[3] = { m.mr[1], m.mr[2], telos_ipc->msg[3] };
        bool good = TELOS_MSG_LENGTH(info) == 4 && m.mr[0] == len;
        for (u32 i = 0; i < 3; i++)
            good = good && got[i] == (i < len ? 0xAAAA0000u + i : REG_SENTINEL(i));
        if (!good)
            telos_printf("TelOS: rights: a %u-word Call reached the server as %x %x %x\n", len, got[0], got[1], got[2]);
        ok += good;
    }
    expect(ok == 4, "a Call of n words hands the server n registers, the rest stay its own");
    struct telos_msg m = { { 0xAAAA0000u, 0xAAAA0001u, 0xAAAA0002u }, 0 };
    u32 info = telos_call(ep, TELOS_MSG_INFO(REG_EMPTY, 0, 3), &m);
    bool good = TELOS_MSG_LENGTH(info) == 0 && m.mr[0] == 0xAAAA0000u && m.mr[1] == 0xAAAA0001u && m.mr[2] == 0xAAAA0002u;
    if (!good)
        telos_printf("TelOS: rights: an empty reply left %x %x %x in our registers\n", m.mr[0], m.mr[1], m.mr[2]);
    expect(good, "an empty reply hands the caller none of the server's registers");
}

/* Catches: a fast path that skips the rights checks the slow path makes, which only shows
 * when a receiver is already waiting: a Call without Write must fault; a Call without
 * Grant or GrantReply is delivered but leaves the caller without a reply (seL4); a
 * ReplyRecv without Read must fault once the reply is sent. */
static void fast_path_rights(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0), report = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 fault_ep = mint_cap(report, TELOS_RIGHTS_ALL, 0xFA);
    u32 sentinel_cap = mint_cap(report, TELOS_RIGHT_WRITE, 0x5E);
    struct cap_grant server_caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL } };
    spawn("reg-server", ROLE_REG_SERVER, 0, 120, 0, server_caps, 1);
    struct telos_msg m;

    /* No Write: the server waits at a priority the caller may switch to directly. */
    struct cap_grant no_write[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHT_READ | TELOS_RIGHT_GRANT_REPLY },
                                    { report, CHILD_SLOT_ARG1, TELOS_RIGHT_WRITE } };
    struct process c = spawn("no-write", ROLE_CALLER, 1, 110, fault_ep, no_write, 2);
    u32 label = recv_label(report, &m);
    expect(label == TELOS_FAULT_CAP && m.badge == 0xFA && m.mr[2] == TELOS_EILLEGAL_OPERATION,
           "a Call without Write to a waiting receiver is a capability fault");
    TELOS_INVOKE0(c.tcb, TELOS_TCB_SUSPEND);

    /* Write only: delivered, but no reply capability; the server's reply goes nowhere. */
    struct cap_grant write_only[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHT_WRITE },
                                      { report, CHILD_SLOT_ARG1, TELOS_RIGHT_WRITE } };
    spawn("no-grant", ROLE_CALLER, 2, 110, fault_ep, write_only, 2);
    /* A lower-priority sentinel reports after anything the caller would (wrongly) send. */
    struct cap_grant sentinel_caps[] = { { sentinel_cap, CHILD_SLOT_ARG0, TELOS_RIGHT_WRITE } };
    spawn("sentinel", ROLE_SENTINEL, 2, 50, 0, sentinel_caps, 1);
    label = recv_label(report, &m);
    expect(label == SENTINEL_LABEL && m.badge == 0x5E, "a Call without Grant or GrantReply gets no reply");
    if (label != SENTINEL_LABEL)
        recv_label(report, &m);
    m = (struct telos_msg){ { 0, 0, 0 }, 0 };
    telos_call(ep, TELOS_MSG_INFO(REG_COUNT, 0, 0), &m);
    expect(m.mr[0] == 2, "the server received the Call with Write only, not the one without Write");

    /* No Read on the ReplyRecv: we call at the top priority so the reply may go fast. */
    u32 write_cap = slot_alloc();
    copy_cap(TELOS_SLOT_CNODE, write_cap, ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY);
    u32 ep2 = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 ep2_write = slot_alloc();
    copy_cap(TELOS_SLOT_CNODE, ep2_write, ep2, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY);
    struct cap_grant noread_caps[] = { { ep2, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL }, { ep2_write, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL } };
    spawn("noread-server", ROLE_NOREAD_SERVER, 0, 100, fault_ep, noread_caps, 2);
    spawn("sentinel", ROLE_SENTINEL, 3, 50, 0, sentinel_caps, 1);
    m = (struct telos_msg){ { 0, 0, 0 }, 0 };
    label = TELOS_MSG_LABEL(telos_call(ep2, TELOS_MSG_INFO(1, 0, 0), &m));
    expect(label == 7, "the reply of a ReplyRecv without Read arrives");
    label = recv_label(report, &m);
    expect(label == TELOS_FAULT_CAP && m.badge == 0xFA && m.mr[2] == TELOS_EILLEGAL_OPERATION,
           "the receive of a ReplyRecv without Read is a capability fault");
}

/* Catches: IRQHandler SetNotification accepting a notification capability without the
 * right to signal it (seL4 requires CanSend). */
static void irq_notification_right(void)
{
    u32 irq = slot_alloc();
    check("IRQ 5", TELOS_INVOKE(TELOS_SLOT_IRQ_CONTROL, TELOS_IRQ_CONTROL_GET, 5, irq));
    u32 ntfn = object_alloc(TELOS_OBJ_NOTIFICATION, 0);
    u32 read_only = slot_alloc();
    copy_cap(TELOS_SLOT_CNODE, read_only, ntfn, TELOS_RIGHT_READ);
    u32 refused = TELOS_INVOKE(irq, TELOS_IRQ_HANDLER_SET_NOTIFICATION, read_only);
    u32 accepted = TELOS_INVOKE(irq, TELOS_IRQ_HANDLER_SET_NOTIFICATION, ntfn);
    telos_printf("TelOS: rights: IRQ notification without Write: %s; with: %s\n", telos_error_name(refused),
                 telos_error_name(accepted));
    expect(refused == TELOS_EINVALID_CAPABILITY && accepted == TELOS_OK,
           "an IRQ is delivered only to a notification its handler may signal");
    check("release IRQ 5", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_DELETE, irq));
}

/* Catches: a FRAME_MAP that grants a writable mapping when asked through a frame
 * capability without Write (seL4 maps it read-only), so a thread lent a page to read
 * could change it. The writer's store must be a page fault and the page stay zero. */
#define MEM_WRITER_VADDR (TELOS_USER_BASE + 0x3FF000u)
static void read_only_frame(void)
{
    u32 report = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 fault_ep = mint_cap(report, TELOS_RIGHTS_ALL, 0xFA);
    u32 report_cap = mint_cap(report, TELOS_RIGHT_WRITE, 0x5E);
    struct cap_grant caps[] = { { report_cap, CHILD_SLOT_ARG0, TELOS_RIGHT_WRITE } };
    struct process p = create_process(WORKER_MODULE, "mem-writer", ROLE_MEM_WRITER, MEM_WRITER_VADDR, 100, fault_ep, caps, 1, false);
    u32 frame = object_alloc(TELOS_OBJ_FRAME, 0), read_only = slot_alloc();
    copy_cap(TELOS_SLOT_CNODE, read_only, frame, TELOS_RIGHT_READ);
    check("map through the read-only cap", TELOS_INVOKE(read_only, TELOS_FRAME_MAP, p.pd, MEM_WRITER_VADDR, TELOS_RIGHT_WRITE));
    check("resume", TELOS_INVOKE0(p.tcb, TELOS_TCB_RESUME));
    struct telos_msg m;
    u32 label = recv_label(report, &m);
    bool faulted = label == TELOS_FAULT_VM && m.badge == 0xFA && m.mr[0] == MEM_WRITER_VADDR;
    TELOS_INVOKE0(p.tcb, TELOS_TCB_SUSPEND);
    check("map the frame here", TELOS_INVOKE(frame, TELOS_FRAME_MAP, TELOS_SLOT_VSPACE, ROOT_SCRATCH_VADDR, TELOS_RIGHT_READ));
    u32 word = *(volatile u32 *)ROOT_SCRATCH_VADDR;
    check("unmap it", TELOS_INVOKE0(frame, TELOS_FRAME_UNMAP));
    telos_printf("TelOS: rights: a write through a mapping made with a read-only frame capability: %s, the page holds %x\n",
                 faulted ? "page fault" : "no fault", word);
    expect(faulted && word == 0, "a frame mapped through a capability without Write is read-only");
}

void test_rights(void)
{
    read_only_buffer();
    fast_path_length();
    fast_path_rights();
    irq_notification_right();
    read_only_frame();
    telos_printf("TelOS: rights test %s\n", failures ? "FAILED" : "passed");
}
