/* Multiboot entry: the loader jumps here in 32-bit protected mode with paging off,
 * interrupts off, EAX = loader magic and EBX = multiboot info. There is no usable GDT,
 * IDT or stack yet; we set a stack and hand over to C, which installs the rest. */
#include <telos/multiboot.h>

    .section .multiboot, "a"
    .align 4
    .long MULTIBOOT_HEADER_MAGIC
    .long MULTIBOOT_HEADER_FLAGS
    .long -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS)

    .section .bss
    .align 16
    .globl boot_stack_top
boot_stack:
    .skip 16384
boot_stack_top:

    .section .text
    .globl _start
_start:
    cli
    cld
    movl $boot_stack_top, %esp
    xorl %ebp, %ebp
    pushl %ebx              /* multiboot info */
    pushl %eax              /* loader magic */
    call kmain
1:  cli
    hlt
    jmp 1b
