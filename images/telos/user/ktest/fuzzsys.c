/* The syscall fuzzer's supervisor (test=fuzz count=N): starts the fuzzer (user/sysfuzz.c)
 * with an endpoint, a notification, a TCB that never runs and 32 KiB of untyped memory,
 * answers its faults (resuming it) and tells it which fault came; on each CHECK it scans
 * the fuzzer's whole CNode through the debug identify syscall: every capability there must
 * be to an object it was granted, with no more rights than granted, or to an object made
 * from its untyped memory, inside that memory and overlapping no other object. At the end
 * the untyped memory must be whole again once revoked. */
#include "user/ktest/ktest.h"
#include "lib/string.h"

#define FUZZ_UNTYPED_BITS 15
#define PARENT_UNTYPED_BITS 16

struct granted {
    u32 type, obj, rights, badge;
};

static u32 scan_violations;

static void scan_violation(const char *what, u32 slot, u32 a, u32 b)
{
    if (scan_violations++ < 20)
        telos_printf("TelOS: fuzz: VIOLATION in the fuzzer's slot %u: %s (%x, %x)\n", slot, what, a, b);
}

static u32 size_of(u32 type, u32 bits)
{
    switch (type) {
    case TELOS_OBJ_UNTYPED: return 1u << bits;
    case TELOS_OBJ_TCB: return 1u << TELOS_TCB_BITS;
    case TELOS_OBJ_ENDPOINT:
    case TELOS_OBJ_NOTIFICATION: return 16;
    case TELOS_OBJ_CNODE: return 1u << (bits + TELOS_SLOT_BITS);
    default: return 1u << TELOS_PAGE_BITS;
    }
}

/* Scans the fuzzer's CNode; returns the bytes of distinct objects made from its memory. */
static u32 scan(u32 cnode, const struct granted *g, u32 ng, u32 lo, u32 hi)
{
    static u32 starts[1024], ends[1024];
    u32 n = 0, bytes = 0;
    for (u32 i = 0; i < (1u << CHILD_CNODE_RADIX); i++) {
        u32 obj, rb, data;
        u32 type = telos_cap_identify(cnode, i, &obj, &rb, &data);
        if (!type)
            continue;
        u32 rights = rb & 0xFF, bits = rb >> 8;
        bool known = false;
        for (u32 k = 0; k < ng && !known; k++)
            if (g[k].type == type && g[k].obj == obj) {
                known = true;
                if (rights & ~g[k].rights)
                    scan_violation("more rights than granted", i, rights, g[k].rights);
                if (g[k].badge && data != g[k].badge)
                    scan_violation("another badge than granted", i, data, g[k].badge);
            }
        if (known)
            continue;
        u32 size = size_of(type, bits);
        if (obj < lo || obj >= hi || size > hi - obj || (obj & (size - 1))) {
            scan_violation("an object neither granted nor made from its memory", i, type, obj);
            continue;
        }
        /* Distinct objects only: copies share an address (an untyped and its first child too). */
        bool seen = false;
        for (u32 k = 0; k < n && !seen; k++)
            seen = starts[k] == obj && ends[k] == obj + size;
        if (seen)
            continue;
        for (u32 k = 0; k < n; k++)
            if (obj < ends[k] && starts[k] < obj + size && !(type == TELOS_OBJ_UNTYPED) &&
                !(ends[k] - starts[k] > size && starts[k] <= obj && obj + size <= ends[k]))
                scan_violation("objects overlap", i, obj, starts[k]);
        starts[n] = obj;
        ends[n++] = obj + size;
        if (type != TELOS_OBJ_UNTYPED)
            bytes += size;
    }
    return bytes;
}

static struct granted identify_own(u32 slot, u32 rights, u32 badge)
{
    u32 obj, rb, data;
    struct granted g = { telos_cap_identify(TELOS_SLOT_CNODE, slot, &obj, &rb, &data), 0, rights, badge };
    g.obj = obj;
    return g;
}

/* Catches: a kernel that answers some invocation with another error than its rules give
 * (or succeeds where it must refuse), raises no fault or the wrong fault for a bad
 * syscall, copies a capability with more rights or another badge than asked, loses or
 * moves the wrong capability on Move, Delete or Revoke (revoke deleting an unrelated one,
 * or leaving a derived one), places a retyped object outside its untyped or over another,
 * or leaks untyped memory. */
