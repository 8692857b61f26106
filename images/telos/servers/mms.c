/* The Memory Management Server: it holds the untyped memory the root task delegated to
 * it (ARG3; its size in bits arrives as the start argument) and makes kernel objects on
 * request, handing each to the client as a granted capability. Free deletes the object
 * and, through revoke, every capability derived from it. ARG0 is its endpoint. */
#include <telos/servers.h>
#include "user/telos.h"
#include "lib/string.h"

#define FIRST_SLOT 32
#define LAST_SLOT  (1u << CHILD_CNODE_RADIX)

static u32 next_slot = FIRST_SLOT;
/* Room for every slot: the PMS gives back a whole process's objects at once. */
static u32 free_slots[LAST_SLOT - FIRST_SLOT], free_count;

static const char *type_name(u32 type)
{
    static const char *const names[] = { "?", "untyped", "TCB", "endpoint", "notification", "CNode", "frame",
                                         "page table", "page directory" };
    return type < sizeof names / sizeof names[0] ? names[type] : "?";
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
            u32 slot = free_count ? free_slots[--free_count] : next_slot < LAST_SLOT ? next_slot++ : 0;
            status = slot ? TELOS_INVOKE(CHILD_SLOT_ARG3, TELOS_UNTYPED_RETYPE, m.mr[0], m.mr[1], CHILD_SLOT_CNODE, slot, 1)
                          : TELOS_ENOT_ENOUGH_MEMORY;
            telos_printf("TelOS: MMS: allocation request from badge %x: %s -> %s\n", m.badge, type_name(m.mr[0]),
                         status ? telos_error_name(status) : "granted");
            if (status == TELOS_OK) {
                telos_ipc->caps_or_badges[0] = slot;
                m.mr[0] = slot;
                reply_len = 1;
                caps = 1;
            } else if (slot) {
                free_slots[free_count++] = slot;
            }
        } else if (label == MMS_FREE && TELOS_MSG_LENGTH(info) >= 1) {
            u32 slot = m.mr[0];
            u32 obj, rights, data;
            /* An empty slot was freed already: listing it twice would hand it out twice. */
            if (slot >= FIRST_SLOT && slot < next_slot && telos_cap_identify(CHILD_SLOT_CNODE, slot, &obj, &rights, &data)) {
                TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_REVOKE, slot);
                status = TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_DELETE, slot);
                if (status == TELOS_OK && free_count < sizeof free_slots / sizeof free_slots[0])
                    free_slots[free_count++] = slot;
            } else {
                status = TELOS_EINVALID_ARGUMENT;
            }
        }
        info = telos_reply_recv(CHILD_SLOT_ARG0, TELOS_MSG_INFO(status, caps, reply_len), &m);
    }
}
