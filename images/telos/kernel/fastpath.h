/* The IPC fast path, after seL4's: the common case of a Call to a waiting server and of
 * a server's ReplyRecv to a waiting client, with a short message (registers only) and no
 * capabilities, is done here in one step: message registers copied, reply capability
 * set or consumed, and the CPU handed directly to the other thread. Anything unusual
 * returns false and takes the general path in ipc.c, which has the same semantics. */
#ifndef TELOS_KERNEL_FASTPATH_H
#define TELOS_KERNEL_FASTPATH_H
/* Inline in the trap handler: at this path length a function call is a fair share. */
#include "kernel/object.h"

static inline __attribute__((always_inline)) bool can_switch_to(const struct tcb *from, const struct tcb *to)
{
    return !sched_resched_requested && to->priority >= from->priority && (i32)to->priority >= sched_highest_ready() &&
           tcb_vspace(to);
}

static inline __attribute__((always_inline)) struct endpoint *fast_endpoint(struct tcb *t, u32 need_rights, struct slot **slot_out)
{
    struct slot *s = cnode_slot_fast(&t->cspace_slot.cap, t->ctx.ebx);
    if (!s || s->cap.type != CAP_ENDPOINT || (s->cap.rights & need_rights) != need_rights)
        return NULL;
    *slot_out = s;
    return (struct endpoint *)s->cap.obj;
}

/* Exactly `len` (at most 3) message registers, as the slow path copies: the receiver's
 * other registers keep its own values and never see the sender's. */
static inline __attribute__((always_inline)) void fastpath_copy_mrs(const struct tcb *from, struct tcb *to, u32 len)
{
    if (len > 0)
        to->ctx.edx = from->ctx.edx;
    if (len > 1)
        to->ctx.edi = from->ctx.edi;
    if (len > 2)
        to->ctx.ebp = from->ctx.ebp;
}

static inline __attribute__((always_inline)) bool fastpath_call(struct tcb *t)
{
    u32 info = t->ctx.esi;
    if (TELOS_MSG_EXTRA_CAPS(info) || TELOS_MSG_LENGTH(info) > TELOS_FAST_MRS)
        return false;
    struct slot *s;
    struct endpoint *ep = fast_endpoint(t, TELOS_RIGHT_WRITE, &s);
    if (!ep || ep->state != ENDPOINT_RECEIVING || !(s->cap.rights & (TELOS_RIGHT_GRANT | TELOS_RIGHT_GRANT_REPLY)))
        return false;
    struct tcb *r = ep->queue.head;
    if (!can_switch_to(t, r))
        return false;
    endpoint_queue_remove(&ep->queue, r);
    if (!ep->queue.head)
        ep->state = ENDPOINT_IDLE;
    r->blocked_on = NULL;
    r->ctx.eax = info & ~(7u << TELOS_MSG_EXTRA_CAPS_SHIFT);
    r->ctx.ebx = s->cap.data;
    fastpath_copy_mrs(t, r, TELOS_MSG_LENGTH(info));
    if (r->caller)
        r->caller->reply_holder = NULL;
    r->caller = t;
    t->reply_holder = r;
    t->blocked_can_grant = (s->cap.rights & TELOS_RIGHT_GRANT) != 0;
    t->state = THREAD_BLOCKED_REPLY;
    sched_switch_direct(r);
    return true;
}

static inline __attribute__((always_inline)) bool fastpath_reply_recv(struct tcb *t)
{
    u32 info = t->ctx.esi;
    struct tcb *c = t->caller;
    if (!c || c->state != THREAD_BLOCKED_REPLY || c->fault_pending || TELOS_MSG_EXTRA_CAPS(info) ||
        TELOS_MSG_LENGTH(info) > TELOS_FAST_MRS)
        return false;
    struct slot *s;
    struct endpoint *ep = fast_endpoint(t, TELOS_RIGHT_READ, &s);
    if (!ep || ep->state == ENDPOINT_SENDING || !can_switch_to(t, c))
        return false;
    t->caller = NULL;
    c->reply_holder = NULL;
    c->ctx.eax = info & ~(7u << TELOS_MSG_EXTRA_CAPS_SHIFT);
    c->ctx.ebx = 0;
    fastpath_copy_mrs(t, c, TELOS_MSG_LENGTH(info));
    t->blocked_on = ep;
    endpoint_queue_append(&ep->queue, t);
    ep->state = ENDPOINT_RECEIVING;
    t->state = THREAD_BLOCKED_RECV;
    sched_switch_direct(c);
    return true;
}

#endif
