/* Address spaces: mapping page tables into page directories and frames into page
 * tables. A frame or page-table capability records the one mapping it made, so deleting
 * the capability removes the mapping. Each page directory has an address-space id, as in
 * seL4: a mapping records it, so a mapping whose page directory has since been deleted
 * (and its memory perhaps reused) is recognised as gone and never written through. */
#include "kernel/object.h"
#include "arch/x86/paging.h"

#define ASID_COUNT 1024
#define ASID_PDE   1023 /* kept in the non-present top entry, which the CPU ignores */

static u32 *asid_table[ASID_COUNT]; /* 0 is never used */
static u32 asid_next = 1;

u32 vspace_free_asids(void)
{
    u32 n = 0;
    for (u32 i = 1; i < ASID_COUNT; i++)
        n += !asid_table[i];
    return n;
}

bool vspace_assign_asid(u32 *pd)
{
    for (u32 tries = 1; tries < ASID_COUNT; tries++) {
        u32 a = asid_next;
        asid_next = asid_next + 1 < ASID_COUNT ? asid_next + 1 : 1;
        if (!asid_table[a]) {
            asid_table[a] = pd;
            pd[ASID_PDE] = a << 12;
            return true;
        }
    }
    return false;
}

void vspace_release_asid(u32 *pd)
{
    u32 a = pd[ASID_PDE] >> 12;
    if (a && a < ASID_COUNT && asid_table[a] == pd)
        asid_table[a] = NULL;
}

static u32 pd_asid(const u32 *pd) { return pd[ASID_PDE] >> 12; }

static u32 *lookup_directory(struct tcb *t, u32 cptr, u32 *err)
{
    struct slot *s = cspace_lookup(t, cptr, err);
    if (!s)
        return NULL;
    if (s->cap.type != CAP_PAGE_DIRECTORY) {
        *err = TELOS_EINVALID_CAPABILITY;
        return NULL;
    }
    return (u32 *)s->cap.obj;
}

static void flush_if_active(u32 *pd, u32 vaddr, bool whole)
{
    if (read_cr3() != (u32)pd)
        return;
    if (whole)
        write_cr3((u32)pd);
    else
        invlpg(vaddr);
}

u32 invoke_page_table(struct tcb *t, struct slot *s, u32 label, const u32 *mr, u32 len)
{
    if (label != TELOS_PAGE_TABLE_MAP)
        return TELOS_EILLEGAL_OPERATION;
    if (len < 2)
        return TELOS_ETRUNCATED_MESSAGE;
    if (s->cap.data2)
        return TELOS_EILLEGAL_OPERATION; /* already mapped */
    u32 err = 0;
    u32 *pd = lookup_directory(t, mr[0], &err);
    if (!pd)
        return err;
    u32 vaddr = mr[1] & ~0x3FFFFFu;
    if (vaddr < TELOS_USER_BASE || vaddr >= TELOS_USER_TOP)
        return TELOS_EINVALID_ARGUMENT;
    u32 *pde = &pd[vaddr >> 22];
    if (*pde & PTE_PRESENT)
        return TELOS_EDELETE_FIRST;
    *pde = s->cap.obj | PTE_USER | PTE_WRITE | PTE_PRESENT;
    s->cap.data = vaddr | pd_asid(pd);
    s->cap.data2 = (u32)pd;
    return TELOS_OK;
}

u32 invoke_frame(struct tcb *t, struct slot *s, u32 label, const u32 *mr, u32 len, u32 *reply, u32 *reply_len)
{
    switch (label) {
    case TELOS_FRAME_MAP: {
        if (len < 3)
            return TELOS_ETRUNCATED_MESSAGE;
        if (s->cap.data2)
            return TELOS_EILLEGAL_OPERATION;
        u32 err = 0;
        u32 *pd = lookup_directory(t, mr[0], &err);
        if (!pd)
            return err;
        u32 vaddr = mr[1];
        if (vaddr & (PAGE_SIZE - 1))
            return TELOS_EALIGNMENT;
        if (vaddr < TELOS_USER_BASE || vaddr >= TELOS_USER_TOP)
            return TELOS_EINVALID_ARGUMENT;
        u32 pde = pd[vaddr >> 22];
        if (!(pde & PTE_PRESENT) || (pde & PDE_LARGE))
            return TELOS_EFAILED_LOOKUP;
        u32 *pte = &((u32 *)(pde & ~0xFFFu))[(vaddr >> 12) & 1023];
        if (*pte & PTE_PRESENT)
            return TELOS_EDELETE_FIRST;
        bool writable = (mr[2] & TELOS_RIGHT_WRITE) && (s->cap.rights & TELOS_RIGHT_WRITE);
        *pte = s->cap.obj | PTE_USER | PTE_PRESENT | (writable ? PTE_WRITE : 0);
        s->cap.data = vaddr | pd_asid(pd);
        s->cap.data2 = (u32)pd;
        flush_if_active(pd, vaddr, false);
        return TELOS_OK;
    }
    case TELOS_FRAME_UNMAP:
        vspace_unmap_cap(&s->cap);
        s->cap.data = s->cap.data2 = 0;
        return TELOS_OK;
    case TELOS_FRAME_GET_ADDRESS:
        reply[0] = s->cap.obj;
        *reply_len = 1;
        return TELOS_OK;
    default:
        return TELOS_EILLEGAL_OPERATION;
    }
}

void vspace_unmap_cap(struct cap *c)
{
    u32 *pd = (u32 *)c->data2;
    u32 asid = c->data & 0xFFFu, vaddr = c->data & ~0xFFFu;
    c->data = c->data2 = 0;
    if (!pd || !asid || asid_table[asid] != pd)
        return; /* never mapped, or its address space is gone */
    u32 *pde = &pd[vaddr >> 22];
    if (c->type == CAP_PAGE_TABLE) {
        if ((*pde & PTE_PRESENT) && !(*pde & PDE_LARGE) && (*pde & ~0xFFFu) == c->obj) {
            *pde = 0;
            flush_if_active(pd, vaddr, true);
        }
    } else if (c->type == CAP_FRAME) {
        if ((*pde & PTE_PRESENT) && !(*pde & PDE_LARGE)) {
            u32 *pte = &((u32 *)(*pde & ~0xFFFu))[(vaddr >> 12) & 1023];
            if ((*pte & ~0xFFFu) == c->obj) {
                *pte = 0;
                flush_if_active(pd, vaddr, false);
            }
        }
    }
}
