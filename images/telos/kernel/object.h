/* Kernel objects and capabilities. Every object lives in memory retyped from Untyped and
 * is reached through capabilities in CNode slots. Slots also form the mapping database
 * (MDB): one list in derivation order where each slot records its depth, so the
 * descendants of a capability are the run of deeper slots that follows it. */
#ifndef TELOS_KERNEL_OBJECT_H
#define TELOS_KERNEL_OBJECT_H
#include <telos/abi.h>
#include <telos/types.h>
#include "arch/x86/cpu.h"

enum cap_type {
    CAP_NULL = 0,
    CAP_UNTYPED = TELOS_OBJ_UNTYPED,
    CAP_TCB = TELOS_OBJ_TCB,
    CAP_ENDPOINT = TELOS_OBJ_ENDPOINT,
    CAP_NOTIFICATION = TELOS_OBJ_NOTIFICATION,
    CAP_CNODE = TELOS_OBJ_CNODE,
    CAP_FRAME = TELOS_OBJ_FRAME,
    CAP_PAGE_TABLE = TELOS_OBJ_PAGE_TABLE,
    CAP_PAGE_DIRECTORY = TELOS_OBJ_PAGE_DIRECTORY,
    CAP_IO_PORT = TELOS_CAP_IO_PORT,           /* obj = first port, data = last port */
    CAP_IRQ_CONTROL = TELOS_CAP_IRQ_CONTROL,
    CAP_IRQ_HANDLER = TELOS_CAP_IRQ_HANDLER,   /* obj = IRQ line */
    CAP_ZOMBIE = 0x7F,  /* kernel-internal: a CNode awaiting clean-up (cap.c); never seen by user code */
};

/* cap.flags */
#define CAP_FLAG_IO_BINDING 1   /* an IOPort cap in a TCB's io_slots: ports open to that thread */

/* A capability: type, rights, object address (physical = kernel virtual) and a word whose
 * meaning depends on the type (badge; untyped watermark; frame/page-table mapping). */
struct cap {
    u8 type;
    u8 rights;
    u8 size_bits;   /* untyped: log2 size; CNode: radix */
    u8 flags;
    u32 obj;
    u32 data;       /* badge | untyped watermark (bytes used) | mapped vaddr */
    u32 data2;      /* frame / page table: page directory it is mapped in (0 = unmapped) */
};

struct slot {
    struct cap cap;
    struct slot *mdb_prev, *mdb_next;
    u32 mdb_depth;
    u32 reserved;
};
_Static_assert(sizeof(struct slot) == (1u << TELOS_SLOT_BITS), "slot size matches the ABI");

enum thread_state {
    THREAD_INACTIVE = 0,
    THREAD_RUNNING,        /* runnable (in a ready queue) or running */
    THREAD_BLOCKED_SEND,
    THREAD_BLOCKED_RECV,
    THREAD_BLOCKED_REPLY,
    THREAD_BLOCKED_NOTIFICATION,
};

struct endpoint_queue {
    struct tcb *head, *tail;
};

struct endpoint {
    u32 state;             /* ENDPOINT_IDLE, _SENDING or _RECEIVING: which queue is non-empty */
    struct endpoint_queue queue;
    u32 reserved;
};
enum { ENDPOINT_IDLE = 0, ENDPOINT_SENDING, ENDPOINT_RECEIVING };

struct notification {
    u32 word;              /* badges signalled and not yet received */
    struct endpoint_queue queue;
    u32 reserved;
};

/* A thread. The register context comes first: TSS.esp0 points just past it. Capabilities
 * the thread depends on are held in its own slots so they cannot vanish under it. */
struct tcb {
    struct user_context ctx;
    u32 state;
    u32 priority;
    u32 timeslice;
    struct tcb *ready_next, *ready_prev;
    struct tcb *queue_next, *queue_prev;  /* endpoint/notification wait queue */
    void *blocked_on;                     /* endpoint or notification */
    u32 blocked_badge;                    /* badge of the cap used to send */
    u8 blocked_is_call, blocked_can_grant, blocked_can_grant_reply, in_ready;
    struct tcb *caller;                   /* reply capability: the thread awaiting our reply */
    struct tcb *reply_holder;             /* the thread holding the reply capability to us */
    bool fault_pending;                   /* the message to send is a fault message */
    u32 fault_label, fault_mr[3];
    u32 ipc_buffer_vaddr;
    struct tcb *all_next, *all_prev;
    char name[16];
    struct slot cspace_slot, vspace_slot, ipc_frame_slot, fault_ep_slot;
    struct slot io_slots[TELOS_IO_BINDINGS];  /* bound IOPort caps: direct port access */
};
_Static_assert(sizeof(struct tcb) <= (1u << TELOS_TCB_BITS), "TCB fits its object size");

extern struct tcb *current;

/* cap.c: the mapping database, lookup, derivation, deletion and revocation. */
struct tcb;
struct slot *cnode_slot(const struct cap *cnode, u32 index, u32 *error);
void mdb_insert_child(struct slot *parent, struct slot *child, const struct cap *cap);
void mdb_move(struct slot *from, struct slot *to);
bool mdb_has_children(const struct slot *s);
void cap_delete(struct slot *s);
void cap_revoke(struct slot *s);
bool cap_same_object(const struct cap *a, const struct cap *b);

/* untyped.c */
u32 untyped_retype(struct slot *untyped, u32 type, u32 size_bits, struct slot *dest_cnode, u32 index, u32 count);
u32 object_size_bits(u32 type, u32 size_bits);
void object_init(u32 type, u32 addr, u32 size_bits);

