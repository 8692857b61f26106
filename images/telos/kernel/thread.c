/* Threads and the scheduler: preemptive, fixed-priority round robin (256 levels, 20 ms
 * time slices on the PIT), an idle thread that halts, and the TCB invocations. The
 * running thread is never in a ready queue; everything else runnable is. */
#include "kernel/object.h"
#include "kernel/console.h"
#include "arch/x86/paging.h"
#include "lib/string.h"

#define TIMESLICE_TICKS 2

struct tcb *current;
struct tcb idle_thread;
static struct tcb *ready_head[256], *ready_tail[256];
u32 ready_bitmap[8];
u32 ready_summary; /* bit w set when ready_bitmap[w] is non-zero */
static struct tcb *all_threads;
bool sched_resched_requested;
#define resched_requested sched_resched_requested

void scheduler_init(void)
{
    memset(&idle_thread, 0, sizeof idle_thread);
    idle_thread.ctx.eip = (u32)idle_loop;
    idle_thread.ctx.cs = SEL_KERNEL_CODE;
    idle_thread.ctx.eflags = EFLAGS_RESERVED;
    idle_thread.ctx.ds = idle_thread.ctx.es = idle_thread.ctx.fs = idle_thread.ctx.gs = SEL_KERNEL_DATA;
    idle_thread.state = THREAD_RUNNING;
    memcpy(idle_thread.name, "idle", 5);
    current = &idle_thread;
}

static void ready_enqueue(struct tcb *t, bool at_head)
{
    if (t->in_ready || t == &idle_thread)
        return;
    u32 p = t->priority;
    t->ready_prev = t->ready_next = NULL;
    if (!ready_head[p]) {
        ready_head[p] = ready_tail[p] = t;
    } else if (at_head) {
        t->ready_next = ready_head[p];
        ready_head[p]->ready_prev = t;
        ready_head[p] = t;
    } else {
        t->ready_prev = ready_tail[p];
        ready_tail[p]->ready_next = t;
        ready_tail[p] = t;
    }
    ready_bitmap[p >> 5] |= 1u << (p & 31);
    ready_summary |= 1u << (p >> 5);
    t->in_ready = 1;
}

static void ready_dequeue(struct tcb *t)
{
    if (!t->in_ready)
        return;
    u32 p = t->priority;
    if (t->ready_prev)
        t->ready_prev->ready_next = t->ready_next;
    else
        ready_head[p] = t->ready_next;
    if (t->ready_next)
        t->ready_next->ready_prev = t->ready_prev;
    else
        ready_tail[p] = t->ready_prev;
    if (!ready_head[p]) {
        ready_bitmap[p >> 5] &= ~(1u << (p & 31));
        if (!ready_bitmap[p >> 5])
            ready_summary &= ~(1u << (p >> 5));
    }
    t->in_ready = 0;
}

#define highest_ready_priority sched_highest_ready

void sched_make_runnable(struct tcb *t)
{
    t->state = THREAD_RUNNING;
    if (t != current)
        ready_enqueue(t, false);
}

void sched_block(struct tcb *t, u32 state)
{
    t->state = state;
    ready_dequeue(t);
}

void sched_yield(void) { resched_requested = true; }

void sched_tick(void)
{
    if (current == &idle_thread)
        return;
    if (current->timeslice)
        current->timeslice--;
    if (!current->timeslice)
        resched_requested = true;
}


/* Leaves the kernel into `current`, which the IPC fast path chose (it has an address
 * space and no ready thread outranks it). */
void sched_resume_current(void)
{
    struct tcb *t = current;
    paging_activate(t->vspace_slot.cap.obj);
    tss_set_kernel_stack((u32)(&t->ctx + 1));
    io_bitmap_switch(t);
    restore_context(&t->ctx);
}

