/* Where every trap lands (from trap.S): syscalls, interrupts and exceptions. Exceptions
 * from user mode become faults of the current thread; an exception in the kernel itself
 * is a bug and panics with the registers. */
#include <telos/abi.h>
#include "arch/x86/cpu.h"
#include "kernel/console.h"
#include "kernel/object.h"
#include "kernel/fastpath.h"

static const char *const exception_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range", "invalid opcode",
    "device not available", "double fault", "coprocessor overrun", "invalid TSS", "segment not present",
    "stack fault", "general protection", "page fault", "reserved", "x87 error", "alignment check",
    "machine check", "SIMD error", "virtualization", "control protection",
};

static u64 ticks;

static void handle_irq(u32 irq)
{
    if (pic_spurious(irq))
        return;
    if (irq == IRQ_TIMER) {
        pic_eoi(irq);
        ticks++;
        sched_tick();
        return;
    }
    /* A device line: masked until its driver acknowledges, then its notification. */
    pic_mask(irq);
    pic_eoi(irq);
    irq_deliver(irq);
}

void trap_entry(struct user_context *ctx)
{
    u32 vector = ctx->vector;
    if ((ctx->cs & 3) == 0) {
        if (current != &idle_thread || vector < IRQ_BASE || vector >= IRQ_BASE + 16)
            panic("%s (vector %u) in the kernel at eip=%08x err=%08x cr2=%08x",
                  vector < 32 && exception_names[vector] ? exception_names[vector] : "trap", vector, ctx->eip,
                  ctx->error, read_cr2());
        handle_irq(vector - IRQ_BASE);
        sched_run();
    }
    struct tcb *t = current;
    if (vector == TELOS_SYSCALL_VECTOR) {
        /* The IPC fast path hands the CPU straight over: no scheduler decision needed. */
        if ((t->ctx.eax == TELOS_SYS_CALL && fastpath_call(t)) ||
            (t->ctx.eax == TELOS_SYS_REPLY_RECV && fastpath_reply_recv(t)))
            sched_resume_current();
        syscall_dispatch(t);
    } else if (vector >= IRQ_BASE && vector < IRQ_BASE + 16) {
        handle_irq(vector - IRQ_BASE);
    } else if (vector == 14) {
        fault_raise(t, TELOS_FAULT_VM, read_cr2(), ctx->eip, ctx->error, "page fault");
    } else {
        const char *name = vector < 32 && exception_names[vector] ? exception_names[vector] : "exception";
        fault_raise(t, TELOS_FAULT_USER_EXCEPTION, vector, ctx->eip, ctx->error, name);
    }
    sched_run();
}
