/* The boot bench's baseline: an empty multiboot kernel. It writes one byte to COM1 so
 * the host can see it has started, then halts for good. */
#include <telos/multiboot.h>

    .section .multiboot, "a"
    .align 4
    .long MULTIBOOT_HEADER_MAGIC
    .long MULTIBOOT_HEADER_FLAGS
    .long -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS)

    .section .text
    .globl _start
_start:
    cli
    movw $0x3F8, %dx
    movb $'.', %al
    outb %al, %dx
1:  hlt
    jmp 1b
