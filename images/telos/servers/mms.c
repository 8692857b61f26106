/* The Memory Management Server: it holds the untyped memory the root task delegated to
 * it (ARG3; its size in bits arrives as the start argument) and makes kernel objects on
 * request, handing each to the client as a granted capability. ARG0 is its endpoint.
 * Each handle remembers the badge that allocated it, so only that client can free it, and
 * each badge spends from a quota in bytes the root task sets (servers.h).
 *
 * Freed memory is reused. The kernel carves objects out of an Untyped at its watermark and
 * resets the watermark only when the Untyped has no children left (seL4's rule), so one
 * Untyped that every object comes from never gets a byte back while anything else made
 * from it lives. Instead the MMS keeps its memory as a buddy tree of Untyped capabilities:
 * a block of 2^n bytes is split by retyping it into two Untyped halves, and every object is
 * retyped from a block of exactly its own size, which then has that one child. Free revokes
 * the block (the object and every capability to it go, the kernel finalises it) and so makes
 * the block whole again; when its buddy is free too both halves are deleted, leaving their
 * parent without children and whole, and so on up. No object is ever recycled by hand: the
 * kernel makes each one afresh, zeroed, and all that comes back is memory, merged as far as
 * its neighbours allow. A handle is the slot of the object's block.
 *
 * The object's own capability is made in NEW_OBJECT_SLOT and granted from there in the
 * reply; the MMS deletes its copy before the next allocation (the client's copy stays, a
 * descendant of the block), so the MMS holds a capability per block, not per object too. */
#include <telos/servers.h>
#include "user/telos.h"
#include "lib/string.h"

#define SLOTS (1u << MMS_CNODE_RADIX)
#define NEW_OBJECT_SLOT 32
#define FIRST_BLOCK_SLOT 33
#define WHOLE_SLOT CHILD_SLOT_ARG3 /* the Untyped we were given: the root of the tree */

/* A block of the buddy tree, by the slot of its Untyped capability. FREE blocks have no
 * children and sit on the free list of their size; SPLIT ones have exactly their two halves;
 * a USED one has the one object made from it (and that object's capabilities). */
enum { BLOCK_NONE = 0, BLOCK_FREE, BLOCK_SPLIT, BLOCK_USED };
static struct block {
    u8 state, bits;
    u16 parent;     /* the block this is a half of; 0 for the whole */
    u16 half[2];    /* SPLIT: its halves, low address first */
    u16 prev, next; /* FREE: neighbours on the free list of its size */
    u32 badge;      /* USED: the client that owns the object */
} blocks[SLOTS];
static u16 free_list[TELOS_MAX_UNTYPED_BITS + 1];
static u32 free_bytes, total_bytes;

/* Slots not holding a block, for the halves of the next split. */
static u16 spare_slots[SLOTS];
static u32 spare_count;

/* Per client badge: its quota and what it holds; a badge not listed has quota 0. */
static struct client { u32 badge, quota, used; } clients[MMS_MAX_CLIENTS];
static u32 client_count;

static struct client *client_of(u32 badge, bool add)
{
    for (u32 i = 0; i < client_count; i++)
        if (clients[i].badge == badge)
            return &clients[i];
    if (!add || client_count == MMS_MAX_CLIENTS)
        return NULL;
    clients[client_count] = (struct client){ badge, 0, 0 };
    return &clients[client_count++];
}

static void list_push(u32 s)
{
    struct block *b = &blocks[s];
    b->state = BLOCK_FREE;
    b->prev = 0;
    b->next = free_list[b->bits];
    if (b->next)
        blocks[b->next].prev = (u16)s;
    free_list[b->bits] = (u16)s;
}

static void list_remove(u32 s)
{
    struct block *b = &blocks[s];
    if (b->prev)
        blocks[b->prev].next = b->next;
    else
        free_list[b->bits] = b->next;
    if (b->next)
        blocks[b->next].prev = b->prev;
    b->prev = b->next = 0;
}

/* Splits free block `s` (off its list) into two halves, which go on their list. */
static u32 split(u32 s)
{
    struct block *b = &blocks[s];
    u32 lo = spare_slots[--spare_count], hi = spare_slots[--spare_count];
    u32 err = TELOS_INVOKE(s, TELOS_UNTYPED_RETYPE, TELOS_OBJ_UNTYPED, b->bits - 1u, CHILD_SLOT_CNODE, lo, 1);
    if (!err) {
        err = TELOS_INVOKE(s, TELOS_UNTYPED_RETYPE, TELOS_OBJ_UNTYPED, b->bits - 1u, CHILD_SLOT_CNODE, hi, 1);
        if (err)
            TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_DELETE, lo);
    }
    if (err) {
        spare_slots[spare_count++] = (u16)hi;
        spare_slots[spare_count++] = (u16)lo;
        return err;
    }
    b->state = BLOCK_SPLIT;
    b->half[0] = (u16)lo;
    b->half[1] = (u16)hi;
    for (u32 i = 0; i < 2; i++) {
        blocks[b->half[i]] = (struct block){ .bits = (u8)(b->bits - 1), .parent = (u16)s };
        list_push(b->half[i]);
    }
    return TELOS_OK;
}

