/* Capabilities: lookup in a thread's CSpace, the mapping database (derivation order plus
 * depth), and deletion and revocation, which finalise an object when its last capability
 * goes. CSpaces are single-level here: a capability pointer is a slot index in the
 * thread's root CNode. */
#include "kernel/object.h"
#include "kernel/console.h"
#include "lib/string.h"

struct slot *cnode_slot(const struct cap *cnode, u32 index, u32 *error)
{
    if (cnode->type != CAP_CNODE) {
        *error = TELOS_EFAILED_LOOKUP;
        return NULL;
    }
    if (index >= (1u << cnode->size_bits)) {
        *error = TELOS_ERANGE;
        return NULL;
    }
    return (struct slot *)cnode->obj + index;
}

bool cap_same_object(const struct cap *a, const struct cap *b)
{
    return a->type == b->type && a->obj == b->obj && a->size_bits == b->size_bits &&
           (a->type != CAP_IO_PORT || a->data == b->data);
}

static void mdb_link_after(struct slot *prev, struct slot *s)
{
    s->mdb_prev = prev;
    s->mdb_next = prev ? prev->mdb_next : NULL;
    if (prev) {
        if (prev->mdb_next)
            prev->mdb_next->mdb_prev = s;
        prev->mdb_next = s;
    }
}

static void mdb_unlink(struct slot *s)
{
    if (s->mdb_prev)
        s->mdb_prev->mdb_next = s->mdb_next;
    if (s->mdb_next)
        s->mdb_next->mdb_prev = s->mdb_prev;
    s->mdb_prev = s->mdb_next = NULL;
}

/* Places `child` right after `parent` (before parent's existing children: order among
 * siblings does not matter) one level deeper. A NULL parent makes an original cap. */
void mdb_insert_child(struct slot *parent, struct slot *child, const struct cap *cap)
{
    child->cap = *cap;
    child->mdb_depth = parent ? parent->mdb_depth + 1 : 0;
    mdb_link_after(parent, child);
}

void mdb_move(struct slot *from, struct slot *to)
{
    to->cap = from->cap;
    to->mdb_depth = from->mdb_depth;
    to->mdb_prev = from->mdb_prev;
    to->mdb_next = from->mdb_next;
    if (to->mdb_prev)
        to->mdb_prev->mdb_next = to;
    if (to->mdb_next)
        to->mdb_next->mdb_prev = to;
    memset(from, 0, sizeof *from);
}

bool mdb_has_children(const struct slot *s)
{
    return s->mdb_next && s->mdb_next->mdb_depth > s->mdb_depth;
}

/* Another capability to the same object sits next to this one in the MDB, because copies
 * are descendants and descendants follow their parent. */
static bool cap_is_final(const struct slot *s)
{
    if (s->mdb_prev && cap_same_object(&s->mdb_prev->cap, &s->cap))
        return false;
    if (s->mdb_next && cap_same_object(&s->mdb_next->cap, &s->cap))
        return false;
    return true;
}

/* A CNode whose only other capabilities lie in its own slots is unreachable once this one
 * goes: it is final too. (All capabilities to one object form one run in the MDB.) */
static bool cnode_held_only_by_itself(const struct slot *s)
{
    u32 lo = s->cap.obj, hi = lo + ((u32)sizeof(struct slot) << s->cap.size_bits);
    for (const struct slot *p = s->mdb_prev; p && cap_same_object(&p->cap, &s->cap); p = p->mdb_prev)
        if ((u32)p < lo || (u32)p >= hi)
            return false;
    for (const struct slot *n = s->mdb_next; n && cap_same_object(&n->cap, &s->cap); n = n->mdb_next)
        if ((u32)n < lo || (u32)n >= hi)
            return false;
    return true;
}

/* Whether another capability to the same endpoint carries the same badge. All the
 * capabilities to one object form one run in the MDB. */
static bool badge_held_elsewhere(const struct slot *s)
{
    for (const struct slot *p = s->mdb_prev; p && cap_same_object(&p->cap, &s->cap); p = p->mdb_prev)
        if (p->cap.data == s->cap.data)
            return true;
    for (const struct slot *n = s->mdb_next; n && cap_same_object(&n->cap, &s->cap); n = n->mdb_next)
        if (n->cap.data == s->cap.data)
            return true;
    return false;
}

