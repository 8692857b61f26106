/* Building the root task, as seL4 does: the kernel makes the first thread's CNode, page
 * directory, page tables, image frames, stack, IPC buffer and boot information out of
 * free memory, hands it every remaining byte as Untyped capabilities, and maps the
 * embedded user program images read-only so the root task can start them. */
#include <telos/abi.h>
#include <telos/multiboot.h>
#include "kernel/object.h"
#include "kernel/console.h"
#include "kernel/modules.h"
#include "arch/x86/paging.h"
#include "lib/string.h"

extern u8 __kernel_end[];

struct region {
    u32 start, end;
};

static struct region free_regions[8];
static u32 free_region_count;
static u32 boot_cursor;

static void collect_free_memory(const struct multiboot_info *mbi)
{
    u32 kernel_end = ((u32)__kernel_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (!(mbi->flags & MULTIBOOT_INFO_MMAP))
        panic("no memory map from the loader");
    for (uptr p = mbi->mmap_addr; p < mbi->mmap_addr + mbi->mmap_length;) {
        const struct multiboot_mmap_entry *e = (const void *)p;
        p += e->size + 4;
        if (e->type != MULTIBOOT_MEMORY_AVAILABLE || e->addr >= KERNEL_WINDOW)
            continue;
        u64 end64 = e->addr + e->len;
        u32 start = (u32)e->addr, end = end64 > KERNEL_WINDOW ? KERNEL_WINDOW : (u32)end64;
        if (start < kernel_end)
            start = kernel_end;
        start = (start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        end &= ~(PAGE_SIZE - 1);
        if (end > start && free_region_count < ARRAY_LEN(free_regions))
            free_regions[free_region_count++] = (struct region){ start, end };
    }
    if (!free_region_count)
        panic("no free memory above the kernel");
    boot_cursor = free_regions[0].start;
}

static u32 boot_alloc(u32 bits)
{
    u32 size = 1u << bits;
    u32 p = (boot_cursor + size - 1) & ~(size - 1);
    if (p + size > free_regions[0].end)
        panic("out of memory building the root task");
    boot_cursor = p + size;
    memset((void *)p, 0, size);
    return p;
}

static struct slot *root_slots;
static u32 next_slot;

static struct slot *root_cap(u32 type, u32 obj, u32 size_bits)
{
    struct slot *s = &root_slots[next_slot++];
    struct cap c = { .type = (u8)type, .rights = TELOS_RIGHTS_ALL, .size_bits = (u8)size_bits, .obj = obj };
    mdb_insert_child(NULL, s, &c);
    return s;
}

static void map_page(u32 *pd, u32 vaddr, u32 paddr, bool writable, struct slot *frame_cap)
{
    u32 pde = pd[vaddr >> 22];
    if (!(pde & PTE_PRESENT))
        panic("boot: no page table for %08x", vaddr);
    u32 *pt = (u32 *)(pde & ~0xFFFu);
    pt[(vaddr >> 12) & 1023] = paddr | PTE_USER | PTE_PRESENT | (writable ? PTE_WRITE : 0);
    if (frame_cap) {
        frame_cap->cap.data = vaddr | (pd[1023] >> 12);
        frame_cap->cap.data2 = (u32)pd;
    }
}

static void make_page_table(u32 *pd, u32 vaddr)
{
    u32 pt = boot_alloc(TELOS_PAGE_BITS);
    struct slot *s = root_cap(CAP_PAGE_TABLE, pt, TELOS_PAGE_BITS);
    pd[vaddr >> 22] = pt | PTE_USER | PTE_WRITE | PTE_PRESENT;
    s->cap.data = (vaddr & ~0x3FFFFFu) | (pd[1023] >> 12);
    s->cap.data2 = (u32)pd;
}

/* Splits [start, end) into naturally aligned power-of-two blocks. */
static void give_untyped(struct telos_bootinfo *bi, u32 start, u32 end)
{
    while (start < end && bi->untyped_count < TELOS_MAX_UNTYPEDS) {
        u32 bits = TELOS_MAX_UNTYPED_BITS;
        while (bits > TELOS_PAGE_BITS && ((start & ((1u << bits) - 1)) || start + (1u << bits) > end || start + (1u << bits) < start))
            bits--;
        if (start + (1u << bits) > end)
            break;
        root_cap(CAP_UNTYPED, start, bits);
        bi->untyped[bi->untyped_count++] = (struct telos_untyped_desc){ start, bits };
        start += 1u << bits;
    }
}

static char boot_cmdline[256];

void boot_root_task(const void *multiboot_info)
{
    const struct multiboot_info *mbi = multiboot_info;
    /* Loaders may leave the command line in what is free memory to us: copy it first. */
    if (mbi->flags & MULTIBOOT_INFO_CMDLINE) {
        const char *cmd = (const char *)mbi->cmdline;
        usize n = strlen(cmd);
        if (n >= sizeof boot_cmdline)
            n = sizeof boot_cmdline - 1;
        memcpy(boot_cmdline, cmd, n);
    }
    collect_free_memory(mbi);
    const struct boot_module *root_image = &boot_module_table[0];
    const struct telos_image_header *hdr = (const void *)root_image->start;
    if (hdr->magic != TELOS_IMAGE_MAGIC)
        panic("root task image has no TelOS header");

    /* Objects of the root task. */
    u32 cnode = boot_alloc(TELOS_ROOT_CNODE_RADIX + TELOS_SLOT_BITS);
    root_slots = (struct slot *)cnode;
    next_slot = TELOS_SLOT_TCB;
    struct tcb *tcb = (struct tcb *)boot_alloc(TELOS_TCB_BITS);
    tcb_init(tcb);
    root_cap(CAP_TCB, (u32)tcb, TELOS_TCB_BITS);
    struct slot *cnode_cap = root_cap(CAP_CNODE, cnode, TELOS_ROOT_CNODE_RADIX);
    u32 *pd = (u32 *)boot_alloc(TELOS_PAGE_BITS);
    paging_init_directory(pd);
    vspace_assign_asid(pd);
    struct slot *pd_cap = root_cap(CAP_PAGE_DIRECTORY, (u32)pd, TELOS_PAGE_BITS);
    u32 ipc_frame = boot_alloc(TELOS_PAGE_BITS);
    struct slot *ipc_cap = root_cap(CAP_FRAME, ipc_frame, TELOS_PAGE_BITS);
    u32 bi_frame = boot_alloc(TELOS_PAGE_BITS);
    struct slot *bi_cap = root_cap(CAP_FRAME, bi_frame, TELOS_PAGE_BITS);
    struct telos_bootinfo *bi = (struct telos_bootinfo *)bi_frame;

    /* Device access for user-space drivers. */
    next_slot = TELOS_SLOT_IO_PORTS;
    struct slot *ports = root_cap(CAP_IO_PORT, 0, 0);
    ports->cap.data = 0xFFFF;
    root_cap(CAP_IRQ_CONTROL, 0, 0);

    make_page_table(pd, TELOS_USER_BASE);
    make_page_table(pd, TELOS_ROOT_IPC_BUFFER);
    make_page_table(pd, TELOS_MODULES_VADDR);
    map_page(pd, TELOS_ROOT_IPC_BUFFER, ipc_frame, true, ipc_cap);
    map_page(pd, TELOS_BOOTINFO_VADDR, bi_frame, false, bi_cap);

    /* The root task's image, copied into fresh frames (bss zeroed). */
    u32 image_bytes = root_image->end - root_image->start;
    u32 mem_size = hdr->mem_end - TELOS_USER_BASE;
    if (mem_size > 0x400000)
        panic("root task image too large");
    for (u32 off = 0; off < mem_size; off += PAGE_SIZE) {
        u32 frame = boot_alloc(TELOS_PAGE_BITS);
        if (off < image_bytes)
            memcpy((void *)frame, (const u8 *)root_image->start + off, image_bytes - off < PAGE_SIZE ? image_bytes - off : PAGE_SIZE);
        map_page(pd, TELOS_USER_BASE + off, frame, true, root_cap(CAP_FRAME, frame, TELOS_PAGE_BITS));
    }
    for (u32 i = 1; i <= TELOS_ROOT_STACK_PAGES; i++) {
        u32 frame = boot_alloc(TELOS_PAGE_BITS);
        map_page(pd, TELOS_ROOT_STACK_TOP - i * PAGE_SIZE, frame, true, root_cap(CAP_FRAME, frame, TELOS_PAGE_BITS));
    }
    /* Every embedded program, read-only, for the root task to load. */
    u32 modules_base = boot_module_table[0].start & ~(PAGE_SIZE - 1);
    u32 modules_end = (boot_module_table[boot_module_count - 1].end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (modules_end - modules_base > 0x400000)
        panic("embedded programs exceed 4 MiB");
    for (u32 p = modules_base; p < modules_end; p += PAGE_SIZE)
        map_page(pd, TELOS_MODULES_VADDR + (p - modules_base), p, false, NULL);

    /* Boot information. */
    bi->magic = TELOS_BOOTINFO_MAGIC;
    bi->cnode_radix = TELOS_ROOT_CNODE_RADIX;
    bi->priority = TELOS_MAX_PRIORITY;
    bi->module_count = boot_module_count < TELOS_MAX_MODULES ? boot_module_count : TELOS_MAX_MODULES;
    for (u32 i = 0; i < bi->module_count; i++) {
        memcpy(bi->modules[i].name, boot_module_table[i].name, sizeof bi->modules[i].name);
        bi->modules[i].vaddr = TELOS_MODULES_VADDR + (boot_module_table[i].start - modules_base);
        bi->modules[i].size = boot_module_table[i].end - boot_module_table[i].start;
    }
    memcpy(bi->cmdline, boot_cmdline, sizeof bi->cmdline);
    bi->untyped_first = next_slot;
    give_untyped(bi, boot_cursor, free_regions[0].end);
    for (u32 r = 1; r < free_region_count; r++)
        give_untyped(bi, free_regions[r].start, free_regions[r].end);
    bi->empty_first = next_slot;
    bi->empty_last = 1u << TELOS_ROOT_CNODE_RADIX;

    u32 untyped_bytes = 0;
    for (u32 i = 0; i < bi->untyped_count; i++)
        untyped_bytes += 1u << bi->untyped[i].size_bits;
    kprintf("TelOS: root task: %u untyped capabilities, %u KiB free, %u programs embedded\n", bi->untyped_count,
            untyped_bytes >> 10, bi->module_count);

    /* The thread itself. */
    mdb_insert_child(cnode_cap, &tcb->cspace_slot, &cnode_cap->cap);
    mdb_insert_child(pd_cap, &tcb->vspace_slot, &pd_cap->cap);
    struct cap ipc_copy = ipc_cap->cap;
    ipc_copy.data = ipc_copy.data2 = 0;
    mdb_insert_child(ipc_cap, &tcb->ipc_frame_slot, &ipc_copy);
    tcb->ipc_buffer_vaddr = TELOS_ROOT_IPC_BUFFER;
    tcb->priority = TELOS_MAX_PRIORITY;
    tcb->ctx.eip = hdr->entry;
    tcb->ctx.esp = TELOS_ROOT_STACK_TOP;
    memcpy(tcb->name, "root", 5);
    sched_make_runnable(tcb);
}
