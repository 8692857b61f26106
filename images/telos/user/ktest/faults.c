/* Kernel tests of user faults: each kind confined to its thread (faults) and a hostile
 * program throwing random syscalls (hostile). */
#include "user/ktest/ktest.h"

static const char *const fault_names[FAULT_KIND_COUNT + 1] = {
    "", "page-fault", "gen-protection", "invalid-opcode", "divide-error",
    "bad-syscall", "empty-cap", "wrong-rights", "forged-cptr", "console-input", "halt",
};

/* Catches: a user fault of any kind (page fault, #GP, #UD, #DE, unknown syscall, empty,
 * wrong-rights or forged cptr, console input or halt without authority) that stops the
 * kernel or another thread, or that is not reported as that kind of fault. */
void test_faults(void)
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

/* Catches: a kernel that panics, hangs or corrupts itself on some syscall number, cptr,
 * message info or argument a program may pass (the host test requires the full count of
 * syscalls and a working IPC round trip afterwards). Survival only; the fuzz test checks
 * each outcome. */
#define HOSTILE_SYSCALLS 20000
void test_hostile(void)
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
    /* A program blocked for good (a Recv nobody answers) is restarted; the bound on
     * silences ends the run for a kernel that stops it for ever. */
    while (syscalls < HOSTILE_SYSCALLS && silences < 2000) {
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
    bool alive = ipc_ping_pong();
    bool enough = syscalls >= HOSTILE_SYSCALLS;
    telos_printf("TelOS: hostile test %s\n", alive && enough ? "passed: the kernel survived"
                                          : !enough ? "FAILED: too few syscalls ran (the program stalled)"
                                                    : "FAILED: IPC broken afterwards");
}
