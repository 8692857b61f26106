/* The Memory Management Server: it holds the untyped memory the root task delegated to
 * it (ARG3; its size in bits arrives as the start argument) and makes kernel objects on
 * request, handing each to the client as a granted capability. Free deletes the object
 * and, through revoke, every capability derived from it. ARG0 is its endpoint.
 * Each handle remembers the badge that allocated it, so only that client can free it, and
 * each badge spends from a quota in bytes the root task sets (servers.h). */
#include <telos/servers.h>
#include "user/telos.h"
#include "lib/string.h"

#define FIRST_SLOT 32
#define LAST_SLOT  (1u << CHILD_CNODE_RADIX)

static u32 next_slot = FIRST_SLOT;
/* Room for every slot: the PMS gives back a whole process's objects at once. */
static u32 free_slots[LAST_SLOT - FIRST_SLOT], free_count;

/* Per handle: who allocated it and what it costs. */
static struct { u32 badge, bytes; } owners[LAST_SLOT];

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

/* The log2 of an object's size, as the kernel computes it (kernel/untyped.c); 0 for a
 * type that does not exist. */
static u32 object_bits(u32 type, u32 size_bits)
{
    switch (type) {
    case TELOS_OBJ_UNTYPED: return size_bits;
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
    u32 bits = object_bits(type, size_bits);
    if (!bits)
        return TELOS_EINVALID_ARGUMENT;
    /* Larger than any untyped region: no memory could hold it (and 1 << bits would wrap). */
    if (bits > TELOS_MAX_UNTYPED_BITS)
        return TELOS_ENOT_ENOUGH_MEMORY;
    u32 bytes = 1u << bits;
    struct client *c = client_of(badge, false);
    if (!c || c->used > c->quota || bytes > c->quota - c->used) {
        telos_printf("TelOS: MMS: badge %x is over its quota (%u of %u bytes held, %s of %u asked)\n", badge,
                     c ? c->used : 0, c ? c->quota : 0, type_name(type), bytes);
        return TELOS_ENOT_ENOUGH_MEMORY;
    }
    u32 slot = free_count ? free_slots[--free_count] : next_slot < LAST_SLOT ? next_slot++ : 0;
    if (!slot)
        return TELOS_ENOT_ENOUGH_MEMORY;
    u32 status = TELOS_INVOKE(CHILD_SLOT_ARG3, TELOS_UNTYPED_RETYPE, type, size_bits, CHILD_SLOT_CNODE, slot, 1);
    if (status) {
        free_slots[free_count++] = slot;
        return status;
    }
    owners[slot].badge = badge;
    owners[slot].bytes = bytes;
    c->used += bytes;
    *handle = slot;
    return TELOS_OK;
}

static u32 release(u32 badge, u32 slot)
{
    u32 obj, rights, data;
    /* An empty slot was freed already: listing it twice would hand it out twice. */
    if (slot < FIRST_SLOT || slot >= next_slot || !telos_cap_identify(CHILD_SLOT_CNODE, slot, &obj, &rights, &data))
        return TELOS_EINVALID_ARGUMENT;
    if (owners[slot].badge != badge) {
        telos_printf("TelOS: MMS: badge %x may not free handle %u: badge %x owns it\n", badge, slot,
                     owners[slot].badge);
        return TELOS_EILLEGAL_OPERATION;
    }
    TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_REVOKE, slot);
    u32 status = TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_DELETE, slot);
    if (status != TELOS_OK)
        return status;
    struct client *c = client_of(badge, false);
    if (c)
        c->used -= owners[slot].bytes;
    owners[slot].badge = owners[slot].bytes = 0;
    if (free_count < sizeof free_slots / sizeof free_slots[0])
        free_slots[free_count++] = slot;
    return TELOS_OK;
}

int main(u32 role, u32 untyped_bits)
{
    (void)role;
    telos_printf("TelOS: MMS: received untyped grant of %u KiB\n", (1u << untyped_bits) >> 10);
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    u32 info = telos_recv(CHILD_SLOT_ARG0, &m);
    for (;;) {
        u32 label = TELOS_MSG_LABEL(info), status = TELOS_EILLEGAL_OPERATION, reply_len = 0, caps = 0;
        if (label == MMS_ALLOC && TELOS_MSG_LENGTH(info) >= 2) {
            u32 type = m.mr[0], handle = 0;
            status = alloc(m.badge, type, m.mr[1], &handle);
            telos_printf("TelOS: MMS: allocation request from badge %x: %s -> %s\n", m.badge, type_name(type),
                         status ? telos_error_name(status) : "granted");
            if (status == TELOS_OK) {
                telos_ipc->caps_or_badges[0] = handle;
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
            u32 obj, rights, used = 0;
            telos_cap_identify(CHILD_SLOT_CNODE, CHILD_SLOT_ARG3, &obj, &rights, &used);
            m.mr[0] = (1u << untyped_bits) - used;
            m.mr[1] = 1u << untyped_bits;
            m.mr[2] = m.mr[0];
            reply_len = 3;
            status = TELOS_OK;
        }
        info = telos_reply_recv(CHILD_SLOT_ARG0, TELOS_MSG_INFO(status, caps, reply_len), &m);
    }
}