/* Takes the capability out of its slot and the MDB; its children move up one level. */
static void slot_clear(struct slot *s)
{
    for (struct slot *n = s->mdb_next; n && n->mdb_depth > s->mdb_depth; n = n->mdb_next)
        n->mdb_depth--;
    mdb_unlink(s);
    memset(s, 0, sizeof *s);
}

/* Clean-up of CNodes runs in steps, never by recursion, so neither nesting depth nor a
 * CNode holding capabilities to itself can exhaust the kernel stack or leak memory.
 * When the last capability to a CNode is deleted, the slot it occupied becomes a zombie:
 * it keeps the CNode's address and radix and links into `reap_list` through mdb_next.
 * The outermost cap_delete then takes zombies off the list one at a time: it first drops
 * the CNode's capabilities to itself (they must not finalise it again), then deletes
 * every other slot, which may add more zombies; it stops when the list is empty. A
 * zombie lives either in the slot just emptied by the outermost delete (taken off the
 * list first, before anything else runs) or in the memory of an object already being
 * destroyed, which nothing reuses before the delete returns. CNodes that only hold
 * capabilities to each other in a cycle stay allocated until the Untyped they came from
 * is revoked, which deletes them one by one and so frees the cycle. */
static struct slot *reap_list;
static bool reaping;

static void cap_finalise(const struct cap *c)
{
    switch (c->type) {
    case CAP_TCB:
        tcb_finalise((struct tcb *)c->obj);
        break;
    case CAP_ENDPOINT:
        endpoint_finalise((struct endpoint *)c->obj);
        break;
    case CAP_NOTIFICATION:
        notification_finalise((struct notification *)c->obj);
        break;
    case CAP_IRQ_HANDLER:
        irq_handler_finalise(c->obj);
        break;
    case CAP_PAGE_DIRECTORY:
        vspace_release_asid((u32 *)c->obj);
        break;
    default:
        break;
    }
}

static void reap(void)
{
    while (reap_list) {
        struct slot *z = reap_list;
        reap_list = z->mdb_next;
        struct slot *slots = (struct slot *)z->cap.obj;
        u32 count = 1u << z->cap.size_bits;
        memset(z, 0, sizeof *z);
        for (u32 i = 0; i < count; i++)
            if (slots[i].cap.type == CAP_CNODE && slots[i].cap.obj == (u32)slots)
                slot_clear(&slots[i]);
        for (u32 i = 0; i < count; i++)
            cap_delete(&slots[i]);
    }
}

void cap_delete(struct slot *s)
{
    if (s->cap.type == CAP_NULL || s->cap.type == CAP_ZOMBIE)
        return;
    bool outer = !reaping;
    reaping = true;
    if (s->cap.type == CAP_IO_PORT && !(s->cap.flags & CAP_FLAG_IO_BINDING)) {
        /* Port access bound from this capability ends with it. */
        for (struct slot *n = s->mdb_next; n && n->mdb_depth > s->mdb_depth;) {
            struct slot *next = n->mdb_next;
            if (n->mdb_depth == s->mdb_depth + 1 && (n->cap.flags & CAP_FLAG_IO_BINDING))
                cap_delete(n);
            n = next;
        }
    }
    struct cap c = s->cap;
    bool final = cap_is_final(s) || (c.type == CAP_CNODE && cnode_held_only_by_itself(s));
    /* The last capability with a badge: sends queued under it are cancelled (the check of
     * the other capabilities runs only when such a send is queued). */
    bool cancel_badge = !final && c.type == CAP_ENDPOINT && c.data &&
                        endpoint_has_badged_sender((struct endpoint *)c.obj, c.data) && !badge_held_elsewhere(s);
    slot_clear(s);
    if (c.type == CAP_FRAME || c.type == CAP_PAGE_TABLE)
        vspace_unmap_cap(&c);
    if (c.flags & CAP_FLAG_IO_BINDING)
        io_bitmap_forget();
    if (final && c.type == CAP_CNODE) {
        s->cap = c;
        s->cap.type = CAP_ZOMBIE;
        s->mdb_next = reap_list;
        reap_list = s;
    } else if (final) {
        cap_finalise(&c);
    } else if (cancel_badge) {
        endpoint_cancel_badged_sends((struct endpoint *)c.obj, c.data);
    }
    if (outer) {
        reap();
        reaping = false;
    }
}

void cap_revoke(struct slot *s)
{
    while (mdb_has_children(s))
        cap_delete(s->mdb_next);
}