/* Returns free block `s` to the tree: while its buddy is free too, both halves are deleted
 * (neither has children) and their parent, now childless and so whole, takes their place. */
static void give_back(u32 s)
{
    for (u32 parent = blocks[s].parent; parent; parent = blocks[s].parent) {
        struct block *p = &blocks[parent];
        u32 buddy = p->half[0] == s ? p->half[1] : p->half[0];
        if (blocks[buddy].state != BLOCK_FREE)
            break;
        list_remove(buddy);
        TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_DELETE, s);
        TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_DELETE, buddy);
        blocks[s].state = blocks[buddy].state = BLOCK_NONE;
        spare_slots[spare_count++] = (u16)buddy;
        spare_slots[spare_count++] = (u16)s;
        s = parent;
    }
    list_push(s);
}

/* A free block of exactly 2^bits bytes, taken off the free lists (0: none, *err says why):
 * the smallest free block that is large enough, split down to size. */
static u32 take(u32 bits, u32 *err)
{
    u32 n = bits;
    while (n <= TELOS_MAX_UNTYPED_BITS && !free_list[n])
        n++;
    if (n > TELOS_MAX_UNTYPED_BITS) {
        *err = TELOS_ENOT_ENOUGH_MEMORY;
        return 0;
    }
    /* Each split holds two more blocks: check for the slots first, so nothing is half done. */
    if (spare_count < 2 * (n - bits)) {
        telos_printf("TelOS: MMS: no room in our CNode for %u more blocks\n", 2 * (n - bits));
        *err = TELOS_ENOT_ENOUGH_MEMORY;
        return 0;
    }
    u32 s = free_list[n];
    list_remove(s);
    while (blocks[s].bits > bits) {
        *err = split(s);
        if (*err) {
            give_back(s);
            return 0;
        }
        s = blocks[s].half[0];
        list_remove(s);
    }
    free_bytes -= 1u << bits;
    return s;
}

/* The log2 of an object's size, as the kernel computes it (kernel/untyped.c); 0 for a
 * type that does not exist or that we do not make. */
static u32 object_bits(u32 type, u32 size_bits)
{
    switch (type) {
    case TELOS_OBJ_TCB: return TELOS_TCB_BITS;
    case TELOS_OBJ_ENDPOINT: return TELOS_ENDPOINT_BITS;
    case TELOS_OBJ_NOTIFICATION: return TELOS_NOTIFICATION_BITS;
    case TELOS_OBJ_CNODE: return size_bits > TELOS_MAX_UNTYPED_BITS ? size_bits : size_bits + TELOS_SLOT_BITS;
    case TELOS_OBJ_FRAME:
    case TELOS_OBJ_PAGE_TABLE:
    case TELOS_OBJ_PAGE_DIRECTORY: return TELOS_PAGE_BITS;
    default: return 0;
    }
}

static const char *type_name(u32 type)
{
    static const char *const names[] = { "?", "untyped", "TCB", "endpoint", "notification", "CNode", "frame",
                                         "page table", "page directory" };
    return type < sizeof names / sizeof names[0] ? names[type] : "?";
}

static u32 alloc(u32 badge, u32 type, u32 size_bits, u32 *handle)
{
    /* Objects only: whoever held Untyped memory could make objects past any quota. */
    if (type == TELOS_OBJ_UNTYPED) {
        telos_printf("TelOS: MMS: badge %x asked for Untyped memory: the MMS makes objects, never hands out memory\n",
                     badge);
        return TELOS_EILLEGAL_OPERATION;
    }
    u32 bits = object_bits(type, size_bits);
    if (!bits)
        return TELOS_EINVALID_ARGUMENT;
    /* Larger than any untyped region: no memory could hold it (and 1 << bits would wrap). */
    if (bits > TELOS_MAX_UNTYPED_BITS)
        return TELOS_ENOT_ENOUGH_MEMORY;
    /* A radix the kernel would refuse, refused before a block is split for it. */
    if (type == TELOS_OBJ_CNODE && (size_bits < 1 || size_bits > TELOS_MAX_CNODE_RADIX))
        return TELOS_ERANGE;
    u32 bytes = 1u << bits;
    struct client *c = client_of(badge, false);
    if (!c || c->used > c->quota || bytes > c->quota - c->used) {
        telos_printf("TelOS: MMS: badge %x is over its quota (%u of %u bytes held, %s of %u asked)\n", badge,
                     c ? c->used : 0, c ? c->quota : 0, type_name(type), bytes);
        return TELOS_ENOT_ENOUGH_MEMORY;
    }
    u32 err = 0, s = take(bits, &err);
    if (!s)
        return err;
    /* Our copy of the previous object's capability: its client has its own by now. */
    TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_DELETE, NEW_OBJECT_SLOT);
    err = TELOS_INVOKE(s, TELOS_UNTYPED_RETYPE, type, size_bits, CHILD_SLOT_CNODE, NEW_OBJECT_SLOT, 1);
    if (err) {
        give_back(s);   /* e.g. a page directory when the kernel has no address-space id left */
        free_bytes += bytes;
        return err;
    }
    blocks[s].state = BLOCK_USED;
    blocks[s].badge = badge;
    c->used += bytes;
    *handle = s;
    return TELOS_OK;
}

