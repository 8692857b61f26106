/* Synchronous IPC through endpoints, as in seL4: Send/Recv rendezvous, Call leaves a
 * single-use reply capability in the receiver (the `caller` link) when the endpoint cap
 * has Grant or GrantReply, Reply consumes it, badges name the sender's capability, long
 * messages go through both IPC buffers and one capability may be granted per message
 * (in a reply too, when the caller's endpoint capability had Grant).
 * Notifications are the asynchronous counterpart: a word of badge bits. */
#include "kernel/object.h"
#include "kernel/console.h"
#include "lib/string.h"

/* Grants the first extra capability of the sender's message into the receiver's chosen
 * slot. Returns how many were transferred (0 or 1). */
static u32 transfer_cap(struct tcb *sender, struct tcb *receiver, u32 info)
{
    if (!TELOS_MSG_EXTRA_CAPS(info))
        return 0;
    struct telos_ipc_buffer *sb = tcb_ipc_buffer(sender, false), *rb = tcb_ipc_buffer(receiver, true);
    if (!sb || !rb || !rb->receive_index)
        return 0;
    u32 err = 0;
    struct slot *src = cspace_lookup(sender, sb->caps_or_badges[0], &err);
    struct slot *dst = cspace_lookup(receiver, rb->receive_index, &err);
    if (!src || !dst || src->cap.type == CAP_NULL || dst->cap.type != CAP_NULL || src->cap.type == CAP_UNTYPED)
        return 0;
    struct cap c = src->cap;
    if (c.type == CAP_FRAME || c.type == CAP_PAGE_TABLE)
        c.data = c.data2 = 0;
    mdb_insert_child(src, dst, &c);
    return 1;
}

static void transfer_message(struct tcb *sender, struct tcb *receiver, u32 badge, bool can_grant)
{
    u32 mr[TELOS_MAX_MRS];
    u32 label, len, caps = 0;
    if (sender->fault_pending) {
        label = sender->fault_label;
        len = 3;
        memcpy(mr, sender->fault_mr, sizeof sender->fault_mr);
    } else {
        u32 info = sender->ctx.esi;
        label = TELOS_MSG_LABEL(info);
        len = TELOS_MSG_LENGTH(info);
        if (len > TELOS_MAX_MRS)
            len = TELOS_MAX_MRS;
        read_message(sender, mr, len);
        if (can_grant)
            caps = transfer_cap(sender, receiver, info);
    }
    if (len > TELOS_FAST_MRS && !tcb_ipc_buffer(receiver, true))
        len = TELOS_FAST_MRS;
    write_reply(receiver, label, mr, len);
    receiver->ctx.eax |= caps << TELOS_MSG_EXTRA_CAPS_SHIFT;
    receiver->ctx.ebx = badge;
}

/* Gives `receiver` the reply capability for `caller`, replacing any unused one. */
static void reply_cap_give(struct tcb *receiver, struct tcb *caller)
{
    if (receiver->caller)
        receiver->caller->reply_holder = NULL;
    receiver->caller = caller;
    caller->reply_holder = receiver;
    sched_block(caller, THREAD_BLOCKED_REPLY);
    caller->blocked_on = NULL;
}

void reply_cap_drop(struct tcb *t)
{
    if (t->caller) {
        t->caller->reply_holder = NULL;
        t->caller = NULL;
    }
    if (t->reply_holder) {
        t->reply_holder->caller = NULL;
        t->reply_holder = NULL;
    }
}

/* After a Call's message is delivered the caller waits for the reply, or (without
 * Grant/GrantReply) is left inactive, as in seL4. */
static void finish_call(struct tcb *caller, struct tcb *receiver, bool can_grant_reply)
{
    if (can_grant_reply || caller->fault_pending)
        reply_cap_give(receiver, caller);
    else
        sched_block(caller, THREAD_INACTIVE);
}

void ipc_send(struct tcb *t, struct slot *ep_slot, bool blocking, bool is_call)
{
    struct endpoint *ep = (struct endpoint *)ep_slot->cap.obj;
    u32 badge = ep_slot->cap.data;
    bool can_grant = ep_slot->cap.rights & TELOS_RIGHT_GRANT;
    bool can_grant_reply = ep_slot->cap.rights & (TELOS_RIGHT_GRANT | TELOS_RIGHT_GRANT_REPLY);
    if (ep->state == ENDPOINT_RECEIVING) {
        struct tcb *r = ep->queue.head;
        endpoint_queue_remove(&ep->queue, r);
        if (!ep->queue.head)
            ep->state = ENDPOINT_IDLE;
        r->blocked_on = NULL;
        transfer_message(t, r, badge, can_grant);
        t->blocked_can_grant = can_grant; /* a reply may carry a capability back only with Grant */
        if (is_call)
            finish_call(t, r, can_grant_reply);
        sched_make_runnable(r);
        return;
    }
    if (!blocking)
        return;
    t->blocked_on = ep;
    t->blocked_badge = badge;
    t->blocked_is_call = is_call;
    t->blocked_can_grant = can_grant;
    t->blocked_can_grant_reply = can_grant_reply;
    endpoint_queue_append(&ep->queue, t);
    ep->state = ENDPOINT_SENDING;
    sched_block(t, THREAD_BLOCKED_SEND);
}

