/* GDT and TSS: flat kernel and user segments (rings 0 and 3) and the one TSS whose esp0
 * tells the CPU where to save a user thread's registers on entry to the kernel. The TSS
 * carries the I/O permission bitmap (one bit per port, 0 = ring 3 may use it): every bit
 * is set except for the port ranges the running thread has bound (kernel/device.c). */
#include "arch/x86/cpu.h"
#include "lib/string.h"

struct tss {
    u32 prev, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    u32 eax, ecx, edx, ebx, esp, ebp, esi, edi;
    u32 es, cs, ss, ds, fs, gs, ldt;
    u16 trap, iomap_base;
};
_Static_assert(sizeof(struct tss) == 104, "the TSS layout is the CPU's");

/* The bitmap covers all 65536 ports and is closed by the 0xFF byte the CPU requires. */
static struct {
    struct tss tss;
    u8 iomap[8192];
    u8 end;
} tss_io;
#define tss tss_io.tss

static u64 gdt[6];

static u64 segment(u32 base, u32 limit, u8 access, u8 flags)
{
    return (u64)(limit & 0xFFFF) | ((u64)(base & 0xFFFFFF) << 16) | ((u64)access << 40) |
           ((u64)((limit >> 16) & 0xF) << 48) | ((u64)(flags & 0xF) << 52) | ((u64)(base >> 24) << 56);
}

void gdt_init(void)
{
    gdt[0] = 0;
    gdt[1] = segment(0, 0xFFFFF, 0x9A, 0xC); /* kernel code */
    gdt[2] = segment(0, 0xFFFFF, 0x92, 0xC); /* kernel data */
    gdt[3] = segment(0, 0xFFFFF, 0xFA, 0xC); /* user code, DPL 3 */
    gdt[4] = segment(0, 0xFFFFF, 0xF2, 0xC); /* user data, DPL 3 */
    memset(&tss, 0, sizeof tss);
    tss.ss0 = SEL_KERNEL_DATA;
    tss.esp0 = (u32)kernel_stack_top;
    tss.iomap_base = sizeof tss; /* the bitmap follows; all ports closed to ring 3 */
    memset(tss_io.iomap, 0xFF, sizeof tss_io.iomap);
    tss_io.end = 0xFF;
    gdt[5] = segment((u32)&tss_io, (u32)((u8 *)(&tss_io.end + 1) - (u8 *)&tss_io) - 1, 0x89, 0x0);

    struct { u16 limit; u32 base; } __attribute__((packed)) gdtr = { sizeof gdt - 1, (u32)gdt };
    __asm__ volatile(
        "lgdt %0\n\t"
        "ljmp %1, $1f\n"
        "1:\n\t"
        "mov %2, %%ax\n\t"
        "mov %%ax, %%ds\n\t"
        "mov %%ax, %%es\n\t"
        "mov %%ax, %%ss\n\t"
        "mov %%ax, %%fs\n\t"
        "mov %%ax, %%gs\n\t"
        "mov %3, %%ax\n\t"
        "ltr %%ax\n\t"
        : : "m"(gdtr), "i"(SEL_KERNEL_CODE), "i"(SEL_KERNEL_DATA), "i"(SEL_TSS) : "eax", "memory");
}

u32 *tss_esp0 = &tss.esp0;

/* Opens (`open`) or closes ports first..last to ring 3 in the TSS bitmap. */
void tss_io_set(u32 first, u32 last, bool open)
{
    for (u32 p = first; p <= last && p < 0x10000; p++) {
        if (open)
            tss_io.iomap[p >> 3] &= (u8)~(1u << (p & 7));
        else
            tss_io.iomap[p >> 3] |= (u8)(1u << (p & 7));
    }
}
