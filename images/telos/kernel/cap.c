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

static u32 finalise_depth;

static void cap_finalise(const struct cap *c)
{
    /* Deleting a CNode deletes its contents, which may finalise more objects; bound the
     * nesting (deeper garbage is leaked rather than overflowing the kernel stack). */
    if (finalise_depth > 6)
        return;
    finalise_depth++;
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
    case CAP_CNODE: {
        struct slot *slots = (struct slot *)c->obj;
        for (u32 i = 0; i < (1u << c->size_bits); i++)
            cap_delete(&slots[i]);
        break;
    }
    default:
        break;
    }
    finalise_depth--;
}

void cap_delete(struct slot *s)
{
    if (s->cap.type == CAP_NULL)
        return;
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
    bool final = cap_is_final(s);
    /* The children move up one level: they now descend from this cap's parent. */
    for (struct slot *n = s->mdb_next; n && n->mdb_depth > s->mdb_depth; n = n->mdb_next)
        n->mdb_depth--;
    mdb_unlink(s);
    memset(s, 0, sizeof *s);
    if (c.type == CAP_FRAME || c.type == CAP_PAGE_TABLE)
        vspace_unmap_cap(&c);
    if (c.flags & CAP_FLAG_IO_BINDING)
        io_bitmap_forget();
    if (final)
        cap_finalise(&c);
}

void cap_revoke(struct slot *s)
{
    while (mdb_has_children(s))
        cap_delete(s->mdb_next);
}
