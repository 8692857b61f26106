/* CNode invocations: Copy, Mint (fewer rights, a badge on an unbadged endpoint or
 * notification capability), Move, Delete and Revoke. An occupied destination is an
 * error, never an overwrite. */
#include "kernel/object.h"

/* The source of a Copy, Mint or Move: mr[1] names a CNode in the caller's CSpace, mr[2] a
 * slot in it, which must hold a capability. NULL with *err set otherwise. */
static struct slot *source_slot(struct tcb *t, const u32 *mr, u32 *err)
{
    struct slot *src_root = cspace_lookup(t, mr[1], err);
    if (!src_root)
        return NULL;
    struct slot *src = cnode_slot(&src_root->cap, mr[2], err);
    if (!src)
        return NULL;
    if (src->cap.type == CAP_NULL) {
        *err = TELOS_EFAILED_LOOKUP;
        return NULL;
    }
    return src;
}

static u32 derive(struct tcb *t, struct slot *dest, const u32 *mr, bool mint)
{
    u32 err = 0;
    struct slot *src = source_slot(t, mr, &err);
    if (!src)
        return err;
    if (src->cap.type == CAP_UNTYPED)
        return TELOS_EILLEGAL_OPERATION; /* one watermark per untyped: move it instead */
    struct cap c = src->cap;
    c.rights &= (u8)mr[3];
    if (c.type == CAP_FRAME || c.type == CAP_PAGE_TABLE)
        c.data = c.data2 = 0;
    if (mint) {
        u32 badge = mr[4] & ((1u << TELOS_BADGE_BITS) - 1);
        if (c.type != CAP_ENDPOINT && c.type != CAP_NOTIFICATION)
            return TELOS_EILLEGAL_OPERATION;
        if (c.data && badge && badge != c.data)
            return TELOS_EILLEGAL_OPERATION; /* a badge is set once */
        if (badge)
            c.data = badge;
    }
    mdb_insert_child(src, dest, &c);
    return TELOS_OK;
}

u32 invoke_cnode(struct tcb *t, struct slot *cnode, u32 label, const u32 *mr, u32 len)
{
    u32 err = 0;
    if (len < 1)
        return TELOS_ETRUNCATED_MESSAGE;
    struct slot *target = cnode_slot(&cnode->cap, mr[0], &err);
    if (!target)
        return err;
    switch (label) {
    case TELOS_CNODE_COPY:
    case TELOS_CNODE_MINT:
        if (len < (label == TELOS_CNODE_MINT ? 5u : 4u))
            return TELOS_ETRUNCATED_MESSAGE;
        if (target->cap.type != CAP_NULL)
            return TELOS_EDELETE_FIRST;
        return derive(t, target, mr, label == TELOS_CNODE_MINT);
    case TELOS_CNODE_MOVE: {
        if (len < 3)
            return TELOS_ETRUNCATED_MESSAGE;
        if (target->cap.type != CAP_NULL)
            return TELOS_EDELETE_FIRST;
        struct slot *src = source_slot(t, mr, &err);
        if (!src)
            return err;
        if (src != target)
            mdb_move(src, target);
        return TELOS_OK;
    }
    case TELOS_CNODE_DELETE:
        cap_delete(target);
        return TELOS_OK;
    case TELOS_CNODE_REVOKE:
        cap_revoke(target);
        /* Revoking a badged endpoint capability takes the badge from every client that had
         * it: their queued sends go too (seL4's CancelBadgedSends). */
        if (target->cap.type == CAP_ENDPOINT && target->cap.data)
            endpoint_cancel_badged_sends((struct endpoint *)target->cap.obj, target->cap.data);
        return TELOS_OK;
    default:
        return TELOS_EILLEGAL_OPERATION;
    }
}
