/* Two-level i386 paging. The kernel window (physical memory, identity mapped with 4 MiB
 * supervisor pages) is shared by every page directory; user space is 1 GiB..3 GiB, so
 * the window covers the first 1 GiB of physical memory, all of it usable for objects. */
#ifndef TELOS_X86_PAGING_H
#define TELOS_X86_PAGING_H
#include <telos/abi.h>
#include <telos/types.h>

#define PAGE_SIZE        4096u
#define PTE_PRESENT      0x001u
#define PTE_WRITE        0x002u
#define PTE_USER         0x004u
#define PDE_LARGE        0x080u
#define PTE_GLOBAL       0x100u
#define KERNEL_WINDOW    TELOS_USER_BASE  /* physical memory below 1 GiB is kernel-addressable */
#define KERNEL_PDES      (KERNEL_WINDOW >> 22)

void paging_init(void);
/* Fills a fresh page directory's kernel half. */
void paging_init_directory(u32 *pd);
/* Switches to an address space (a page directory's physical address). */
void paging_activate(u32 pd_phys);
u32 *paging_kernel_directory(void);

#endif