/* Chooses who runs next and leaves the kernel into that thread. */
void sched_run(void)
{
    struct tcb *prev = current;
    /* Common case first: the thread that entered the kernel (or the one IPC handed the
     * CPU to) goes on running. */
    u32 pd = tcb_vspace(prev);
    if (prev->state == THREAD_RUNNING && !resched_requested && pd &&
        (!ready_summary || highest_ready_priority() <= (i32)prev->priority)) {
        paging_activate(pd);
        tss_set_kernel_stack((u32)(&prev->ctx + 1));
        io_bitmap_switch(prev);
        restore_context(&prev->ctx);
    }
    bool prev_runnable = prev != &idle_thread && prev->state == THREAD_RUNNING;
    i32 best = highest_ready_priority();
    if (prev_runnable) {
        if (resched_requested) {
            if (!prev->timeslice)
                prev->timeslice = TIMESLICE_TICKS;
            ready_enqueue(prev, false);
            prev_runnable = false;
        } else if (best > (i32)prev->priority) {
            ready_enqueue(prev, true);
            prev_runnable = false;
        }
    }
    resched_requested = false;
    if (!prev_runnable) {
        best = highest_ready_priority();
        if (best >= 0) {
            current = ready_head[best];
            ready_dequeue(current);
        } else {
            current = &idle_thread;
        }
    }
    if (current == &idle_thread) {
        paging_activate((u32)paging_kernel_directory());
        restore_context(&idle_thread.ctx);
    }
    pd = tcb_vspace(current);
    if (!pd) {
        struct tcb *t = current;
        kprintf("TelOS: thread '%s' killed: no address space\n", tcb_name(t));
        tcb_suspend(t);
        sched_run();
    }
    paging_activate(pd);
    tss_set_kernel_stack((u32)(&current->ctx + 1));
    io_bitmap_switch(current);
    restore_context(&current->ctx);
}

void tcb_init(struct tcb *t)
{
    t->ctx.cs = SEL_USER_CODE;
    t->ctx.ss = t->ctx.ds = t->ctx.es = t->ctx.fs = t->ctx.gs = SEL_USER_DATA;
    t->ctx.eflags = EFLAGS_IF | EFLAGS_RESERVED;
    t->state = THREAD_INACTIVE;
    t->timeslice = TIMESLICE_TICKS;
    t->all_next = all_threads;
    if (all_threads)
        all_threads->all_prev = t;
    all_threads = t;
}

const char *tcb_name(struct tcb *t) { return t->name[0] ? t->name : "(unnamed)"; }

/* The thread's IPC buffer as the kernel may use it: read from when the frame capability
 * has Read, written to only when it also has Write (seL4 will not write a receiver's
 * buffer through a read-only capability: the message is cut to the registers). */
struct telos_ipc_buffer *tcb_ipc_buffer(struct tcb *t, bool for_writing)
{
    u32 need = for_writing ? TELOS_RIGHT_READ | TELOS_RIGHT_WRITE : TELOS_RIGHT_READ;
    if (t->ipc_frame_slot.cap.type != CAP_FRAME || (t->ipc_frame_slot.cap.rights & need) != need)
        return NULL;
    return (struct telos_ipc_buffer *)(t->ipc_frame_slot.cap.obj + (t->ipc_buffer_vaddr & (PAGE_SIZE - 1)));
}

/* Stops a thread: out of every queue, any IPC cancelled, its reply capability (and the
 * one to it) gone. */
void tcb_suspend(struct tcb *t)
{
    ipc_cancel(t);
    reply_cap_drop(t);
    ready_dequeue(t);
    t->state = THREAD_INACTIVE;
    t->fault_pending = false;
}

void tcb_finalise(struct tcb *t)
{
    tcb_suspend(t);
    cap_delete(&t->cspace_slot);
    cap_delete(&t->vspace_slot);
    cap_delete(&t->ipc_frame_slot);
    cap_delete(&t->fault_ep_slot);
    for (u32 i = 0; i < TELOS_IO_BINDINGS; i++)
        cap_delete(&t->io_slots[i]);
    if (io_bitmap_owner == t)
        io_bitmap_forget();
    if (t->all_prev)
        t->all_prev->all_next = t->all_next;
    else if (all_threads == t)
        all_threads = t->all_next;
    if (t->all_next)
        t->all_next->all_prev = t->all_prev;
    if (current == t)
        current = &idle_thread;
}