void ipc_recv(struct tcb *t, struct slot *slot)
{
    if (slot->cap.type == CAP_NOTIFICATION) {
        struct notification *n = (struct notification *)slot->cap.obj;
        if (n->word) {
            write_reply(t, 0, NULL, 0);
            t->ctx.ebx = n->word;
            n->word = 0;
        } else {
            t->blocked_on = n;
            endpoint_queue_append(&n->queue, t);
            sched_block(t, THREAD_BLOCKED_NOTIFICATION);
        }
        return;
    }
    struct endpoint *ep = (struct endpoint *)slot->cap.obj;
    if (t->caller) { /* an unused reply capability is discarded by a new receive */
        t->caller->reply_holder = NULL;
        t->caller = NULL;
    }
    if (ep->state == ENDPOINT_SENDING) {
        struct tcb *s = ep->queue.head;
        endpoint_queue_remove(&ep->queue, s);
        if (!ep->queue.head)
            ep->state = ENDPOINT_IDLE;
        s->blocked_on = NULL;
        transfer_message(s, t, s->blocked_badge, s->blocked_can_grant);
        if (s->blocked_is_call)
            finish_call(s, t, s->blocked_can_grant_reply);
        else
            sched_make_runnable(s);
        return;
    }
    t->blocked_on = ep;
    endpoint_queue_append(&ep->queue, t);
    ep->state = ENDPOINT_RECEIVING;
    sched_block(t, THREAD_BLOCKED_RECV);
}

void ipc_reply(struct tcb *t)
{
    struct tcb *c = t->caller;
    if (!c)
        return;
    t->caller = NULL;
    c->reply_holder = NULL;
    if (c->state != THREAD_BLOCKED_REPLY)
        return;
    if (c->fault_pending) {
        c->fault_pending = false; /* resume where it stopped */
    } else {
        transfer_message(t, c, 0, c->blocked_can_grant);
    }
    sched_make_runnable(c);
}

void ipc_cancel(struct tcb *t)
{
    if (t->state == THREAD_BLOCKED_SEND || t->state == THREAD_BLOCKED_RECV) {
        struct endpoint *ep = t->blocked_on;
        endpoint_queue_remove(&ep->queue, t);
        if (!ep->queue.head)
            ep->state = ENDPOINT_IDLE;
    } else if (t->state == THREAD_BLOCKED_NOTIFICATION) {
        struct notification *n = t->blocked_on;
        endpoint_queue_remove(&n->queue, t);
    }
    t->blocked_on = NULL;
}

/* Threads waiting on a deleted endpoint restart their syscall and so meet the missing
 * capability themselves; one that was sending a fault message is stopped. */
static void restart_waiter(struct tcb *t)
{
    t->blocked_on = NULL;
    if (t->fault_pending) {
        kprintf("TelOS: thread '%s' stopped: its fault endpoint was deleted\n", tcb_name(t));
        t->fault_pending = false;
        t->state = THREAD_INACTIVE;
        return;
    }
    t->ctx.eip -= 2; /* back over `int 0x80` */
    sched_make_runnable(t);
}

void endpoint_finalise(struct endpoint *ep)
{
    while (ep->queue.head) {
        struct tcb *t = ep->queue.head;
        endpoint_queue_remove(&ep->queue, t);
        restart_waiter(t);
    }
    ep->state = ENDPOINT_IDLE;
}

/* seL4's CancelBadgedSends: every thread queued to send with `badge` restarts its syscall
 * and so meets its (revoked) capability itself; a server never receives a message under
 * a badge it has taken away. */
void endpoint_cancel_badged_sends(struct endpoint *ep, u32 badge)
{
    if (ep->state != ENDPOINT_SENDING)
        return;
    for (struct tcb *t = ep->queue.head, *next; t; t = next) {
        next = t->queue_next;
        if (t->blocked_badge == badge) {
            endpoint_queue_remove(&ep->queue, t);
            restart_waiter(t);
        }
    }
    if (!ep->queue.head)
        ep->state = ENDPOINT_IDLE;
}

bool endpoint_has_badged_sender(const struct endpoint *ep, u32 badge)
{
    if (ep->state != ENDPOINT_SENDING)
        return false;
    for (const struct tcb *t = ep->queue.head; t; t = t->queue_next)
        if (t->blocked_badge == badge)
            return true;
    return false;
}

void notification_signal(struct notification *n, u32 badge)
{
    struct tcb *t = n->queue.head;
    if (t) {
        endpoint_queue_remove(&n->queue, t);
        t->blocked_on = NULL;
        write_reply(t, 0, NULL, 0);
        t->ctx.ebx = badge | n->word;
        n->word = 0;
        sched_make_runnable(t);
    } else {
        n->word |= badge ? badge : 1;
    }
}

void notification_finalise(struct notification *n)
{
    while (n->queue.head) {
        struct tcb *t = n->queue.head;
        endpoint_queue_remove(&n->queue, t);
        restart_waiter(t);
    }
}
