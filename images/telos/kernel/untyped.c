/* Untyped memory and retype: objects are carved at the untyped capability's watermark,
 * each aligned to its own size, zeroed, and entered in the MDB as children of the
 * untyped capability. Running out of room is an error returned to the caller. When an
 * untyped capability has no children left its memory is whole again (watermark 0). */
#include "kernel/object.h"
#include "arch/x86/paging.h"
#include "lib/string.h"

u32 object_size_bits(u32 type, u32 size_bits)
{
    switch (type) {
    case TELOS_OBJ_UNTYPED: return size_bits;
    case TELOS_OBJ_TCB: return TELOS_TCB_BITS;
    case TELOS_OBJ_ENDPOINT: return TELOS_ENDPOINT_BITS;
    case TELOS_OBJ_NOTIFICATION: return TELOS_NOTIFICATION_BITS;
    case TELOS_OBJ_CNODE: return size_bits + TELOS_SLOT_BITS;
    case TELOS_OBJ_FRAME:
    case TELOS_OBJ_PAGE_TABLE:
    case TELOS_OBJ_PAGE_DIRECTORY: return TELOS_PAGE_BITS;
    default: return 0;
    }
}

void object_init(u32 type, u32 addr, u32 size_bits)
{
    if (type != TELOS_OBJ_UNTYPED)
        memset((void *)addr, 0, 1u << size_bits);
    if (type == TELOS_OBJ_TCB)
        tcb_init((struct tcb *)addr);
    else if (type == TELOS_OBJ_PAGE_DIRECTORY) {
        paging_init_directory((u32 *)addr);
        vspace_assign_asid((u32 *)addr);
    }
}

static u32 default_rights(u32 type)
{
    (void)type;
    return TELOS_RIGHTS_ALL;
}

u32 untyped_retype(struct slot *ut, u32 type, u32 size_bits, struct slot *dest_cnode, u32 index, u32 count)
{
    if (type == 0 || type >= TELOS_OBJ_TYPE_COUNT)
        return TELOS_EINVALID_ARGUMENT;
    if (type == TELOS_OBJ_UNTYPED && (size_bits < TELOS_MIN_UNTYPED_BITS || size_bits > TELOS_MAX_UNTYPED_BITS))
        return TELOS_ERANGE;
    if (type == TELOS_OBJ_CNODE && (size_bits < 1 || size_bits > TELOS_MAX_CNODE_RADIX))
        return TELOS_ERANGE;
    if (count == 0 || count > 256)
        return TELOS_ERANGE;
    if (dest_cnode->cap.type != CAP_CNODE)
        return TELOS_EFAILED_LOOKUP;
    u32 radix = dest_cnode->cap.size_bits;
    if (index >= (1u << radix) || count > (1u << radix) - index)
        return TELOS_ERANGE;
    struct slot *dest = (struct slot *)dest_cnode->cap.obj + index;
    for (u32 i = 0; i < count; i++)
        if (dest[i].cap.type != CAP_NULL)
            return TELOS_EDELETE_FIRST;

    if (type == TELOS_OBJ_PAGE_DIRECTORY && vspace_free_asids() < count)
        return TELOS_ENOT_ENOUGH_MEMORY; /* out of address-space ids */
    u32 obj_bits = object_size_bits(type, size_bits);
    u32 ut_bits = ut->cap.size_bits;
    if (obj_bits > ut_bits)
        return TELOS_ENOT_ENOUGH_MEMORY;
    u32 watermark = mdb_has_children(ut) ? ut->cap.data : 0;
    u32 obj_size = 1u << obj_bits;
    u32 start = (watermark + obj_size - 1) & ~(obj_size - 1);
    u32 ut_size = ut_bits >= 32 ? 0 : 1u << ut_bits;
    if (start < watermark || start > ut_size || count > (ut_size - start) >> obj_bits)
        return TELOS_ENOT_ENOUGH_MEMORY;

    for (u32 i = 0; i < count; i++) {
        u32 addr = ut->cap.obj + start + i * obj_size;
        object_init(type, addr, obj_bits);
        struct cap c = {
            .type = (u8)type, .rights = (u8)default_rights(type),
            .size_bits = (u8)(type == TELOS_OBJ_UNTYPED || type == TELOS_OBJ_CNODE ? size_bits : obj_bits),
            .obj = addr,
        };
        mdb_insert_child(ut, &dest[i], &c);
    }
    ut->cap.data = start + count * obj_size;
    return TELOS_OK;
}
