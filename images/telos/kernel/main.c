/* Kernel entry from the multiboot loader: console, CPU tables, paging, interrupts, the
 * scheduler and the root task, then the first switch to user mode. */
#include <telos/multiboot.h>
#include "kernel/console.h"
#include "kernel/object.h"
#include "arch/x86/io.h"
#include "arch/x86/paging.h"

#define TIMER_HZ 100

static void print_memory_map(const struct multiboot_info *mbi)
{
    if (!(mbi->flags & MULTIBOOT_INFO_MMAP)) {
        kputs("TelOS: no multiboot memory map\n");
        return;
    }
    kputs("TelOS: multiboot memory map:\n");
    uptr p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
    while (p < end) {
        const struct multiboot_mmap_entry *e = (const void *)p;
        kprintf("TelOS:   %016llx-%016llx %s\n", e->addr, e->addr + e->len - 1,
                e->type == MULTIBOOT_MEMORY_AVAILABLE ? "usable" : "reserved");
        p += e->size + 4;
    }
}

void kmain(u32 magic, const struct multiboot_info *mbi)
{
    console_init();
    kputs("TelOS: kernel booting\n");
    if (magic != MULTIBOOT_LOADER_MAGIC)
        panic("not started by a multiboot loader (magic %08x)", magic);
    print_memory_map(mbi);
    gdt_init();
    idt_init();
    paging_init();
    pic_init();
    pit_init(TIMER_HZ);
    kputs("TelOS: GDT, TSS, IDT, paging and timer ready\n");
    scheduler_init();
    boot_root_task(mbi);
    kputs("TelOS: entering user mode\n");
    sched_run();
}