static inline struct slot *cnode_slot_fast(const struct cap *cnode, u32 index)
{
    return cnode->type == CAP_CNODE && index < (1u << cnode->size_bits) ? (struct slot *)cnode->obj + index : NULL;
}

/* cnode.c */
u32 invoke_cnode(struct tcb *t, struct slot *cnode, u32 label, const u32 *mr, u32 len);

/* vspace.c */
u32 invoke_page_table(struct tcb *t, struct slot *s, u32 label, const u32 *mr, u32 len);
u32 invoke_frame(struct tcb *t, struct slot *s, u32 label, const u32 *mr, u32 len, u32 *reply, u32 *reply_len);
void vspace_unmap_cap(struct cap *c);
u32 vspace_free_asids(void);
bool vspace_assign_asid(u32 *pd);
void vspace_release_asid(u32 *pd);

/* device.c: I/O ports and interrupts for user-space drivers */
u32 invoke_io_port(struct tcb *t, struct slot *s, u32 label, const u32 *mr, u32 len, u32 *reply, u32 *reply_len);
u32 invoke_irq_control(struct tcb *t, struct slot *s, u32 label, const u32 *mr, u32 len);
u32 invoke_irq_handler(struct tcb *t, struct slot *s, u32 label, const u32 *mr, u32 len);
void irq_deliver(u32 irq);
void io_bitmap_install(struct tcb *t);
void io_bitmap_forget(void);
extern struct tcb *io_bitmap_owner;
extern u32 io_bitmap_open;
/* On every way out to a user thread: the TSS bitmap must open exactly its bound ports. */
static inline void io_bitmap_switch(struct tcb *t)
{
    if (__builtin_expect(io_bitmap_open | t->io_slots[0].cap.type | t->io_slots[1].cap.type, 0) &&
        t != io_bitmap_owner)
        io_bitmap_install(t);
}void irq_handler_finalise(u32 irq);

/* thread.c: TCBs and the scheduler */
extern struct tcb idle_thread;
void scheduler_init(void);
void sched_make_runnable(struct tcb *t);
void sched_block(struct tcb *t, u32 state);
void sched_yield(void);
extern u32 ready_bitmap[8], ready_summary;
extern bool sched_resched_requested; /* a time slice ran out: the next exit decides afresh */

static inline i32 sched_highest_ready(void)
{
    if (!ready_summary)
        return -1;
    u32 w = 31 - (u32)__builtin_clz(ready_summary);
    return (i32)(w * 32 + (31 - (u32)__builtin_clz(ready_bitmap[w])));
}

/* The IPC fast path hands the CPU straight to the thread it woke: `t` becomes current
 * without passing through a ready queue (the previous thread has just blocked). */
static inline void sched_switch_direct(struct tcb *t)
{
    t->state = THREAD_RUNNING;
    current = t;
}
void sched_tick(void);
__attribute__((noreturn)) void sched_run(void);
__attribute__((noreturn)) void sched_resume_current(void);
void tcb_init(struct tcb *t);
void tcb_suspend(struct tcb *t);
void tcb_finalise(struct tcb *t);
u32 invoke_tcb(struct tcb *t, struct slot *s, u32 label, const u32 *mr, u32 len);
struct telos_ipc_buffer *tcb_ipc_buffer(struct tcb *t, bool for_writing);
static inline u32 tcb_vspace(const struct tcb *t)
{
    return t->vspace_slot.cap.type == CAP_PAGE_DIRECTORY ? t->vspace_slot.cap.obj : 0;
}

/* A capability pointer is a slot index in the thread's root CNode. */
static inline struct slot *cspace_lookup(struct tcb *t, u32 cptr, u32 *error)
{
    return cnode_slot(&t->cspace_slot.cap, cptr, error);
}
const char *tcb_name(struct tcb *t);

/* ipc.c */
static inline void endpoint_queue_append(struct endpoint_queue *q, struct tcb *t)
{
    t->queue_next = NULL;
    t->queue_prev = q->tail;
    if (q->tail)
        q->tail->queue_next = t;
    else
        q->head = t;
    q->tail = t;
}

static inline void endpoint_queue_remove(struct endpoint_queue *q, struct tcb *t)
{
    if (t->queue_prev)
        t->queue_prev->queue_next = t->queue_next;
    else
        q->head = t->queue_next;
    if (t->queue_next)
        t->queue_next->queue_prev = t->queue_prev;
    else
        q->tail = t->queue_prev;
    t->queue_next = t->queue_prev = NULL;
}
void ipc_send(struct tcb *t, struct slot *ep_slot, bool blocking, bool is_call);
void ipc_recv(struct tcb *t, struct slot *slot);
void ipc_reply(struct tcb *t);
void ipc_cancel(struct tcb *t);
void endpoint_finalise(struct endpoint *ep);
void endpoint_cancel_badged_sends(struct endpoint *ep, u32 badge);
bool endpoint_has_badged_sender(const struct endpoint *ep, u32 badge);
void notification_signal(struct notification *n, u32 badge);
void notification_finalise(struct notification *n);
void reply_cap_drop(struct tcb *t);

/* fault.c */
void fault_raise(struct tcb *t, u32 label, u32 mr0, u32 mr1, u32 mr2, const char *why);

/* syscall.c */
void syscall_dispatch(struct tcb *t);
void read_message(struct tcb *t, u32 *mr, u32 len);
void write_reply(struct tcb *t, u32 label, const u32 *mr, u32 len);

/* boot.c */
void boot_root_task(const void *multiboot_info);

#endif
