/* Kernel window setup: identity-mapped 4 MiB global pages for physical memory below
 * KERNEL_WINDOW, present in every address space but only to ring 0. */
#include "arch/x86/paging.h"
#include "arch/x86/cpu.h"
#include "lib/string.h"

static u32 kernel_pd[1024] __attribute__((aligned(4096)));
static u32 global_flag;

static void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

void paging_init(void)
{
    u32 a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    u32 cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= 1u << 4; /* PSE: 4 MiB pages */
    if (d & (1u << 13)) {
        cr4 |= 1u << 7; /* PGE: kernel mappings survive CR3 reloads */
        global_flag = PTE_GLOBAL;
    }
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
    memset(kernel_pd, 0, sizeof kernel_pd);
    paging_init_directory(kernel_pd);
    write_cr3((u32)kernel_pd);
    u32 cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 |= 0x80010000u; /* PG and WP */
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
}

void paging_init_directory(u32 *pd)
{
    for (u32 i = 0; i < KERNEL_PDES; i++)
        pd[i] = (i << 22) | PDE_LARGE | PTE_WRITE | PTE_PRESENT | global_flag;
}

void paging_activate(u32 pd_phys)
{
    if (read_cr3() != pd_phys)
        write_cr3(pd_phys);
}

u32 *paging_kernel_directory(void) { return kernel_pd; }
