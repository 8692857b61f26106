/* Multiboot 1: the header the kernel carries and the information structure the loader
 * (v86's multiboot option, QEMU's -kernel) hands over in EBX. */
#ifndef TELOS_MULTIBOOT_H
#define TELOS_MULTIBOOT_H

#define MULTIBOOT_HEADER_MAGIC   0x1BADB002
#define MULTIBOOT_LOADER_MAGIC   0x2BADB002
/* Header flags: page-align modules (bit 0) and ask for memory information (bit 1). */
#define MULTIBOOT_HEADER_FLAGS   0x00000003

#define MULTIBOOT_INFO_MEMORY    (1u << 0)
#define MULTIBOOT_INFO_CMDLINE   (1u << 2)
#define MULTIBOOT_INFO_MODS      (1u << 3)
#define MULTIBOOT_INFO_MMAP      (1u << 6)

#ifndef __ASSEMBLER__
#include <telos/types.h>

struct multiboot_info {
    u32 flags;
    u32 mem_lower, mem_upper;
    u32 boot_device;
    u32 cmdline;
    u32 mods_count, mods_addr;
    u32 syms[4];
    u32 mmap_length, mmap_addr;
} __attribute__((packed));

/* One memory map entry; `size` does not count itself. */
struct multiboot_mmap_entry {
    u32 size;
    u64 addr;
    u64 len;
    u32 type; /* 1 = usable RAM */
} __attribute__((packed));

#define MULTIBOOT_MEMORY_AVAILABLE 1
#endif
#endif