void test_fuzz(void)
{
    u32 count = ktest_arg("count=", 100000);
    u32 sup = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 fault_cap = mint_cap(sup, TELOS_RIGHTS_ALL, SYSFUZZ_FAULT);
    u32 report_cap = mint_cap(sup, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, SYSFUZZ_REPORT);
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0), ntfn = object_alloc(TELOS_OBJ_NOTIFICATION, 0);
    u32 victim = object_alloc(TELOS_OBJ_TCB, 0);
    u32 parent_ut = object_alloc(TELOS_OBJ_UNTYPED, PARENT_UNTYPED_BITS);
    struct cap_grant caps[] = {
        { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL },
        { ntfn, CHILD_SLOT_ARG1, TELOS_RIGHT_READ | TELOS_RIGHT_WRITE },
        { report_cap, CHILD_SLOT_ARG3, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY },
        { victim, CHILD_SLOT_ARG4, TELOS_RIGHTS_ALL },
    };
    struct process p = create_process(WORKER_MODULE, "sysfuzz", ROLE_SYSFUZZ, count, 100, fault_cap, caps, 4, false);
    check("fuzzer's untyped", TELOS_INVOKE(parent_ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_UNTYPED, FUZZ_UNTYPED_BITS, p.cnode,
                                           CHILD_SLOT_ARG2, 1));
    u32 lo, rb, data;
    telos_cap_identify(p.cnode, CHILD_SLOT_ARG2, &lo, &rb, &data);
    u32 hi = lo + (1u << FUZZ_UNTYPED_BITS);
    const struct granted granted[] = {
        identify_own(ep, TELOS_RIGHTS_ALL, 0),
        identify_own(ntfn, TELOS_RIGHT_READ | TELOS_RIGHT_WRITE, 0),
        identify_own(report_cap, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, SYSFUZZ_REPORT),
        identify_own(victim, TELOS_RIGHTS_ALL, 0),
        identify_own(p.tcb, TELOS_RIGHTS_ALL, 0),
        identify_own(p.cnode, TELOS_RIGHTS_ALL, 0),
        identify_own(p.pd, TELOS_RIGHTS_ALL, 0),
        identify_own(p.ipc_frame, TELOS_RIGHTS_ALL, 0),
    };
    const u32 ng = sizeof granted / sizeof granted[0];
    telos_printf("TelOS: fuzz: %u syscalls on a playground of 64 slots, 32 KiB of untyped memory at %x\n", count, lo);
    check("start the fuzzer", TELOS_INVOKE0(p.tcb, TELOS_TCB_RESUME));

    u32 last_label = 0, last_word = 0, last_reason = 0, faults = 0, scans = 0, max_bytes = 0;
    struct telos_msg m;
    for (;;) {
        u32 label = recv_label(sup, &m);
        if (m.badge == SYSFUZZ_FAULT) {
            faults++;
            last_label = label;
            last_word = m.mr[0];
            last_reason = label == TELOS_FAULT_CAP ? m.mr[2] : 0;
            if (label != TELOS_FAULT_CAP && label != TELOS_FAULT_UNKNOWN_SYSCALL) {
                telos_printf("TelOS: fuzz: the fuzzer itself faulted (kind %u at %x, eip %x): stopped\n", label, m.mr[0], m.mr[1]);
                break;
            }
            m = (struct telos_msg){ { 0, 0, 0 }, 0 };
            telos_reply(0, &m); /* carry on after the failed syscall */
            continue;
        }
        if (label == SYSFUZZ_QUERY) {
            m = (struct telos_msg){ { last_label, last_word, last_reason }, 0 };
            last_label = last_word = last_reason = 0;
            telos_reply(TELOS_MSG_INFO(0, 0, 3), &m);
            continue;
        }
        if (label == SYSFUZZ_CHECK) {
            u32 bytes = scan(p.cnode, granted, ng, lo, hi);
            if (bytes > max_bytes)
                max_bytes = bytes;
            if (bytes > hi - lo)
                scan_violation("more memory in objects than the untyped holds", 0, bytes, hi - lo);
            scans++;
            m = (struct telos_msg){ { scan_violations, 0, 0 }, 0 };
            telos_reply(TELOS_MSG_INFO(0, 0, 1), &m);
            continue;
        }
        if (label == SYSFUZZ_DONE) {
            u32 ops = m.mr[0], violations = m.mr[1], expected_faults = m.mr[2], checks = telos_ipc->msg[3];
            scan(p.cnode, granted, ng, lo, hi);
            scans++;
            TELOS_INVOKE0(p.tcb, TELOS_TCB_SUSPEND);
            /* Free memory accounted: revoking the parent takes back every object made. */
            check("revoke the fuzzer's memory", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_REVOKE, parent_ut));
            bool whole = untyped_whole(parent_ut, PARENT_UNTYPED_BITS);
            telos_printf("TelOS: fuzz: %u syscalls, %u faults expected and %u delivered, %u outcome checks by the fuzzer, "
                         "%u CNode scans, at most %u bytes in objects\n",
                         ops, expected_faults, faults, checks, scans, max_bytes);
            telos_printf("TelOS: fuzz: %u violations (fuzzer %u, scans %u); untyped memory %s after revoke\n",
                         violations + scan_violations, violations, scan_violations, whole ? "whole" : "NOT WHOLE");
            telos_printf("TelOS: fuzz test %s\n",
                         !violations && !scan_violations && whole && ops >= count && faults == expected_faults ? "passed" : "FAILED");
            return;
        }
    }
    telos_print("TelOS: fuzz test FAILED\n");
}