/* Installs a copy of the capability at `cptr` (of the wanted type) into a TCB's own slot. */
static u32 tcb_take_cap(struct tcb *caller, struct slot *dest, u32 cptr, u32 type)
{
    u32 err = 0;
    struct slot *src = cspace_lookup(caller, cptr, &err);
    if (!src)
        return err;
    if (src->cap.type != type)
        return TELOS_EINVALID_CAPABILITY;
    cap_delete(dest);
    struct cap c = src->cap;
    if (type == CAP_FRAME)
        c.data = c.data2 = 0; /* the TCB's copy is not a mapping */
    mdb_insert_child(src, dest, &c);
    return TELOS_OK;
}

u32 invoke_tcb(struct tcb *caller, struct slot *s, u32 label, const u32 *mr, u32 len)
{
    struct tcb *t = (struct tcb *)s->cap.obj;
    switch (label) {
    case TELOS_TCB_CONFIGURE: {
        if (len < 5)
            return TELOS_ETRUNCATED_MESSAGE;
        if (mr[3] & (TELOS_IPC_BUFFER_SIZE - 1))
            return TELOS_EALIGNMENT;
        /* Look everything up before changing anything. */
        u32 err = 0;
        u32 cptrs[4] = { mr[0], mr[1], mr[2], mr[4] };
        u32 types[4] = { CAP_ENDPOINT, CAP_CNODE, CAP_PAGE_DIRECTORY, CAP_FRAME };
        for (u32 i = 0; i < 4; i++) {
            if (i == 0 && cptrs[0] == 0)
                continue;
            struct slot *x = cspace_lookup(caller, cptrs[i], &err);
            if (!x)
                return err;
            if (x->cap.type != types[i])
                return TELOS_EINVALID_CAPABILITY;
        }
        if (cptrs[0])
            tcb_take_cap(caller, &t->fault_ep_slot, cptrs[0], CAP_ENDPOINT);
        else
            cap_delete(&t->fault_ep_slot);
        tcb_take_cap(caller, &t->ipc_frame_slot, cptrs[3], CAP_FRAME);
        t->ipc_buffer_vaddr = mr[3];
        tcb_take_cap(caller, &t->vspace_slot, cptrs[2], CAP_PAGE_DIRECTORY);
        /* The CSpace last: the caller may be reconfiguring itself. */
        tcb_take_cap(caller, &t->cspace_slot, cptrs[1], CAP_CNODE);
        return TELOS_OK;
    }
    case TELOS_TCB_WRITE_REGISTERS:
        if (len < 5)
            return TELOS_ETRUNCATED_MESSAGE;
        t->ctx.eip = mr[0];
        t->ctx.esp = mr[1];
        t->ctx.eax = mr[2];
        t->ctx.ebx = mr[3];
        t->ctx.ecx = mr[4];
        t->ctx.cs = SEL_USER_CODE;
        t->ctx.ss = t->ctx.ds = t->ctx.es = t->ctx.fs = t->ctx.gs = SEL_USER_DATA;
        t->ctx.eflags = EFLAGS_IF | EFLAGS_RESERVED;
        return TELOS_OK;
    case TELOS_TCB_SET_PRIORITY:
        if (len < 1)
            return TELOS_ETRUNCATED_MESSAGE;
        if (mr[0] > caller->priority)
            return TELOS_ERANGE; /* no thread can raise another above itself */
        if (t->in_ready) {
            ready_dequeue(t);
            t->priority = mr[0];
            ready_enqueue(t, false);
        } else {
            t->priority = mr[0];
        }
        if (t == current)
            resched_requested = true;
        return TELOS_OK;
    case TELOS_TCB_RESUME:
        if (t->state == THREAD_INACTIVE)
            sched_make_runnable(t);
        return TELOS_OK;
    case TELOS_TCB_SUSPEND:
        tcb_suspend(t);
        return TELOS_OK;
    case TELOS_TCB_SET_NAME:
        for (u32 i = 0; i < 15; i++)
            t->name[i] = (char)(i / 4 < len ? (u8)(mr[i / 4] >> ((i % 4) * 8)) : 0);
        t->name[15] = 0;
        return TELOS_OK;
    default:
        return TELOS_EILLEGAL_OPERATION;
    }
}