static u32 release(u32 badge, u32 s)
{
    /* Only a block holding an object is a handle: a free one was freed already. */
    if (s >= SLOTS || blocks[s].state != BLOCK_USED)
        return TELOS_EINVALID_ARGUMENT;
    if (blocks[s].badge != badge) {
        telos_printf("TelOS: MMS: badge %x may not free handle %u: badge %x owns it\n", badge, s, blocks[s].badge);
        return TELOS_EILLEGAL_OPERATION;
    }
    /* The object and every capability to it, wherever they were copied: the block is whole. */
    u32 status = TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_REVOKE, s);
    if (status != TELOS_OK)
        return status;
    struct client *c = client_of(badge, false);
    if (c)
        c->used -= 1u << blocks[s].bits;
    blocks[s].badge = 0;
    give_back(s);
    free_bytes += 1u << blocks[s].bits;
    return TELOS_OK;
}

/* The largest object we could make now: the largest free block. */
static u32 largest_free(void)
{
    for (u32 n = TELOS_MAX_UNTYPED_BITS + 1; n-- > 0;)
        if (free_list[n])
            return 1u << n;
    return 0;
}

int main(u32 role, u32 untyped_bits)
{
    bool log_grants = role & MMS_ROLE_LOG;
    telos_printf("TelOS: MMS: received untyped grant of %u KiB\n", (1u << untyped_bits) >> 10);
    for (u32 s = SLOTS; s-- > FIRST_BLOCK_SLOT;)
        spare_slots[spare_count++] = (u16)s;
    blocks[WHOLE_SLOT] = (struct block){ .bits = (u8)untyped_bits };
    list_push(WHOLE_SLOT);
    free_bytes = total_bytes = 1u << untyped_bits;
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    u32 info = telos_recv(CHILD_SLOT_ARG0, &m);
    for (;;) {
        u32 label = TELOS_MSG_LABEL(info), status = TELOS_EILLEGAL_OPERATION, reply_len = 0, caps = 0;
        if (label == MMS_ALLOC && TELOS_MSG_LENGTH(info) >= 2) {
            u32 type = m.mr[0], handle = 0;
            status = alloc(m.badge, type, m.mr[1], &handle);
            if (status || log_grants)
                telos_printf("TelOS: MMS: allocation request from badge %x: %s -> %s\n", m.badge, type_name(type),
                             status ? telos_error_name(status) : "granted");
            if (status == TELOS_OK) {
                telos_ipc->caps_or_badges[0] = NEW_OBJECT_SLOT;
                m.mr[0] = handle;
                reply_len = 1;
                caps = 1;
            }
        } else if (label == MMS_FREE && TELOS_MSG_LENGTH(info) >= 1) {
            status = release(m.badge, m.mr[0]);
        } else if (label == MMS_SET_QUOTA && TELOS_MSG_LENGTH(info) >= 2 && m.badge == BADGE_ROOT) {
            struct client *c = client_of(m.mr[0], true);
            status = c ? TELOS_OK : TELOS_ENOT_ENOUGH_MEMORY;
            if (c)
                c->quota = m.mr[1];
        } else if (label == MMS_USAGE) {
            struct client *c = client_of(m.badge, false);
            m.mr[0] = c ? c->used : 0;
            m.mr[1] = c ? c->quota : 0;
            reply_len = 2;
            status = TELOS_OK;
        } else if (label == MMS_STAT) {
            m.mr[0] = free_bytes;
            m.mr[1] = total_bytes;
            m.mr[2] = largest_free();
            reply_len = 3;
            status = TELOS_OK;
        }
        info = telos_reply_recv(CHILD_SLOT_ARG0, TELOS_MSG_INFO(status, caps, reply_len), &m);
    }
}
