/* Kernel test of direct I/O port access by user-space drivers (ioports). */
#include "user/ktest/ktest.h"

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

/* Catches: a port range check in 32-bit arithmetic (port 0xFFFFFFFF with size 2 wraps
 * to 0 and passed for any IOPort capability) or without taking the port modulo 2^16 as
 * seL4 does. Returns how many of the accesses came out as they should. */
static u32 range_checks(u32 cap)
{
    static const struct { u32 label, port, size; bool allowed; } cases[] = {
        { TELOS_IO_PORT_IN, 0x1F7, 1, true },          { TELOS_IO_PORT_IN, 0x101F7, 1, true },
        { TELOS_IO_PORT_IN, 0xFFFFFFFF, 2, false },    { TELOS_IO_PORT_IN, 0xFFFFFFFE, 4, false },
        { TELOS_IO_PORT_IN, 0xFFFF01F7, 2, false },    { TELOS_IO_PORT_IN, 0x1F7, 2, false },
        { TELOS_IO_PORT_IN, 0x1EF, 1, false },         { TELOS_IO_PORT_IN, 0x1F0, 3, false },
        { TELOS_IO_PORT_OUT, 0xFFFFFFFF, 2, false },   { TELOS_IO_PORT_OUT, 0x1F8, 1, false },
        { TELOS_IO_PORT_IN16_BLOCK, 0xFFFFFFFF, 1, false },
    };
    u32 right = 0;
    for (u32 i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const u32 a[3] = { cases[i].port, cases[i].size, 0 };
        u32 err = telos_invoke(cap, cases[i].label, cases[i].label == TELOS_IO_PORT_OUT ? 3 : 2, a, NULL);
        bool ok = cases[i].allowed ? err == TELOS_OK : err == TELOS_ERANGE;
        if (!ok)
            telos_printf("TelOS: ioports: port %x size %u on the 1f0-1f7 capability: %s\n", cases[i].port, cases[i].size,
                         telos_error_name(err));
        right += ok;
    }
    telos_printf("TelOS: ioports: %u of %u accesses inside and outside the range checked right\n", right,
                 (u32)(sizeof cases / sizeof cases[0]));
    return right == sizeof cases / sizeof cases[0];
}

void test_ioports(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 ata = slot_alloc();
    check("ATA port range", TELOS_INVOKE(TELOS_SLOT_IO_PORTS, TELOS_IO_PORT_ISSUE, 0x1F0, 0x1F7, ata));
    u32 gp = 0, worked = 0;
    struct telos_msg m;
    bool ranges = range_checks(ata);

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
    telos_printf("TelOS: ioports test %s\n", gp == 3 && worked == 2 && err_kernel == TELOS_ERANGE && ranges ? "passed" : "FAILED");
}
