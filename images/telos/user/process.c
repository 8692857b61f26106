/* Process construction shared by the root task and the Process Management Server. */
#include "user/process.h"
#include "user/telos.h"
#include "lib/string.h"

#define TRY(expr)              \
    do {                       \
        u32 _e = (expr);       \
        if (_e)                \
            return _e;         \
    } while (0)

static u32 make(const struct process_builder *b, u32 type, u32 bits, u32 *slot)
{
    u32 err = 0;
    *slot = b->alloc(type, bits, &err);
    return *slot ? 0 : (err ? err : TELOS_ENOT_ENOUGH_MEMORY);
}

void thread_set_name(u32 tcb, const char *name)
{
    u32 w[4] = { 0, 0, 0, 0 };
    for (u32 i = 0; i < 15 && name[i]; i++)
        w[i / 4] |= (u32)(u8)name[i] << ((i % 4) * 8);
    TELOS_INVOKE(tcb, TELOS_TCB_SET_NAME, w[0], w[1], w[2], w[3]);
}

u32 process_build(const struct process_builder *b, const u8 *image, u32 image_size, const char *name, u32 role,
                  u32 arg, u32 priority, u32 fault_ep, const struct cap_grant *caps, u32 ncaps, bool start,
                  struct process *p)
{
    const struct telos_image_header *hdr = (const void *)image;
    if (image_size < sizeof *hdr || hdr->magic != TELOS_IMAGE_MAGIC || hdr->mem_end <= TELOS_USER_BASE ||
        hdr->mem_end - TELOS_USER_BASE > 0x400000)
        return TELOS_EINVALID_ARGUMENT;
    memset(p, 0, sizeof *p);
    p->entry = hdr->entry;
    u32 pt;
    TRY(make(b, TELOS_OBJ_CNODE, b->cnode_radix ? b->cnode_radix : CHILD_CNODE_RADIX, &p->cnode));
    TRY(make(b, TELOS_OBJ_PAGE_DIRECTORY, 0, &p->pd));
    TRY(make(b, TELOS_OBJ_PAGE_TABLE, 0, &pt));
    TRY(TELOS_INVOKE(pt, TELOS_PAGE_TABLE_MAP, p->pd, TELOS_USER_BASE));
    TRY(make(b, TELOS_OBJ_PAGE_TABLE, 0, &pt));
    TRY(TELOS_INVOKE(pt, TELOS_PAGE_TABLE_MAP, p->pd, CHILD_IPC_BUFFER));
    u32 mem = hdr->mem_end - TELOS_USER_BASE;
    for (u32 off = 0; off < mem; off += 4096) {
        u32 frame;
        TRY(make(b, TELOS_OBJ_FRAME, 0, &frame));
        if (off < image_size) {
            TRY(TELOS_INVOKE(frame, TELOS_FRAME_MAP, b->own_vspace, b->scratch_vaddr, TELOS_RIGHT_WRITE));
            u32 n = image_size - off < 4096 ? image_size - off : 4096;
            memcpy((void *)b->scratch_vaddr, image + off, n);
            TRY(TELOS_INVOKE0(frame, TELOS_FRAME_UNMAP));
        }
        TRY(TELOS_INVOKE(frame, TELOS_FRAME_MAP, p->pd, TELOS_USER_BASE + off, TELOS_RIGHT_WRITE));
    }
    for (u32 i = 1; i <= CHILD_STACK_PAGES; i++) {
        u32 frame;
        TRY(make(b, TELOS_OBJ_FRAME, 0, &frame));
        TRY(TELOS_INVOKE(frame, TELOS_FRAME_MAP, p->pd, CHILD_STACK_TOP - i * 4096, TELOS_RIGHT_WRITE));
    }
    TRY(make(b, TELOS_OBJ_FRAME, 0, &p->ipc_frame));
    TRY(TELOS_INVOKE(p->ipc_frame, TELOS_FRAME_MAP, p->pd, CHILD_IPC_BUFFER, TELOS_RIGHT_WRITE));
    TRY(make(b, TELOS_OBJ_TCB, 0, &p->tcb));
    const struct cap_grant own[] = {
        { p->tcb, CHILD_SLOT_TCB, TELOS_RIGHTS_ALL },
        { p->cnode, CHILD_SLOT_CNODE, TELOS_RIGHTS_ALL },
        { p->pd, CHILD_SLOT_VSPACE, TELOS_RIGHTS_ALL },
        { p->ipc_frame, CHILD_SLOT_IPC_FRAME, TELOS_RIGHTS_ALL },
    };
    for (u32 i = 0; i < 4; i++)
        TRY(TELOS_INVOKE(p->cnode, TELOS_CNODE_COPY, own[i].dest, b->own_cnode, own[i].src, own[i].rights));
    for (u32 i = 0; i < ncaps; i++)
        TRY(TELOS_INVOKE(p->cnode, TELOS_CNODE_COPY, caps[i].dest, b->own_cnode, caps[i].src, caps[i].rights));
    TRY(TELOS_INVOKE(p->tcb, TELOS_TCB_CONFIGURE, fault_ep, p->cnode, p->pd, CHILD_IPC_BUFFER, p->ipc_frame));
    thread_set_name(p->tcb, name);
    TRY(TELOS_INVOKE(p->tcb, TELOS_TCB_SET_PRIORITY, priority));
    TRY(TELOS_INVOKE(p->tcb, TELOS_TCB_WRITE_REGISTERS, p->entry, CHILD_STACK_TOP, role, arg, CHILD_IPC_BUFFER));
    if (start)
        TRY(TELOS_INVOKE0(p->tcb, TELOS_TCB_RESUME));
    return 0;
}
