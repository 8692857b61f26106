/* Kernel tests of the machine: memory above 128 MiB used for objects and frames
 * (highmem), interrupts on lines 7 and 15 delivered like any other (irq), and the halt
 * syscall (halt). */
#include "user/ktest/ktest.h"
#include "user/ioport.h"
#include "lib/string.h"

#define HIGH_MEMORY 0x08000000u /* 128 MiB: the end of the kernel window until it grew */
#define HIGH_FRAME_VADDR (ROOT_SCRATCH_VADDR + 0x10000u)

static u32 high_untyped;

static u32 high_alloc(u32 type, u32 size_bits, u32 *err)
{
    u32 slot = slot_alloc();
    *err = TELOS_INVOKE(bi->untyped_first + high_untyped, TELOS_UNTYPED_RETYPE, type, size_bits, TELOS_SLOT_CNODE, slot, 1);
    return *err ? 0 : slot;
}

/* Catches: a kernel that ignores physical memory above 128 MiB (the old kernel window),
 * or hands it out without being able to reach it (a TCB, CNode or page directory there
 * would fault the kernel). Needs a machine with more than 128 MiB. */
void test_highmem(void)
{
    u32 kib = 0, best = ~0u;
    for (u32 i = 0; i < bi->untyped_count; i++)
        if (bi->untyped[i].paddr >= HIGH_MEMORY) {
            kib += (1u << bi->untyped[i].size_bits) >> 10;
            if (best == ~0u || bi->untyped[i].size_bits > bi->untyped[best].size_bits)
                best = i;
        }
    telos_printf("TelOS: highmem: %u KiB of untyped memory above 128 MiB\n", kib);
    if (best == ~0u) {
        telos_print("TelOS: highmem test FAILED: no memory above 128 MiB\n");
        return;
    }
    high_untyped = best;

    /* A frame up there, mapped and written through. */
    u32 err = 0, frame = high_alloc(TELOS_OBJ_FRAME, 0, &err), paddr = 0;
    check("high frame", err);
    check("frame address", telos_invoke(frame, TELOS_FRAME_GET_ADDRESS, 0, NULL, &paddr));
    check("map high frame", TELOS_INVOKE(frame, TELOS_FRAME_MAP, TELOS_SLOT_VSPACE, HIGH_FRAME_VADDR, TELOS_RIGHT_WRITE));
    volatile u32 *words = (volatile u32 *)HIGH_FRAME_VADDR;
    for (u32 i = 0; i < 1024; i++)
        words[i] = i * 2654435761u;
    u32 same = 0;
    for (u32 i = 0; i < 1024; i++)
        same += words[i] == i * 2654435761u;
    telos_printf("TelOS: highmem: a frame at %x holds what was written (%u of 1024 words)\n", paddr, same);

    /* A process made wholly of memory up there: TCB, CNode, page directory, page tables,
     * frames; then IPC with it. */
    const struct process_builder high = {
        .alloc = high_alloc, .own_cnode = TELOS_SLOT_CNODE, .own_vspace = TELOS_SLOT_VSPACE, .scratch_vaddr = ROOT_SCRATCH_VADDR,
    };
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    const struct telos_module_desc *mod = find_module(WORKER_MODULE);
    struct cap_grant caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL } };
    struct process p;
    check("process in high memory", process_build(&high, (const u8 *)mod->vaddr, mod->size, "high-echo", ROLE_ECHO_SERVER,
                                                  0, 100, 0, caps, 1, true, &p));
    u32 proc_paddr = 0;
    u32 answered = 0;
    for (u32 i = 0; i < 50; i++) {
        struct telos_msg m = { { i, 1, 2 }, 0 };
        u32 info = telos_call(ep, TELOS_MSG_INFO(7, 0, 3), &m);
        answered += TELOS_MSG_LABEL(info) == 8 && m.mr[0] == i + 3;
    }
    /* Its IPC buffer frame (from the same untyped) tells where the process lives. */
    check("process address", telos_invoke(p.ipc_frame, TELOS_FRAME_GET_ADDRESS, 0, NULL, &proc_paddr));
    telos_printf("TelOS: highmem: a process built above 128 MiB (IPC buffer at %x) answered %u of 50 calls\n", proc_paddr,
                 answered);
    telos_printf("TelOS: highmem test %s\n",
                 paddr >= HIGH_MEMORY && same == 1024 && proc_paddr >= HIGH_MEMORY && answered == 50 ? "passed" : "FAILED");
}

#define ATA2_COMMAND 0x170
#define ATA2_STATUS  0x177
#define ATA2_CONTROL 0x376
#define IRQ_ATA2     15
#define CLOCK_BADGE  1

/* Catches: a kernel that takes every IRQ 7 and 15 for a spurious one and drops it with no
 * EOI, so a driver on those lines never hears its device and the PIC's in-service bits
 * stay set (blocking lower-priority lines). The secondary ATA channel (a CD-ROM drive on
 * both emulators) raises IRQ 15 on IDENTIFY PACKET DEVICE; a slow clock signalling the
 * same notification bounds the wait. */
void test_irq(void)
{
    u32 irq = slot_alloc();
    check("IRQ 15", TELOS_INVOKE(TELOS_SLOT_IRQ_CONTROL, TELOS_IRQ_CONTROL_GET, IRQ_ATA2, irq));
    u32 ntfn = object_alloc(TELOS_OBJ_NOTIFICATION, 0);
    check("IRQ 15 notification", TELOS_INVOKE(irq, TELOS_IRQ_HANDLER_SET_NOTIFICATION, ntfn));
    u32 clock = mint_cap(ntfn, TELOS_RIGHT_WRITE, CLOCK_BADGE);
    struct cap_grant clock_caps[] = { { clock, CHILD_SLOT_ARG0, TELOS_RIGHT_WRITE } };
    spawn("clock", ROLE_SIGNALLER, 0, 50, 0, clock_caps, 1);
    struct io_ports cmd = { slot_alloc(), false }, ctl = { slot_alloc(), false };
    check("ATA2 ports", TELOS_INVOKE(TELOS_SLOT_IO_PORTS, TELOS_IO_PORT_ISSUE, ATA2_COMMAND, ATA2_STATUS, cmd.cap));
    check("ATA2 control", TELOS_INVOKE(TELOS_SLOT_IO_PORTS, TELOS_IO_PORT_ISSUE, ATA2_CONTROL, ATA2_CONTROL, ctl.cap));
    u32 delivered = 0;
    for (u32 round = 0; round < 3; round++) {
        io_out8(&ctl, ATA2_CONTROL, 0x00); /* interrupts on */
        io_out8(&cmd, ATA2_COMMAND + 6, 0xA0);
        io_out8(&cmd, ATA2_STATUS, 0xA1); /* IDENTIFY PACKET DEVICE */
        bool heard = false;
        for (u32 ticks = 0; !heard && ticks < 100;) {
            struct telos_msg m = { { 0, 0, 0 }, 0 };
            telos_recv(ntfn, &m);
            heard = m.badge & (1u << IRQ_ATA2);
            ticks += (m.badge & CLOCK_BADGE) != 0;
        }
        u32 status = io_in8(&cmd, ATA2_STATUS); /* reading the status lowers the drive's line */
        if (status & 0x08) {
            u16 identify[256];
            io_in16_block(&cmd, ATA2_COMMAND, identify, 256);
        }
        check("IRQ 15 ack", TELOS_INVOKE0(irq, TELOS_IRQ_HANDLER_ACK));
        delivered += heard;
    }
    telos_printf("TelOS: irq: IRQ 15 (secondary ATA) delivered %u of 3 times\n", delivered);
    telos_printf("TelOS: irq test %s\n", delivered == 3 ? "passed" : "FAILED");
}

/* Catches: a scheduler whose time slices never end (or whose end it ignores), so a thread
 * that never blocks keeps the CPU from every other thread of its priority for ever. The
 * busy thread signals a notification in a loop (a signal never blocks); the sentinel of
 * the same priority, queued behind it, must still get to send its one message. */
void test_preempt(void)
{
    u32 ntfn = object_alloc(TELOS_OBJ_NOTIFICATION, 0), report = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    struct cap_grant busy_caps[] = { { ntfn, CHILD_SLOT_ARG0, TELOS_RIGHT_WRITE } };
    struct process busy = spawn("busy", ROLE_SIGNALLER, 0, 100, 0, busy_caps, 1);
    struct cap_grant sentinel_caps[] = { { report, CHILD_SLOT_ARG0, TELOS_RIGHT_WRITE } };
    spawn("sentinel", ROLE_SENTINEL, 7, 100, 0, sentinel_caps, 1);
    struct telos_msg m;
    u32 label = recv_label(report, &m);
    TELOS_INVOKE0(busy.tcb, TELOS_TCB_SUSPEND);
    telos_printf("TelOS: preempt: beside a thread that never blocks, one of its priority sent label %u (%u)\n", label,
                 m.mr[0]);
    telos_printf("TelOS: preempt test %s\n", label == SENTINEL_LABEL && m.mr[0] == 7 ? "passed" : "FAILED");
}

/* The unclean halt of Stage 3, by the one thread that may (the root task holds IRQ
 * control); the faults test shows another thread cannot. */
void test_halt(void)
{
    telos_print("TelOS: halt: stopping the machine now\n");
    struct telos_msg m = { { 3, 0, 0 }, 0 };
    telos_syscall(TELOS_SYS_DEBUG_EXIT, TELOS_SLOT_IRQ_CONTROL, 0, &m);
    telos_print("TelOS: halt test FAILED: still running\n");
}
